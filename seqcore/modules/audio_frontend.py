"""Audio frontend: log-mel frames -> normalized, augmented, subsampled model vectors.

Speech tasks featurize each utterance once (log-mel frames FloatTensor [frames, n_mels], see
`seqcore.audio.LogMel`); what must change from epoch to epoch or depends on the batch happens
here, on the fly, in three steps:

1. mean/variance normalization: per utterance (over its real frames, CMVN) or with global
   statistics of the training set (`mean`, `std`: passed by the task, which computes them
   when it fits, so they travel in the checkpoint); "none" leaves the features as they are.
2. SpecAugment (Park et al. 2019): time warp, frequency masks and time masks, in training
   mode only (the masks are drawn per utterance, inside its real length).
3. convolutional subsampling by 4 or 8 (stride-2 3x3 convolutions, as in ESPnet and the
   Conformer paper): attention cost falls with the square of the factor, and a CTC head
   still has a frame per character at 25 frames/s. `output_lengths` is the exact length
   arithmetic, so padding never leaks into the frames of a shorter utterance.

It has TokenEmbedding's contract: forward(source [B, S, F], lengths [B]) -> (features
[B, S', dim], mask [B, S']).
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from seqcore.errors import ConfigError

KERNEL, STRIDE = 3, 2


class FeatureNormalization(nn.Module):
    """Mean/variance normalization of [B, S, F] features over real frames; padding stays 0."""

    MODES = ("utterance", "global", "none")

    def __init__(self, mode: str = "utterance", mean: Sequence[float] | None = None,
                 std: Sequence[float] | None = None, eps: float = 1e-5):
        super().__init__()
        if mode not in self.MODES:
            raise ConfigError(f"model.frontend.normalization must be one of {', '.join(self.MODES)}, got {mode!r}")
        if mode == "global" and (mean is None or std is None):
            raise ConfigError("model.frontend.normalization=global needs the task's feature mean and std")
        self.mode, self.eps = mode, eps
        if mode == "global":
            self.register_buffer("mean", torch.tensor(list(mean), dtype=torch.float32))
            self.register_buffer("std", torch.tensor(list(std), dtype=torch.float32).clamp(min=eps))

    def forward(self, features: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.mode == "none":
            return features
        if self.mode == "global":
            normalized = (features - self.mean) / self.std
        else:
            weights = mask[..., None].to(features.dtype)
            count = weights.sum(1, keepdim=True).clamp(min=1.0)
            mean = (features * weights).sum(1, keepdim=True) / count
            variance = ((features - mean) ** 2 * weights).sum(1, keepdim=True) / count
            normalized = (features - mean) / (variance + self.eps).sqrt()
        return normalized * mask[..., None]


class SpecAugment(nn.Module):
    """Time warp, frequency masks and time masks on [B, S, F] features, in training mode only.

    `freq_width`: the widest frequency mask (bins); `time_width`: the widest time mask as a
    fraction of the utterance's length (adaptive masking, Park et al. 2020); `time_warp`: the
    largest shift W of the warp point in frames (0 = off). Masked values are 0, the mean of
    normalized features.
    """

    def __init__(self, freq_masks: int = 2, freq_width: int = 27, time_masks: int = 2, time_width: float = 0.05,
                 time_warp: int = 0):
        super().__init__()
        self.freq_masks, self.freq_width = freq_masks, freq_width
        self.time_masks, self.time_width = time_masks, time_width
        self.time_warp = time_warp

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return features
        if self.time_warp > 0:
            features = self.warp(features, lengths)
        batch, frames, bins = features.shape
        keep = torch.ones(batch, frames, bins, dtype=torch.bool, device=features.device)
        for _ in range(self.freq_masks):
            keep &= ~self._band(torch.full_like(lengths, bins), min(self.freq_width, bins), bins)[:, None, :]
        for _ in range(self.time_masks):
            widths = (lengths.float() * self.time_width).long()
            keep &= ~self._band(lengths, widths, frames)[:, :, None]
        return features * keep

    @staticmethod
    def _band(sizes: torch.Tensor, max_width, positions: int) -> torch.Tensor:
        """[B, positions]: one random band per row, width uniform in [0, max_width], inside [0, size)."""
        max_width = torch.as_tensor(max_width, device=sizes.device).expand_as(sizes)
        width = (torch.rand(sizes.shape, device=sizes.device) * (max_width + 1).float()).long()
        width = torch.minimum(width, sizes)
        start = (torch.rand(sizes.shape, device=sizes.device) * (sizes - width + 1).float()).long()
        index = torch.arange(positions, device=sizes.device)[None, :]
        return (index >= start[:, None]) & (index < (start + width)[:, None])

    def warp(self, features: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Moves a random point c of each utterance to c + w, w uniform in [-W, W], stretching both
        sides linearly (the time warp of SpecAugment, as ESPnet does it with interpolation)."""
        warped = features.clone()
        for row, length in enumerate(lengths.tolist()):
            if length <= 2 * self.time_warp + 1:
                continue
            center = int(torch.randint(self.time_warp, length - self.time_warp, ()))
            target = center + int(torch.randint(-self.time_warp, self.time_warp + 1, ()))
            if target in (center, 0, length):
                continue
            utterance = features[row, :length][None, None]  # [1, 1, T, F]
            left = F.interpolate(utterance[:, :, :center], size=(target, features.shape[2]), mode="bilinear",
                                 align_corners=False)
            right = F.interpolate(utterance[:, :, center:], size=(length - target, features.shape[2]),
                                  mode="bilinear", align_corners=False)
            warped[row, :length] = torch.cat([left, right], 2)[0, 0]
        return warped


