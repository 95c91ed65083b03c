"""Frames head (Tacotron 2): an autoregressive frame decoder over the encoder states, for targets
that are continuous frames (mel spectrograms) instead of tokens.

Targets are FloatTensor [B, T, F] (Batch.target, padded; Batch.target_lengths real frame counts).
Each decoder step predicts `reduction` frames and one stop logit (`seqcore.modules.tacotron`);
a residual conv postnet refines the whole spectrogram. The loss is, over real frames,
L1 (or MSE) before + after the postnet, plus BCE on the stop logits (1 from the step that holds
the last real frame on, padded steps included, so the stop stays on) and, with
`guided_attention_weight` > 0, the guided-attention loss of Tachibana et al. (2018): attention far
from the diagonal n/N = t/T is penalized by 1 - exp(-(n/N - t/T)^2 / 2g^2), which makes the
alignment appear after hundreds of steps instead of thousands on small data.

Search interface (seqcore.search.frames_search): `init_state(encoded, attention_window=0)`, `step(previous_frame,
state) -> (frames [B, r, F], stop logit [B], attention [B, S], state)`, `refine(frames)` (postnet).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqcore.data.batch import Batch
from seqcore.heads.losses import guided_attention_loss
from seqcore.modules.state import EncoderOutput
from seqcore.modules.tacotron import FrameDecoder, Postnet

LOSSES = {"l1": F.l1_loss, "mse": F.mse_loss}


class FramesHead(nn.Module):
    # loss terms that are metrics of a split (logged by validation and test as "<split>/<key>")
    teacher_forced_metrics = ("mel_l1",)

    def __init__(self, encoder_dim: int, frame_dim: int = 80, reduction: int = 3, prenet_dim: int = 256,
                 attention_rnn_dim: int = 512, decoder_rnn_dim: int = 512, attention_dim: int = 128,
                 location_filters: int = 32, location_kernel: int = 31, decoder_dropout: float = 0.1,
                 postnet_channels: int = 512, postnet_layers: int = 5, postnet_dropout: float = 0.5,
                 loss: str = "l1", stop_weight: float = 1.0, stop_pos_weight: float = 5.0,
                 guided_attention_weight: float = 1.0, guided_attention_sigma: float = 0.2,
                 scheduled_sampling: float = 0.0):
        super().__init__()
        if loss not in LOSSES:
            raise ValueError(f"unknown frames loss {loss!r}; valid: {', '.join(LOSSES)}")
        self.frame_dim, self.reduction = frame_dim, reduction
        self.decoder = FrameDecoder(frame_dim, encoder_dim, reduction, prenet_dim, attention_rnn_dim,
                                    decoder_rnn_dim, attention_dim, location_filters, location_kernel,
                                    decoder_dropout)
        self.postnet = Postnet(frame_dim, postnet_channels, postnet_layers, dropout=postnet_dropout)
        self.frame_loss = LOSSES[loss]
        self.stop_weight, self.stop_pos_weight = stop_weight, stop_pos_weight
        self.guided_attention_weight, self.guided_attention_sigma = guided_attention_weight, guided_attention_sigma
        self.scheduled_sampling = scheduled_sampling

    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        target, lengths = batch.target, batch.target_lengths
        padded = -(-target.shape[1] // self.reduction) * self.reduction
        target = F.pad(target, (0, 0, 0, padded - target.shape[1]))
        sampling = self.scheduled_sampling if self.training else 0.0  # validation's mel_l1 stays teacher-forced
        before, stop_logits, alignment = self.decoder(encoded.states, encoded.mask, target, sampling)
        after = self.refine(before)
        mask = (torch.arange(padded, device=target.device)[None, :] < lengths[:, None])[..., None]
        count = mask.sum() * self.frame_dim
        before_loss = (self.frame_loss(before, target, reduction="none") * mask).sum() / count
        after_loss = (self.frame_loss(after, target, reduction="none") * mask).sum() / count
        steps = -(-lengths // self.reduction)  # decoder steps holding real frames
        stop_target = (torch.arange(stop_logits.shape[1], device=target.device)[None, :] >= steps[:, None] - 1)
        stop_loss = F.binary_cross_entropy_with_logits(stop_logits.float(), stop_target.float(),
                                                       pos_weight=stop_logits.new_tensor(self.stop_pos_weight))
        loss = before_loss + after_loss + self.stop_weight * stop_loss
        logs = {"mel_l1": (after - target).abs().mul(mask).sum().detach() / count,
                "frames_loss_before": before_loss.detach(), "frames_loss_after": after_loss.detach(),
                "stop_loss": stop_loss.detach(), "target_frames": lengths.sum()}
        if self.guided_attention_weight > 0:
            guided = guided_attention_loss(alignment, steps, encoded.lengths, self.guided_attention_sigma)
            loss = loss + self.guided_attention_weight * guided
            logs["guided_attention"] = guided.detach()
        return loss, logs

    def init_frame_state(self, encoded: EncoderOutput, attention_window: int = 0) -> dict:
        return self.decoder.init_state(encoded.states, encoded.mask, attention_window)

    def frame_step(self, previous_frame: torch.Tensor, state: dict):
        return self.decoder.step(previous_frame, state)

    def refine(self, frames: torch.Tensor) -> torch.Tensor:
        """The postnet's residual correction of decoder frames [B, T, F]."""
        return self.postnet(frames)
