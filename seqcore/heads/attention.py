"""Attention head: an autoregressive decoder over the encoder memory, trained with label smoothing.

With `guided_attention_weight` > 0 the decoder's attention is pulled toward the diagonal (the
guided-attention loss of the frames head): for monotonic tasks whose decoder cannot find its place
by content alone in a short budget, such as text-line OCR over hundreds of image columns. It needs
a decoder that reports its attention (`forward(..., return_attention=True)`: the LSTM decoder, and
the Transformer decoder's last layer averaged over heads).

It is also the reference implementation of the search interface every autoregressive head
exposes: `init_state(encoded)`, `step(tokens, state) -> (log_probs, state)`; reordering the
state for beams is generic (`seqcore.modules.state.select_rows`).
"""
from __future__ import annotations

import inspect

import torch
from torch import nn

from seqcore.data.batch import Batch
from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID
from seqcore.errors import ConfigError
from seqcore.heads.losses import guided_attention_loss, label_smoothed_nll
from seqcore.modules.state import EncoderOutput


def teacher_forcing_pair(target: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """target [B, T] (no BOS/EOS, PAD-padded) -> decoder input [BOS, y] and output [y, EOS], both [B, T+1]."""
    batch = target.shape[0]
    decoder_input = torch.cat([target.new_full((batch, 1), BOS_ID), target], 1)
    decoder_output = torch.cat([target, target.new_full((batch, 1), PAD_ID)], 1)
    decoder_output[torch.arange(batch, device=target.device), lengths] = EOS_ID
    return decoder_input, decoder_output


class AttentionHead(nn.Module):
    def __init__(self, decoder: nn.Module, vocab_size: int, label_smoothing: float = 0.1,
                 tie_embeddings: bool = True, guided_attention_weight: float = 0.0, guided_attention_sigma: float = 0.2):
        super().__init__()
        if guided_attention_weight > 0 and "return_attention" not in inspect.signature(decoder.forward).parameters:
            raise ConfigError(f"head.guided_attention_weight needs a decoder that reports its attention "
                              f"(LSTM or Transformer decoder); {type(decoder).__name__} does not")
        self.decoder = decoder
        self.label_smoothing = label_smoothing
        self.guided_attention_weight, self.guided_attention_sigma = guided_attention_weight, guided_attention_sigma
        self.projection = nn.Linear(decoder.dim, vocab_size, bias=False)
        if tie_embeddings:
            self.projection.weight = decoder.embedding.weight

    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        decoder_input, decoder_output = teacher_forcing_pair(batch.target, batch.target_lengths)
        guided = self.guided_attention_weight > 0
        out = self.decoder(decoder_input, encoded.states, encoded.mask, **({"return_attention": True} if guided else {}))
        hidden, alignment = out if guided else (out, None)
        logits = self.projection(hidden).float().flatten(0, 1)
        loss_sum, nll_sum = label_smoothed_nll(logits, decoder_output.flatten(), self.label_smoothing,
                                               ignore_index=PAD_ID)
        tokens = (decoder_output != PAD_ID).sum()
        loss, logs = loss_sum / tokens, {"nll": (nll_sum / tokens).detach(), "target_tokens": tokens}
        if guided:
            steps = batch.target_lengths + 1  # the outputs and EOS
            guide = guided_attention_loss(alignment.float(), steps, encoded.lengths, self.guided_attention_sigma)
            loss = loss + self.guided_attention_weight * guide
            logs["guided_attention"] = guide.detach()
        return loss, logs

    def init_state(self, encoded: EncoderOutput) -> dict:
        return self.decoder.init_state(encoded.states, encoded.mask)

    def step(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        hidden, state = self.decoder.step(tokens, state)
        return self.projection(hidden).float().log_softmax(-1), state
