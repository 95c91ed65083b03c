"""Token frontend: ids -> scaled embeddings. Positions are the encoder's business, not the frontend's."""
from __future__ import annotations

import math

import torch
from torch import nn


class TokenEmbedding(nn.Module):
    """Embeds source token ids [B, S] into [B, S, dim] (scaled by sqrt(dim) as in Vaswani et al.)."""

    def __init__(self, vocab_size: int, dim: int = 256, padding_idx: int = 0):
        super().__init__()
        self.dim = dim
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=padding_idx)
        nn.init.normal_(self.embedding.weight, std=dim ** -0.5)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """One output frame per input position (what a CTC head's feasibility is counted against)."""
        return lengths

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = torch.arange(tokens.shape[1], device=tokens.device)[None, :] < lengths[:, None]
        return self.embedding(tokens) * math.sqrt(self.dim), mask
