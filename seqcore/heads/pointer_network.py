"""Pointer network head (Vinyals et al. 2015): the outputs are positions in the input.

When the answer is a sequence of input positions (sorting, convex hulls, extracted spans), no
output vocabulary can be fixed in advance: it grows with the input. The head scores the
encoder states themselves. Output id FIRST_POSITION_ID + j means "source position j" and
EOS_ID ends the output, so the generic greedy and beam searches drive it unchanged; each step
returns log-probs over [FIRST_POSITION_ID + S] with the other specials and the padded positions
at -inf.

The decoder is an LSTM whose input is the encoder state of the previously pointed position (a
learned start vector after BOS). Each step scores every encoder state e_j against the decoder
state d_i with Vinyals' additive attention u_j = v . tanh(W1 e_j + W2 d_i), and EOS the same way
against a learned end vector appended to the encoder states. With `mask_used`, positions
already pointed at are excluded (for permutation tasks, where each position comes exactly once).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqcore.data.batch import Batch
from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS
from seqcore.heads.attention import teacher_forcing_pair
from seqcore.modules.state import EncoderOutput

FIRST_POSITION_ID = len(SPECIAL_TOKENS)  # the output id of source position 0


class PointerNetworkHead(nn.Module):
    def __init__(self, encoder_dim: int, hidden_dim: int = 256, layers: int = 1, dropout: float = 0.0,
                 mask_used: bool = False):
        super().__init__()
        self.mask_used = mask_used
        self.start = nn.Parameter(torch.randn(encoder_dim) * encoder_dim ** -0.5)
        self.end = nn.Parameter(torch.randn(encoder_dim) * encoder_dim ** -0.5)
        self.lstm = nn.LSTM(encoder_dim, hidden_dim, num_layers=layers, batch_first=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.key = nn.Linear(encoder_dim, hidden_dim)  # W1
        self.query = nn.Linear(hidden_dim, hidden_dim, bias=False)  # W2
        self.score = nn.Linear(hidden_dim, 1, bias=False)  # v

    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        decoder_input, decoder_output = teacher_forcing_pair(batch.target, batch.target_lengths)
        log_probs = self.teacher_forced_log_probs(decoder_input, encoded)
        nll_sum = F.nll_loss(log_probs.flatten(0, 1), decoder_output.flatten(), ignore_index=PAD_ID, reduction="sum")
        tokens = (decoder_output != PAD_ID).sum()
        loss = nll_sum / tokens
        return loss, {"nll": loss.detach(), "target_tokens": tokens}

    def teacher_forced_log_probs(self, decoder_input: torch.Tensor, encoded: EncoderOutput) -> torch.Tensor:
        """decoder_input [B, T] (BOS, then the pointed ids) -> log-probs [B, T, FIRST_POSITION_ID + S]."""
        log_probs, _ = self._decode(decoder_input, self.init_state(encoded))
        return log_probs

    def init_state(self, encoded: EncoderOutput) -> dict:
        states, batch = encoded.states, encoded.states.shape[0]
        zeros = states.new_zeros(batch, self.lstm.num_layers, self.lstm.hidden_size)
        keys = torch.cat([states, self.end.expand(batch, 1, -1)], 1)
        state = {"memory": states, "keys": self.key(keys), "h": zeros, "c": zeros,
                 "allowed": F.pad(encoded.mask, (0, 1), value=True)}  # real positions, then the end key
        if self.mask_used:
            state["used"] = torch.zeros_like(state["allowed"])
        return state

    def step(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        log_probs, state = self._decode(tokens[:, None], state)
        return log_probs[:, 0], state

    def _decode(self, previous: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """Run the decoder over previous ids [B, T] from `state`: log-probs [B, T, FIRST_POSITION_ID + S]."""
        inputs = self._inputs(previous, state["memory"])
        hidden, (h, c) = self.lstm(self.dropout(inputs), (state["h"].transpose(0, 1).contiguous(),
                                                          state["c"].transpose(0, 1).contiguous()))
        state = {**state, "h": h.transpose(0, 1), "c": c.transpose(0, 1)}
        allowed = state["allowed"][:, None, :]
        if self.mask_used:
            used = state["used"][:, None, :] | (self._pointed(previous, allowed.shape[-1]).cumsum(1) > 0)
            state["used"] = used[:, -1]
            allowed = allowed & ~used
        query = self.query(self.dropout(hidden))
        scores = self.score(torch.tanh(state["keys"][:, None, :, :] + query[:, :, None, :])).squeeze(-1)
        log_probs = scores.float().masked_fill(~allowed, float("-inf")).log_softmax(-1)
        return self._as_output_ids(log_probs), state

    def _inputs(self, previous: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        """The decoder input of each step: the start vector after BOS, else the pointed encoder state."""
        positions = (previous - FIRST_POSITION_ID).clamp(min=0)
        pointed = memory.gather(1, positions[..., None].expand(-1, -1, memory.shape[-1]))
        return torch.where((previous == BOS_ID)[..., None], self.start.to(pointed.dtype), pointed)

    @staticmethod
    def _pointed(previous: torch.Tensor, keys: int) -> torch.Tensor:
        """One-hot [B, T, keys] of the position each previous id points at (all zero for specials)."""
        is_position = previous >= FIRST_POSITION_ID
        one_hot = F.one_hot((previous - FIRST_POSITION_ID).clamp(min=0), keys)
        return one_hot * is_position[..., None]

    @staticmethod
    def _as_output_ids(log_probs: torch.Tensor) -> torch.Tensor:
        """[.., S + 1] over (positions, end) -> [.., FIRST_POSITION_ID + S] over output ids."""
        specials = log_probs.new_full((*log_probs.shape[:-1], FIRST_POSITION_ID), float("-inf"))
        specials[..., EOS_ID] = log_probs[..., -1]
        return torch.cat([specials, log_probs[..., :-1]], -1)
