"""Recurrent encoder and additive-attention decoder (Bahdanau et al. 2015, with input feeding).

The second architecture of the core: cheaper per token than a Transformer on short
sequences, and the classic choice for OCR, keyboards and pointer-generator summarizers.
`cell` picks the recurrent unit: "lstm" or "gru" (a third fewer weights, no cell state; the
keyboard seed paper's choice). The decoder's state keeps the batch on dim 0 (the RNN's own
[layers, B, D] tensors are stored transposed) so beam search can reorder it like any other state.
"""
from __future__ import annotations

import torch
from torch import nn

from seqcore.modules.padded_rnn import PaddedRNN, recurrent


class LSTMEncoder(nn.Module):
    """(Bi)LSTM or (Bi)GRU over frontend features [B, S, dim]; output [B, S, dim] (directions concatenated)."""

    def __init__(self, dim: int = 256, layers: int = 2, dropout: float = 0.1, bidirectional: bool = True,
                 cell: str = "lstm"):
        super().__init__()
        if bidirectional and dim % 2:
            raise ValueError(f"a bidirectional recurrent encoder needs an even dim, got {dim}")
        self.dim = dim
        self.rnn = PaddedRNN(cell, dim, dim // 2 if bidirectional else dim, layers, bidirectional, dropout)
        self.dropout = nn.Dropout(dropout)

    @property
    def output_dim(self) -> int:
        return self.dim

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.dropout(self.rnn(self.dropout(x), mask)), mask


class AdditiveAttention(nn.Module):
    """score(q, m) = v . tanh(W_q q + W_m m); the memory projection is computed once per sentence.

    `hidden` is the size of the tanh layer (default: dim). Teacher forcing without input feeding
    scores every step against every memory position at once, a [B, T, S, hidden] tensor: over the
    hundreds of columns of a text line, a smaller `hidden` is most of the decoder's cost saved."""

    def __init__(self, dim: int, hidden: int | None = None):
        super().__init__()
        hidden = hidden or dim
        self.query = nn.Linear(dim, hidden, bias=False)
        self.memory = nn.Linear(dim, hidden)
        self.v = nn.Linear(hidden, 1, bias=False)

    def forward(self, query, memory, projected_memory, mask) -> tuple[torch.Tensor, torch.Tensor]:
        """query [B, dim] or [B, T, dim] (all steps at once) -> context and weights, one per query."""
        steps = query if query.dim() == 3 else query[:, None, :]
        scores = self.v(torch.tanh(projected_memory[:, None] + self.query(steps)[:, :, None])).squeeze(-1)
        weights = scores.masked_fill(~mask[:, None, :], float("-inf")).softmax(-1)
        context = weights @ memory
        return (context, weights) if query.dim() == 3 else (context[:, 0], weights[:, 0])


class LSTMDecoder(nn.Module):
    """LSTM or GRU decoder with additive attention and (by default) input feeding; returns attentional hidden states."""

    def __init__(self, vocab_size: int, dim: int = 256, layers: int = 1, dropout: float = 0.1, cell: str = "lstm",
                 input_feeding: bool = True, attention_dim: int | None = None):
        super().__init__()
        self.dim = dim
        self.input_feeding = input_feeding
        self.embedding = nn.Embedding(vocab_size, dim)
        self.lstm = recurrent(cell, 2 * dim if input_feeding else dim, dim, num_layers=layers, batch_first=True,
                              dropout=dropout if layers > 1 else 0.0)
        self.attention = AdditiveAttention(dim, attention_dim)
        self.combine = nn.Linear(2 * dim, dim)
        self.dropout = nn.Dropout(dropout)

    def init_state(self, memory: torch.Tensor, memory_mask: torch.Tensor) -> dict:
        batch, layers = memory.shape[0], self.lstm.num_layers
        zeros = memory.new_zeros(batch, layers, self.dim)
        recurrent_state = {"h": zeros, "c": zeros} if self.lstm.mode == "LSTM" else {"h": zeros}  # also int8 RNNs
        return {"memory": memory, "projected": self.attention.memory(memory), "mask": memory_mask,
                **recurrent_state, "feed": memory.new_zeros(batch, self.dim)}

    def step(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """tokens [B] -> attentional hidden [B, dim] and the next state."""
        x = self.dropout(self.embedding(tokens))
        x = (torch.cat([x, state["feed"]], -1) if self.input_feeding else x)[:, None, :]
        if "c" in state:  # LSTM: hidden and cell state
            out, (h, c) = self.lstm(x, (_rnn_layout(state["h"]), _rnn_layout(state["c"])))
            carried = {"h": h.transpose(0, 1), "c": c.transpose(0, 1)}
        else:  # GRU: hidden state only
            out, h = self.lstm(x, _rnn_layout(state["h"]))
            carried = {"h": h.transpose(0, 1)}
        hidden, weights = self._attend(out[:, 0], state)
        return hidden, {**state, **carried, "feed": hidden, "attention": weights}

    def _attend(self, out: torch.Tensor, state: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """RNN outputs [B, dim] or [B, T, dim] -> attentional hidden states of the same shape, and
        the attention weights over the memory ([B, S] or [B, T, S])."""
        context, weights = self.attention(out, state["memory"], state["projected"], state["mask"])
        return self.dropout(torch.tanh(self.combine(torch.cat([out, context], -1)))), weights

    def forward(self, tokens: torch.Tensor, memory: torch.Tensor, memory_mask: torch.Tensor,
                return_attention: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Teacher-forced pass: step by step with input feeding (each step reads the last one's
        attentional state), else the RNN runs over the whole sequence in one call and the
        attention over all positions at once. With `return_attention`, also the attention
        weights [B, T, S] (pictures of what the decoder read)."""
        state = self.init_state(memory, memory_mask)
        if not self.input_feeding:
            out, _ = self.lstm(self.dropout(self.embedding(tokens)))
            hidden, weights = self._attend(out, state)
            return (hidden, weights) if return_attention else hidden
        outputs, weights = [], []
        for t in range(tokens.shape[1]):
            hidden, state = self.step(tokens[:, t], state)
            outputs.append(hidden)
            weights.append(state["attention"])
        hidden = torch.stack(outputs, 1)
        return (hidden, torch.stack(weights, 1)) if return_attention else hidden


def _rnn_layout(state: torch.Tensor) -> torch.Tensor:
    """A state stored batch-first [B, layers, D] in the [layers, B, D] layout torch's RNNs take."""
    return state.transpose(0, 1).contiguous()
