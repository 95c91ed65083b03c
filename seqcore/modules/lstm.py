"""LSTM encoder and additive-attention LSTM decoder (Bahdanau et al. 2015, with input feeding).

The second architecture of the core: cheaper per token than a Transformer on short
sequences, and the classic choice for OCR, keyboards and pointer-generator summarizers.
The decoder's state keeps the batch on dim 0 (the LSTM's own [layers, B, D] tensors are
stored transposed) so beam search can reorder it like any other state.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class LSTMEncoder(nn.Module):
    """(Bi)LSTM over frontend features [B, S, dim]; output [B, S, dim] (directions concatenated)."""

    def __init__(self, dim: int = 256, layers: int = 2, dropout: float = 0.1, bidirectional: bool = True):
        super().__init__()
        if bidirectional and dim % 2:
            raise ValueError(f"a bidirectional LSTM encoder needs an even dim, got {dim}")
        self.dim = dim
        self.lstm = nn.LSTM(dim, dim // 2 if bidirectional else dim, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0, bidirectional=bidirectional)
        self.dropout = nn.Dropout(dropout)

    @property
    def output_dim(self) -> int:
        return self.dim

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        lengths = mask.sum(1).cpu()
        packed = pack_padded_sequence(self.dropout(x), lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return self.dropout(out), mask


class AdditiveAttention(nn.Module):
    """score(q, m) = v . tanh(W_q q + W_m m); the memory projection is computed once per sentence."""

    def __init__(self, dim: int):
        super().__init__()
        self.query = nn.Linear(dim, dim, bias=False)
        self.memory = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, 1, bias=False)

    def forward(self, query, memory, projected_memory, mask) -> tuple[torch.Tensor, torch.Tensor]:
        scores = self.v(torch.tanh(projected_memory + self.query(query)[:, None, :])).squeeze(-1)
        weights = scores.masked_fill(~mask, float("-inf")).softmax(-1)
        return torch.bmm(weights[:, None, :], memory).squeeze(1), weights


class LSTMDecoder(nn.Module):
    """LSTM decoder with additive attention and input feeding; returns attentional hidden states."""

    def __init__(self, vocab_size: int, dim: int = 256, layers: int = 1, dropout: float = 0.1):
        super().__init__()
        self.dim = dim
        self.embedding = nn.Embedding(vocab_size, dim)
        self.lstm = nn.LSTM(2 * dim, dim, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.attention = AdditiveAttention(dim)
        self.combine = nn.Linear(2 * dim, dim)
        self.dropout = nn.Dropout(dropout)

    def init_state(self, memory: torch.Tensor, memory_mask: torch.Tensor) -> dict:
        batch, layers = memory.shape[0], self.lstm.num_layers
        zeros = memory.new_zeros(batch, layers, self.dim)
        return {"memory": memory, "projected": self.attention.memory(memory), "mask": memory_mask,
                "h": zeros, "c": zeros, "feed": memory.new_zeros(batch, self.dim)}

    def step(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """tokens [B] -> attentional hidden [B, dim] and the next state."""
        x = torch.cat([self.dropout(self.embedding(tokens)), state["feed"]], -1)[:, None, :]
        out, (h, c) = self.lstm(x, (state["h"].transpose(0, 1).contiguous(), state["c"].transpose(0, 1).contiguous()))
        out = out[:, 0]
        context, _ = self.attention(out, state["memory"], state["projected"], state["mask"])
        hidden = self.dropout(torch.tanh(self.combine(torch.cat([out, context], -1))))
        return hidden, {**state, "h": h.transpose(0, 1), "c": c.transpose(0, 1), "feed": hidden}

    def forward(self, tokens: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor) -> torch.Tensor:
        """Teacher-forced pass, step by step (input feeding makes steps sequential)."""
        state = self.init_state(memory, memory_mask)
        outputs = []
        for t in range(tokens.shape[1]):
            hidden, state = self.step(tokens[:, t], state)
            outputs.append(hidden)
        return torch.stack(outputs, 1)
