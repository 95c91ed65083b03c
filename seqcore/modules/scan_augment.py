"""Training-time distortions of text-line images, the way real scans and hands differ: SpecAugment's
counterpart for the image frontend.

Each line of a batch gets its own random slant (a horizontal shear around the line's middle),
vertical scale and shift (baseline and x-height vary between writers and scans), ink strength
(faded or heavy strokes) and pixel noise. The width is kept, so the frontend's output lengths
stay an exact function of it, and the padding beyond a line's width stays background. Identity
in eval mode or with every amount at 0 (the default: synthetic lines need none).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ScanAugment(nn.Module):
    """[B, 1, H, W] images (ink 1, background 0) and widths [B] -> distorted images, training only.

    `slant`: largest shear, horizontal pixels per vertical pixel (0.3 ~ 17 degrees); `scale`:
    largest relative change of the height; `shift`: largest vertical shift, as a fraction of the
    height; `ink`: largest relative loss of ink strength; `noise`: standard deviation of the
    additive pixel noise."""

    def __init__(self, slant: float = 0.0, scale: float = 0.0, shift: float = 0.0, ink: float = 0.0,
                 noise: float = 0.0):
        super().__init__()
        for name, value in (("slant", slant), ("scale", scale), ("shift", shift), ("ink", ink), ("noise", noise)):
            if not 0.0 <= value <= (1.0 if name != "slant" else 2.0):
                raise ValueError(f"model.frontend.augment.{name}={value} is out of range")
        self.slant, self.scale, self.shift, self.ink, self.noise = slant, scale, shift, ink, noise

    def forward(self, images: torch.Tensor, widths: torch.Tensor) -> torch.Tensor:
        if not self.training or not any((self.slant, self.scale, self.shift, self.ink, self.noise)):
            return images
        batch, _, height, width = images.shape
        slant, scale, shift = torch.rand(3, batch, device=images.device) * 2 - 1  # one draw per line, in [-1, 1)
        # affine_grid works in [-1, 1] coordinates: x' = x + s * y * (H / W) is a shear of s pixels per pixel
        theta = torch.zeros(batch, 2, 3, device=images.device)
        theta[:, 0, 0] = 1.0
        theta[:, 0, 1] = self.slant * slant * height / width
        theta[:, 1, 1] = 1.0 + self.scale * scale
        theta[:, 1, 2] = 2 * self.shift * shift
        grid = F.affine_grid(theta, list(images.shape), align_corners=False)
        out = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        out = out * (1.0 - self.ink * torch.rand(batch, 1, 1, 1, device=images.device))
        if self.noise:
            out = out + self.noise * torch.randn_like(out)
        inside = torch.arange(width, device=images.device)[None, :] < widths[:, None]
        return out.clamp(0.0, 1.0) * inside[:, None, None, :]
