"""CTC head: a per-frame distribution over the target vocabulary, trained with the CTC loss.

CTC needs no decoder: every encoder frame emits a token or the blank, and a labeling is read
off by collapsing repeats and removing blanks. The blank is PAD_ID (0), which never occurs as
a target, so the target vocabulary serves unchanged.

CTC can only emit as many tokens as it has frames. For non-autoregressive translation, where
the output may be longer than the input, `upsample` > 1 splits each encoder state into that
many states with one linear layer (Libovický & Helcl 2018, "End-to-End Non-Autoregressive
Neural Machine Translation with Connectionist Temporal Classification").
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqcore.data.batch import Batch
from seqcore.data.vocab import PAD_ID
from seqcore.errors import ConfigError
from seqcore.modules.state import EncoderOutput

BLANK_ID = PAD_ID


class CTCHead(nn.Module):
    def __init__(self, vocab_size: int, encoder_dim: int, upsample: int = 1):
        super().__init__()
        if upsample < 1:
            raise ConfigError(f"head.upsample must be at least 1, got {upsample}")
        self.upsample = upsample
        self.split = nn.Linear(encoder_dim, upsample * encoder_dim) if upsample > 1 else nn.Identity()
        self.projection = nn.Linear(encoder_dim, vocab_size)

    def log_probs(self, encoded: EncoderOutput) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-frame log-probabilities [B, T * upsample, V] (float32) and the frame counts [B]."""
        batch, frames, dim = encoded.states.shape
        states = self.split(encoded.states).reshape(batch, frames * self.upsample, dim)
        return self.projection(states).float().log_softmax(-1), encoded.lengths * self.upsample

    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        log_probs, lengths = self.log_probs(encoded)
        nll_sum = F.ctc_loss(log_probs.transpose(0, 1), batch.target, lengths, batch.target_lengths,
                             blank=BLANK_ID, reduction="sum", zero_infinity=True)
        tokens = batch.target_lengths.sum()
        nll = nll_sum / tokens
        # zero_infinity silences targets with too few frames: count them so it shows (raise upsample)
        too_long = (batch.target_lengths > lengths).sum()
        return nll, {"nll": nll.detach(), "target_tokens": tokens, "ctc_too_long": too_long}
