"""Attention head: an autoregressive decoder over the encoder memory, trained with label smoothing.

It is also the reference implementation of the search interface every autoregressive head
exposes: `init_state(encoded)`, `step(tokens, state) -> (log_probs, state)`; reordering the
state for beams is generic (`seqcore.modules.state.select_rows`).
"""
from __future__ import annotations

import torch
from torch import nn

from seqcore.data.batch import Batch
from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID
from seqcore.heads.losses import label_smoothed_nll
from seqcore.modules.state import EncoderOutput


def teacher_forcing_pair(target: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """target [B, T] (no BOS/EOS, PAD-padded) -> decoder input [BOS, y] and output [y, EOS], both [B, T+1]."""
    batch = target.shape[0]
    decoder_input = torch.cat([target.new_full((batch, 1), BOS_ID), target], 1)
    decoder_output = torch.cat([target, target.new_full((batch, 1), PAD_ID)], 1)
    decoder_output[torch.arange(batch, device=target.device), lengths] = EOS_ID
    return decoder_input, decoder_output


class AttentionHead(nn.Module):
    kind = "tokens"
    searches = ("greedy_search", "beam_search", "sample_search")

    def __init__(self, decoder: nn.Module, vocab_size: int, label_smoothing: float = 0.1,
                 tie_embeddings: bool = True):
        super().__init__()
        self.decoder = decoder
        self.label_smoothing = label_smoothing
        self.projection = nn.Linear(decoder.dim, vocab_size, bias=False)
        if tie_embeddings:
            self.projection.weight = decoder.embedding.weight

    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        decoder_input, decoder_output = teacher_forcing_pair(batch.target, batch.target_lengths)
        hidden = self.decoder(decoder_input, encoded.states, encoded.mask)
        log_probs = self.projection(hidden).float().log_softmax(-1)
        loss_sum, nll_sum = label_smoothed_nll(log_probs.flatten(0, 1), decoder_output.flatten(),
                                               self.label_smoothing, ignore_index=PAD_ID)
        tokens = (decoder_output != PAD_ID).sum()
        return loss_sum / tokens, {"nll": (nll_sum / tokens).detach(), "target_tokens": tokens}

    def init_state(self, encoded: EncoderOutput) -> dict:
        return self.decoder.init_state(encoded.states, encoded.mask)

    def step(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        hidden, state = self.decoder.step(tokens, state)
        return self.projection(hidden).float().log_softmax(-1), state
