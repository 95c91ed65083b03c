"""Feature frontend: per-position feature vectors -> model vectors, for inputs that are not token ids.

Tasks whose inputs are numbers or measurements (a value per position, a frame of features)
featurize them as FloatTensor [S, F]; this projects each position to the model dimension.
It has TokenEmbedding's contract, so a config swaps one for the other with `_target_`.
"""
from __future__ import annotations

import torch
from torch import nn


class FeatureProjection(nn.Module):
    """Projects features [B, S, input_dim] to [B, S, dim] with one linear layer."""

    def __init__(self, input_dim: int, dim: int = 256):
        super().__init__()
        self.dim = dim
        self.projection = nn.Linear(input_dim, dim)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """One output frame per input position (what a CTC head's feasibility is counted against)."""
        return lengths

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = torch.arange(features.shape[1], device=features.device)[None, :] < lengths[:, None]
        return self.projection(features), mask
