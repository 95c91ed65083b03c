"""Conformer encoder (Gulati et al. 2020, "Conformer: Convolution-augmented Transformer for Speech Recognition").

Each layer is a macaron pair of half-step feed-forward modules around multi-head
self-attention and a convolution module (pointwise conv + GLU, depthwise conv, batch norm,
Swish, pointwise conv): attention models global context, the convolution local patterns.

We wrap `torchaudio.models.Conformer` rather than write our own: it is the layer of the
paper, maintained and tested upstream, and already a dependency (the transducer loss comes
from torchaudio too). What it lacks we add around it: positions and input dropout. It has
no relative positional encoding; we add sinusoidal absolute positions to the input, as
ESPnet's `abs_pos` Conformer variant does. The depthwise convolutions see neighbouring
frames, so position information also comes from the convolutions (as in wav2vec 2.0's
convolutional positional embedding). It has TransformerEncoder's contract:
forward(x [B, S, dim], mask [B, S]) -> (states [B, S, dim], mask).
"""
from __future__ import annotations

import torch
from torch import nn
from torchaudio.models import Conformer

from seqcore.modules.transformer import sinusoidal_positions


class ConformerEncoder(nn.Module):
    def __init__(self, dim: int = 144, layers: int = 4, heads: int = 4, ffn_dim: int = 576, kernel_size: int = 15,
                 dropout: float = 0.1, positions: bool = True):
        super().__init__()
        self.dim, self.positions = dim, positions
        self.dropout = nn.Dropout(dropout)
        self.conformer = Conformer(input_dim=dim, num_heads=heads, ffn_dim=ffn_dim, num_layers=layers,
                                   depthwise_conv_kernel_size=kernel_size, dropout=dropout)

    @property
    def output_dim(self) -> int:
        return self.dim

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.positions:
            x = x + sinusoidal_positions(x.shape[1], self.dim, device=x.device).to(x.dtype)
        keep = mask.transpose(0, 1)[..., None].to(x.dtype)  # [S, B, 1]
        x = self.dropout(x).transpose(0, 1)
        for layer in self.conformer.conformer_layers:
            x = masked_layer(layer, x, ~mask, keep)
        return x.transpose(0, 1) * mask[..., None], mask


def masked_layer(layer, x: torch.Tensor, padding: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """torchaudio's `ConformerLayer.forward` (convolution after attention) on x [S, B, D], with
    the padding zeroed before the depthwise convolution (as WeNet does): it would otherwise
    carry what the padding holds into the last real frames, and outputs would depend on the batch."""
    x = x + 0.5 * layer.ffn1(x)
    attended, _ = layer.self_attn(*[layer.self_attn_layer_norm(x)] * 3, key_padding_mask=padding, need_weights=False)
    x = x + layer.self_attn_dropout(attended)
    x = x + masked_convolution(layer.conv_module, x, keep)
    x = x + 0.5 * layer.ffn2(x)
    return layer.final_layer_norm(x)


def masked_convolution(module, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """torchaudio's convolution module: layer norm, pointwise conv + GLU, (padding zeroed) depthwise
    conv, batch norm, SiLU, pointwise conv, dropout; x [S, B, D] -> [S, B, D]."""
    pointwise, glu, *rest = module.sequential
    h = glu(pointwise(module.layer_norm(x).permute(1, 2, 0)))  # [B, D, S]
    h = h * keep.permute(1, 2, 0)
    for step in rest:
        h = step(h)
    return h.permute(2, 0, 1)