def subsampled_length(length: int, layers: int) -> int:
    """Frames after `layers` unpadded stride-2 3x3 convolutions: floor((L - 3) / 2) + 1 each."""
    for _ in range(layers):
        length = (length - KERNEL) // STRIDE + 1
    return length


class ConvSubsampling(nn.Module):
    """log2(factor) stride-2 3x3 Conv2d + ReLU over (time, frequency), then a linear layer to `dim`."""

    def __init__(self, input_dim: int, dim: int, factor: int = 4, channels: int = 64):
        super().__init__()
        if factor not in (4, 8):
            raise ConfigError(f"model.frontend.subsampling must be 4 or 8, got {factor}")
        self.layers = int(math.log2(factor))
        convolutions = []
        for layer in range(self.layers):
            convolutions += [nn.Conv2d(1 if layer == 0 else channels, channels, KERNEL, STRIDE), nn.ReLU()]
        self.convolutions = nn.Sequential(*convolutions)
        bins = subsampled_length(input_dim, self.layers)
        if bins < 1:
            raise ConfigError(f"{input_dim} feature bins are too few for subsampling by {factor}")
        self.linear = nn.Linear(channels * bins, dim)
        # the shortest input that still gives one output frame: shorter ones are padded up to it
        self.min_length = next(n for n in range(1, 64) if subsampled_length(n, self.layers) >= 1)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """Exact output frames for input lengths (each at least `min_length`, see forward)."""
        lengths = lengths.clamp(min=self.min_length)
        for _ in range(self.layers):
            lengths = torch.div(lengths - KERNEL, STRIDE, rounding_mode="floor") + 1
        return lengths

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if features.shape[1] < self.min_length:
            features = F.pad(features, (0, 0, 0, self.min_length - features.shape[1]))
        x = self.convolutions(features[:, None])  # [B, C, S', F']
        batch, channels, frames, bins = x.shape
        return self.linear(x.transpose(1, 2).reshape(batch, frames, channels * bins)), self.output_lengths(lengths)


class AudioFrontend(nn.Module):
    """Normalization -> SpecAugment (training only) -> subsampling -> dropout: [B, S, F] -> [B, S', dim]."""

    def __init__(self, input_dim: int, dim: int = 144, subsampling: int = 4, channels: int = 64,
                 normalization: str = "utterance", mean: Sequence[float] | None = None,
                 std: Sequence[float] | None = None, spec_augment: dict | None = None, dropout: float = 0.1):
        super().__init__()
        self.dim = dim
        self.normalization = FeatureNormalization(normalization, mean, std)
        self.spec_augment = SpecAugment(**dict(spec_augment or {}))
        self.subsampling = ConvSubsampling(input_dim, dim, subsampling, channels)
        self.dropout = nn.Dropout(dropout)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        return self.subsampling.output_lengths(lengths)

    def forward(self, features: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mask = torch.arange(features.shape[1], device=features.device)[None, :] < lengths[:, None]
        features = self.spec_augment(self.normalization(features.float(), mask), lengths)
        states, out_lengths = self.subsampling(features, lengths)
        out_mask = torch.arange(states.shape[1], device=states.device)[None, :] < out_lengths[:, None]
        return self.dropout(states), out_mask
