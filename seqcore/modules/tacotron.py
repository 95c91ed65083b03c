"""Tacotron 2 building blocks (Shen et al. 2018): the pieces of a model whose outputs are frames.

- `TacotronEncoder`: conv stack (conv + batch norm + ReLU + dropout) then a BiLSTM, over embedded
  characters or phonemes; an encoder like the others (`forward(x, mask) -> (states, mask)`).
- `Prenet`: two ReLU layers whose dropout stays on at inference too, as in the paper: the noise
  is what keeps the autoregressive decoder from copying its own previous frame.
- `LocationSensitiveAttention`: additive attention whose energies also see convolutional features
  of the previous and cumulative attention weights (Chorowski et al. 2015), so attention is
  pushed to move forward monotonically through the text.
- `FrameDecoder`: attention LSTM + decoder LSTM cells, projecting each step to `reduction` frames
  and a stop logit; `init_state` / `step` give the incremental interface a search drives, and
  `forward` teacher-forces a whole target with the same `step`.
- `Postnet`: a residual conv stack that refines the whole predicted spectrogram at once.

Decoding state follows seqcore's convention (tensors with the batch on dim 0), so
`seqcore.modules.state.select_rows` works on it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqcore.modules.padded_rnn import PaddedRNN


class TacotronEncoder(nn.Module):
    def __init__(self, dim: int = 256, conv_layers: int = 3, kernel_size: int = 5, dropout: float = 0.5):
        super().__init__()
        if dim % 2:
            raise ValueError(f"TacotronEncoder needs an even dim (BiLSTM halves), got {dim}")
        self.dim = dim
        self.convs = nn.ModuleList(nn.Sequential(nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2),
                                                 nn.BatchNorm1d(dim), nn.ReLU(), nn.Dropout(dropout))
                                   for _ in range(conv_layers))
        self.lstm = PaddedRNN("lstm", dim, dim // 2)

    @property
    def output_dim(self) -> int:
        return self.dim

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        keep = mask[:, None, :].to(x.dtype)
        h = x.transpose(1, 2)
        for conv in self.convs:
            h = conv(h * keep)  # padded positions stay zero so they never leak into real ones
        return self.lstm(h.transpose(1, 2), mask), mask


class Prenet(nn.Module):
    def __init__(self, input_dim: int, dim: int = 256, layers: int = 2, dropout: float = 0.5):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(input_dim if i == 0 else dim, dim) for i in range(layers))
        self.dropout = dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = F.dropout(F.relu(layer(x)), self.dropout, training=True)  # on at inference: Tacotron 2, sec. 2.3
        return x


class LocationSensitiveAttention(nn.Module):
    def __init__(self, query_dim: int, memory_dim: int, dim: int = 128, filters: int = 32, kernel_size: int = 31):
        super().__init__()
        self.query = nn.Linear(query_dim, dim, bias=False)
        self.memory = nn.Linear(memory_dim, dim, bias=False)
        self.location_conv = nn.Conv1d(2, filters, kernel_size, padding=kernel_size // 2, bias=False)
        self.location = nn.Linear(filters, dim, bias=False)
        self.v = nn.Linear(dim, 1)

    def project_memory(self, memory: torch.Tensor) -> torch.Tensor:
        return self.memory(memory)

    def forward(self, query, memory, projected_memory, mask, previous, cumulative):
        """query [B, Q]; memory [B, S, M]; previous / cumulative weights [B, S] -> (context [B, M], weights [B, S])."""
        location = self.location(self.location_conv(torch.stack([previous, cumulative], 1)).transpose(1, 2))
        energies = self.v(torch.tanh(self.query(query)[:, None, :] + projected_memory + location)).squeeze(-1)
        weights = energies.float().masked_fill(~mask, float("-inf")).softmax(-1).to(memory.dtype)
        return torch.bmm(weights[:, None, :], memory).squeeze(1), weights


class FrameDecoder(nn.Module):
    def __init__(self, frame_dim: int, memory_dim: int, reduction: int = 3, prenet_dim: int = 256,
                 attention_rnn_dim: int = 512, decoder_rnn_dim: int = 512, attention_dim: int = 128,
                 location_filters: int = 32, location_kernel: int = 31, dropout: float = 0.1):
        super().__init__()
        self.frame_dim, self.reduction = frame_dim, reduction
        self.prenet = Prenet(frame_dim, prenet_dim)
        self.attention_rnn = nn.LSTMCell(prenet_dim + memory_dim, attention_rnn_dim)
        self.attention = LocationSensitiveAttention(attention_rnn_dim, memory_dim, attention_dim, location_filters,
                                                    location_kernel)
        self.decoder_rnn = nn.LSTMCell(attention_rnn_dim + memory_dim, decoder_rnn_dim)
        self.dropout = nn.Dropout(dropout)  # zoneout's simpler cousin on the cell outputs
        self.projection = nn.Linear(decoder_rnn_dim + memory_dim, frame_dim * reduction)
        self.stop = nn.Linear(decoder_rnn_dim + memory_dim, 1)

    def init_state(self, memory: torch.Tensor, mask: torch.Tensor, attention_window: int = 0) -> dict:
        """`attention_window` > 0 (inference only): each step may attend only from one position before
        the previous step's peak to `attention_window` after it, which keeps free-running attention
        monotonic when the model's own alignment is still unsure (the "windowing" of open Tacotron
        implementations)."""
        batch, length, width = memory.shape

        def zeros(size):
            return memory.new_zeros(batch, size)
        attention_size, decoder_size = self.attention_rnn.hidden_size, self.decoder_rnn.hidden_size
        state = {"memory": memory, "projected": self.attention.project_memory(memory), "mask": mask,
                 "attention_h": zeros(attention_size), "attention_c": zeros(attention_size),
                 "decoder_h": zeros(decoder_size), "decoder_c": zeros(decoder_size),
                 "context": zeros(width), "weights": zeros(length), "cumulative": zeros(length)}
        if attention_window > 0:
            state["window"] = attention_window
        return state

    def step(self, previous_frame: torch.Tensor, state: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, dict]:
        """previous_frame [B, F] (zeros at the start) -> (frames [B, r, F], stop logit [B], weights [B, S], state)."""
        x = torch.cat([self.prenet(previous_frame), state["context"]], -1)
        attention_h, attention_c = self.attention_rnn(x, (state["attention_h"], state["attention_c"]))
        attention_h = self.dropout(attention_h)
        mask = state["mask"]
        if "window" in state:
            peak = state["weights"].argmax(-1, keepdim=True)
            positions = torch.arange(mask.shape[1], device=mask.device)[None, :]
            mask = mask & (positions >= peak - 1) & (positions <= peak + state["window"])
        context, weights = self.attention(attention_h, state["memory"], state["projected"], mask,
                                          state["weights"], state["cumulative"])
        decoder_h, decoder_c = self.decoder_rnn(torch.cat([attention_h, context], -1),
                                                (state["decoder_h"], state["decoder_c"]))
        decoder_h = self.dropout(decoder_h)
        out = torch.cat([decoder_h, context], -1)
        frames = self.projection(out).view(-1, self.reduction, self.frame_dim)
        state = {**state, "attention_h": attention_h, "attention_c": attention_c, "decoder_h": decoder_h,
                 "decoder_c": decoder_c, "context": context, "weights": weights,
                 "cumulative": state["cumulative"] + weights}
        return frames, self.stop(out).squeeze(-1), weights, state

    def forward(self, memory: torch.Tensor, mask: torch.Tensor, target: torch.Tensor, sampling: float = 0.0):
        """Teacher forcing: target [B, steps * r, F] -> frames [B, steps * r, F], stop logits [B, steps],
        attention [B, steps, S]. Step t is fed the last frame of target step t - 1, or with probability
        `sampling` (per example and step) the decoder's own last frame of step t - 1, detached: scheduled
        sampling (Bengio et al. 2015), so that training sees the frames free-running synthesis feeds back."""
        batch, frames, _ = target.shape
        steps = frames // self.reduction
        inputs = torch.cat([target.new_zeros(batch, 1, self.frame_dim),
                            target[:, self.reduction - 1:-1:self.reduction]], 1)  # [B, steps, F]
        state, outputs, stops, alignments = self.init_state(memory, mask), [], [], []
        for t in range(steps):
            previous = inputs[:, t]
            if sampling > 0 and t > 0:
                own = torch.rand(batch, 1, device=target.device) < sampling
                previous = torch.where(own, outputs[-1][:, -1].detach(), previous)
            out, stop, weights, state = self.step(previous, state)
            outputs.append(out)
            stops.append(stop)
            alignments.append(weights)
        return torch.cat(outputs, 1), torch.stack(stops, 1), torch.stack(alignments, 1)


class Postnet(nn.Module):
    """Residual refinement of a spectrogram [B, T, F] by `layers` 1-D convolutions (batch norm + tanh
    between them). The last convolution starts at zero, so the postnet starts as the identity and
    only learns corrections: early in training a random residual would otherwise add noise."""

    def __init__(self, frame_dim: int, channels: int = 512, layers: int = 5, kernel_size: int = 5,
                 dropout: float = 0.5):
        super().__init__()
        sizes = [frame_dim] + [channels] * (layers - 1)
        self.convs = nn.ModuleList(nn.Sequential(nn.Conv1d(sizes[i], sizes[i + 1], kernel_size, padding=kernel_size // 2),
                                                 nn.BatchNorm1d(sizes[i + 1]), nn.Tanh(), nn.Dropout(dropout))
                                   for i in range(layers - 1))
        self.output = nn.Conv1d(sizes[-1], frame_dim, kernel_size, padding=kernel_size // 2)
        nn.init.zeros_(self.output.weight)
        nn.init.zeros_(self.output.bias)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        h = frames.transpose(1, 2)
        for conv in self.convs:
            h = conv(h)
        return frames + self.output(h).transpose(1, 2)
