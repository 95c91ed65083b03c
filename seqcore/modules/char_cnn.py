"""Character-CNN + recurrent encoder (Ghosh & Kristensson 2017, "Neural Networks for Text
Correction and Completion in Keyboard Decoding").

Convolutions over character embeddings see a few neighbouring keys at once, which is what a
typo disturbs (a swapped, doubled or missing letter), before a (Bi)GRU reads the whole line.
Each convolution is residual and padded to keep the length, and padded positions are zeroed
before every convolution so a batch gives the same states as each sentence alone.
"""
from __future__ import annotations

import torch
from torch import nn

from seqcore.modules.lstm import LSTMEncoder


class CharCNNEncoder(nn.Module):
    """`conv_layers` residual Conv1d(kernel_size) + ReLU blocks, then a recurrent encoder:
    [B, S, dim] -> [B, S, dim]."""

    def __init__(self, dim: int = 256, conv_layers: int = 1, kernel_size: int = 5, layers: int = 1,
                 dropout: float = 0.1, bidirectional: bool = True, cell: str = "gru"):
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd to keep the sequence length, got {kernel_size}")
        self.convolutions = nn.ModuleList(nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2)
                                          for _ in range(conv_layers))
        self.recurrent = LSTMEncoder(dim, layers, dropout, bidirectional, cell)

    @property
    def output_dim(self) -> int:
        return self.recurrent.output_dim

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        keep = mask[:, None, :].to(x.dtype)
        features = x.transpose(1, 2)  # Conv1d wants [B, dim, S]
        for convolution in self.convolutions:
            features = features + torch.relu(convolution(features * keep))
        return self.recurrent(features.transpose(1, 2), mask)
