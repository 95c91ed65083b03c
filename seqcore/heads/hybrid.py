"""Hybrid CTC/attention head (Watanabe et al. 2017): one encoder, a CTC branch and an attention decoder.

Training minimizes w * CTC + (1 - w) * attention (w = ctc_weight; 0 or 1 drops a branch
entirely). CTC's monotonic alignment regularizes the attention decoder; at decoding,
`beam_search(ctc_weight=...)` adds the CTC prefix score to every candidate (joint decoding),
and the CTC searches can decode the CTC branch alone.
"""
from __future__ import annotations

import torch
from torch import nn

from seqcore.data.batch import Batch
from seqcore.errors import ConfigError
from seqcore.heads.attention import AttentionHead
from seqcore.heads.ctc import CTCHead
from seqcore.modules.state import EncoderOutput


class HybridHead(nn.Module):
    def __init__(self, decoder: nn.Module, vocab_size: int, encoder_dim: int, ctc_weight: float = 0.3,
                 label_smoothing: float = 0.1, tie_embeddings: bool = True, upsample: int = 1,
                 guided_attention_weight: float = 0.0, guided_attention_sigma: float = 0.2):
        super().__init__()
        if not 0.0 <= ctc_weight <= 1.0:
            raise ConfigError(f"head.ctc_weight={ctc_weight} must be within [0, 1]")
        self.ctc_weight = ctc_weight
        self.attention = AttentionHead(decoder, vocab_size, label_smoothing, tie_embeddings, guided_attention_weight,
                                       guided_attention_sigma)
        self.ctc = CTCHead(vocab_size, encoder_dim, upsample)

    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        branches = [(weight, name, head) for weight, name, head in
                    ((self.ctc_weight, "ctc", self.ctc), (1.0 - self.ctc_weight, "attention", self.attention))
                    if weight > 0.0]
        total, logs = 0.0, {}
        for weight, name, head in branches:  # the attention branch (last) reports nll when present
            loss, branch_logs = head.loss(batch, encoded)
            total = total + weight * loss
            logs.update(branch_logs, **{f"{name}_loss": loss.detach()})
        return total, logs

    def init_state(self, encoded: EncoderOutput):
        return self.attention.init_state(encoded)

    def step(self, tokens: torch.Tensor, state):
        return self.attention.step(tokens, state)

    def log_probs(self, encoded: EncoderOutput):
        return self.ctc.log_probs(encoded)
