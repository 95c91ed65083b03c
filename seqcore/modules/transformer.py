"""Pre-LayerNorm Transformer encoder and decoder built on `scaled_dot_product_attention`.

The decoder supports incremental decoding: `init_state` precomputes the cross-attention
keys/values of the encoder memory once, and `step` appends one position to a per-layer
key/value cache. Every tensor in the state has the batch on dim 0, so beam search can
reorder or shrink it with one `index_select` (see `seqcore.modules.state`).
"""
from __future__ import annotations

import functools
import math

import torch
import torch.nn.functional as F
from torch import nn


def sinusoidal_positions(length: int, dim: int, offset: int = 0, device=None) -> torch.Tensor:
    """[length, dim] sinusoidal encodings of positions offset..offset+length-1 (Vaswani et al.).

    A read-only slice of a table computed once per (dim, device) and regrown to the next power of
    two when a longer one is asked for: recomputing it at each decoding step took a dozen small
    operations, more than the rest of the step's embedding."""
    end = offset + length
    return _position_table(dim, torch.device(device or "cpu"), 1 << max(6, (end - 1).bit_length()))[offset:end]


@functools.lru_cache(maxsize=16)
def _position_table(dim: int, device: torch.device, length: int) -> torch.Tensor:
    with torch.inference_mode(False), torch.no_grad():  # usable by training after an inference-mode caller
        positions = torch.arange(length, device=device, dtype=torch.float32)[:, None]
        rates = torch.exp(torch.arange(0, dim, 2, device=device, dtype=torch.float32) * (-math.log(10000.0) / dim))
        table = torch.zeros(length, dim, device=device)
        table[:, 0::2] = torch.sin(positions * rates)
        table[:, 1::2] = torch.cos(positions * rates[: dim // 2])
    return table


class MultiHeadAttention(nn.Module):
    """Multi-head attention whose key/value projection can be run separately (for caching)."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        if dim % heads:
            raise ValueError(f"model dim {dim} is not divisible by {heads} heads")
        self.heads, self.dropout = heads, dropout
        self.query = nn.Linear(dim, dim)
        self.key_value = nn.Linear(dim, 2 * dim)
        self.out = nn.Linear(dim, dim)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape
        return x.view(batch, length, self.heads, dim // self.heads).transpose(1, 2)

    def keys_values(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        keys, values = self.key_value(x).chunk(2, dim=-1)
        return self.split_heads(keys), self.split_heads(values)

    def attend(self, x, keys, values, mask=None, causal=False) -> torch.Tensor:
        """`mask` is a boolean [B, 1, Tq|1, Tk] with True where attention is allowed."""
        query = self.split_heads(self.query(x))
        out = F.scaled_dot_product_attention(
            query, keys, values, attn_mask=mask, is_causal=causal,
            dropout_p=self.dropout if self.training else 0.0)
        batch, _, length, _ = out.shape
        return self.out(out.transpose(1, 2).reshape(batch, length, -1))


    def weights(self, x, keys, mask=None) -> torch.Tensor:
        """The attention weights [B, Tq, Tk] that `attend` applies, averaged over heads (for pictures
        and guided attention; `scaled_dot_product_attention` does not return them)."""
        query = self.split_heads(self.query(x))
        scores = query @ keys.transpose(-1, -2) / math.sqrt(query.shape[-1])
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        return scores.float().softmax(-1).mean(1)


class FeedForward(nn.Sequential):
    def __init__(self, dim: int, hidden: int, dropout: float):
        super().__init__(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, dim))


class EncoderLayer(nn.Module):
    def __init__(self, dim, heads, ffn_dim, dropout):
        super().__init__()
        self.norm_attention, self.norm_ffn = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, heads, dropout)
        self.ffn = FeedForward(dim, ffn_dim, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask):
        h = self.norm_attention(x)
        x = x + self.dropout(self.attention.attend(h, *self.attention.keys_values(h), mask=mask))
        return x + self.dropout(self.ffn(self.norm_ffn(x)))


class TransformerEncoder(nn.Module):
    """Stack of pre-LN self-attention layers over frontend features [B, S, dim]."""

    def __init__(self, dim: int = 256, layers: int = 3, heads: int = 4, ffn_dim: int = 1024,
                 dropout: float = 0.1, positions: bool = True):
        super().__init__()
        self.dim, self.positions = dim, positions
        self.layers = nn.ModuleList(EncoderLayer(dim, heads, ffn_dim, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)

    @property
    def output_dim(self) -> int:
        return self.dim

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.positions:
            x = x + sinusoidal_positions(x.shape[1], self.dim, device=x.device).to(x.dtype)
        x = self.dropout(x)
        attention_mask = mask[:, None, None, :]
        for layer in self.layers:
            x = layer(x, attention_mask)
        return self.norm(x), mask


class DecoderLayer(nn.Module):
    def __init__(self, dim, heads, ffn_dim, dropout):
        super().__init__()
        self.norm_self, self.norm_cross, self.norm_ffn = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.self_attention = MultiHeadAttention(dim, heads, dropout)
        self.cross_attention = MultiHeadAttention(dim, heads, dropout)
        self.ffn = FeedForward(dim, ffn_dim, dropout)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, self_kv, causal, cross_kv, memory_mask, return_cross_weights: bool = False):
        h = self.norm_self(x)
        x = x + self.dropout(self.self_attention.attend(h, *self_kv(h), causal=causal))
        h = self.norm_cross(x)
        x = x + self.dropout(self.cross_attention.attend(h, *cross_kv, mask=memory_mask))
        x = x + self.dropout(self.ffn(self.norm_ffn(x)))
        return (x, self.cross_attention.weights(h, cross_kv[0], memory_mask)) if return_cross_weights else x


class TransformerDecoder(nn.Module):
    """Autoregressive pre-LN decoder with target embedding; returns hidden states (the head projects)."""

    def __init__(self, vocab_size: int, dim: int = 256, layers: int = 3, heads: int = 4,
                 ffn_dim: int = 1024, dropout: float = 0.1):
        super().__init__()
        self.dim = dim
        self.embedding = nn.Embedding(vocab_size, dim)
        nn.init.normal_(self.embedding.weight, std=dim ** -0.5)
        self.layers = nn.ModuleList(DecoderLayer(dim, heads, ffn_dim, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.dropout = nn.Dropout(dropout)

    def embed(self, tokens: torch.Tensor, offset: int = 0) -> torch.Tensor:
        x = self.embedding(tokens) * math.sqrt(self.dim)
        return self.dropout(x + sinusoidal_positions(tokens.shape[1], self.dim, offset, tokens.device).to(x.dtype))

    def forward(self, tokens: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor,
                return_attention: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forced pass: tokens [B, T] -> hidden [B, T, dim]; with `return_attention`, also the
        last layer's cross-attention weights [B, T, S] averaged over its heads."""
        x = self.embed(tokens)
        mask = memory_mask[:, None, None, :]
        weights = None
        for index, layer in enumerate(self.layers):
            last = return_attention and index == len(self.layers) - 1
            x = layer(x, layer.self_attention.keys_values, True, layer.cross_attention.keys_values(memory), mask,
                      return_cross_weights=last)
            if last:
                x, weights = x
        return (self.norm(x), weights) if return_attention else self.norm(x)

    def init_state(self, memory: torch.Tensor, memory_mask: torch.Tensor) -> dict:
        empty = memory.new_zeros(memory.shape[0], self.layers[0].self_attention.heads, 0,
                                 self.dim // self.layers[0].self_attention.heads)
        return {
            "memory_mask": memory_mask[:, None, None, :],
            "cross": [layer.cross_attention.keys_values(memory) for layer in self.layers],
            "self": [(empty, empty) for _ in self.layers],
        }

    def step(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """One decoding step: tokens [B] (the previous output) -> hidden [B, dim], new state."""
        position = state["self"][0][0].shape[2]
        x = self.embed(tokens[:, None], offset=position)
        new_cache = []
        for layer, cache, cross in zip(self.layers, state["self"], state["cross"]):
            def cached_kv(h, cache=cache, layer=layer):
                keys, values = layer.self_attention.keys_values(h)
                new_cache.append((torch.cat([cache[0], keys], 2), torch.cat([cache[1], values], 2)))
                return new_cache[-1]
            x = layer(x, cached_kv, False, cross, state["memory_mask"])
        return self.norm(x)[:, 0], {**state, "self": new_cache}
