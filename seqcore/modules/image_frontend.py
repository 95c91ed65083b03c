"""Image frontend: text-line images -> a left-to-right sequence of column features (CRNN, Shi et al. 2016).

An image example's source is FloatTensor [W, H]: one row per pixel column (the sequence
positions), the fixed line height H as features, ink 1 and background 0, so
`collate_examples` pads batches along the width with background and `source_lengths` are
pixel widths. A VGG-style CNN (3x3 convolutions, batch norm, ReLU, max pooling) shrinks the
height by `height_pools` and the width by `width_pools`. The first block strides its
convolution by its pools instead of max pooling after it (a ResNet-style stem): at full
resolution a one-channel convolution, batch norm and pool took half a CPU training step,
and the strided stem does the same reduction for about a fifth of that. The channels of the remaining rows
of each column are projected to `dim`. The number of output frames of an image is an exact
function of its width (`output_lengths`), so CTC and transducer losses see the right lengths, and
columns beyond an image's width are zeroed after every block, so an image's features do not
depend on what it is batched with (in eval mode). `augment` distorts training lines as real
scans differ (`scan_augment.py`: slant, height, baseline, ink, noise).
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from seqcore.modules.scan_augment import ScanAugment


class ImageFrontend(nn.Module):
    """[B, W, H] pixel columns and widths [B] -> features [B, W', dim] and mask [B, W']."""

    def __init__(self, height: int, dim: int = 256, channels: Sequence[int] = (32, 64, 128, 128),
                 height_pools: Sequence[int] = (2, 2, 2, 2), width_pools: Sequence[int] = (2, 2, 1, 1),
                 dropout: float = 0.1, augment: dict | None = None):
        super().__init__()
        self.augment = ScanAugment(**dict(augment or {}))
        if not len(channels) == len(height_pools) == len(width_pools):
            raise ValueError(f"model.frontend: channels, height_pools and width_pools need one entry per block, "
                             f"got {len(channels)}, {len(height_pools)}, {len(width_pools)}")
        rows = -(-height // height_pools[0])  # the strided stem rounds up (padding 1), pools round down
        for pool in height_pools[1:]:
            rows //= pool
        if rows < 1:
            raise ValueError(f"model.frontend: an image height of {height} px is pooled away by height_pools "
                             f"{list(height_pools)}; use taller images or fewer pools")
        self.height, self.dim, self.width_pools = height, dim, tuple(width_pools)
        self.blocks = nn.ModuleList([nn.Sequential(
            nn.Conv2d(1, channels[0], 3, stride=(height_pools[0], width_pools[0]), padding=1, bias=False),
            nn.BatchNorm2d(channels[0]), nn.ReLU(inplace=True))])
        for inputs, outputs, pool_h, pool_w in zip(channels[:-1], channels[1:], height_pools[1:], width_pools[1:]):
            self.blocks.append(nn.Sequential(
                nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU(inplace=True),
                nn.MaxPool2d((pool_h, pool_w)) if pool_h * pool_w > 1 else nn.Identity()))
        self.projection = nn.Linear(channels[-1] * rows, dim)
        self.dropout = nn.Dropout(dropout)

    def output_lengths(self, widths: torch.Tensor) -> torch.Tensor:
        """Output frames of images `widths` pixels wide: the stem's 3x3 convolution with padding 1
        and stride p gives ceil(W / p) columns; later 3x3 convolutions keep the width and each max
        pool floors it by its width pool."""
        for block in range(len(self.width_pools)):
            widths = self._block_width(widths, block)
        return widths

    def _block_width(self, widths: torch.Tensor, block: int) -> torch.Tensor:
        pool = self.width_pools[block]
        return -torch.div(-widths, pool, rounding_mode="floor") if block == 0 else \
            torch.div(widths, pool, rounding_mode="floor")

    def forward(self, columns: torch.Tensor, widths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if columns.shape[-1] != self.height:
            raise ValueError(f"image frontend built for {self.height} px high lines got {columns.shape[-1]} px")
        x = self.augment(columns.transpose(1, 2)[:, None], widths)  # [B, 1, H, W]
        lengths = widths
        for index, block in enumerate(self.blocks):
            x = block(x)
            lengths = self._block_width(lengths, index)
            keep = torch.arange(x.shape[-1], device=x.device)[None, :] < lengths[:, None]
            x = x * keep[:, None, None, :]
        batch, channels, rows, width = x.shape
        features = self.projection(x.permute(0, 3, 1, 2).reshape(batch, width, channels * rows))
        return self.dropout(features), keep
