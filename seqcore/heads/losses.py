"""Losses shared by the heads: label-smoothed token cross-entropy, guided attention."""
from __future__ import annotations

import torch


def label_smoothed_nll(log_probs: torch.Tensor, target: torch.Tensor, epsilon: float,
                       ignore_index: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy against (1 - eps) * one-hot + eps * uniform, summed over non-ignored tokens.

    log_probs [N, V], target [N]. Returns (smoothed loss sum, plain NLL sum); the caller
    normalizes (by token count), so that sums stay exact under gradient accumulation.
    """
    keep = target != ignore_index
    log_probs, target = log_probs[keep], target[keep]
    nll = -log_probs.gather(1, target[:, None]).squeeze(1)
    uniform = -log_probs.mean(1)
    loss = (1.0 - epsilon) * nll + epsilon * uniform
    return loss.sum(), nll.sum()


def guided_attention_weights(decoder_lengths: torch.Tensor, source_lengths: torch.Tensor, steps: int,
                             sources: int, sigma: float) -> torch.Tensor:
    """[B, steps, sources]: 1 - exp(-(s/S - t/T)^2 / (2 sigma^2)) inside each example's T x S, 0 outside."""
    t = torch.arange(steps, device=decoder_lengths.device)[None, :, None] / decoder_lengths[:, None, None].float()
    s = torch.arange(sources, device=decoder_lengths.device)[None, None, :] / source_lengths[:, None, None].float()
    weights = 1.0 - torch.exp(-((s - t) ** 2) / (2 * sigma ** 2))
    inside = (t < 1.0) & (s < 1.0)
    return weights * inside


def guided_attention_loss(alignment: torch.Tensor, decoder_lengths: torch.Tensor, source_lengths: torch.Tensor,
                          sigma: float) -> torch.Tensor:
    """Guided attention (Tachibana et al. 2018): attention weights [B, steps, sources] far from the
    diagonal s/S = t/T are penalized, summed and divided by the real decoder steps. Heads whose
    alignment is monotonic and roughly even (speech frames, text-line columns) learn it after
    hundreds of steps instead of thousands."""
    guide = guided_attention_weights(decoder_lengths, source_lengths, alignment.shape[1], alignment.shape[2], sigma)
    return (alignment * guide).sum() / decoder_lengths.sum()
