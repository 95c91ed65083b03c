"""Losses shared by the heads: label-smoothed token cross-entropy, guided attention."""
from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable


def label_smoothed_nll(logits: torch.Tensor, target: torch.Tensor, epsilon: float,
                       ignore_index: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy against (1 - eps) * one-hot + eps * uniform, summed over non-ignored tokens.

    logits [N, V] (log-probabilities are logits too), target [N]. Returns (smoothed loss sum,
    plain NLL sum, not differentiable); the caller normalizes (by token count), so that sums
    stay exact under gradient accumulation.
    """
    return _LabelSmoothedNLL.apply(logits, target, epsilon, ignore_index)


class _LabelSmoothedNLL(torch.autograd.Function):
    """One log-softmax, whose memory then holds the gradient softmax - (1 - eps) * one-hot - eps / V,
    written in two passes. Autograd over the separate log-softmax, selection of the kept rows, gather
    and mean wrote five fresh [N, V] tensors in the backward pass, and one of tens of MB costs page
    faults as well as a pass: with 8,000 words the loss took a sixth of a CPU training step."""

    @staticmethod
    def forward(ctx, logits, target, epsilon, ignore_index):
        keep = target != ignore_index
        target = target.masked_fill(~keep, 0)
        log_probs = logits.log_softmax(1)
        nll = -log_probs.gather(1, target[:, None]).squeeze(1).masked_fill(~keep, 0.0).sum()
        uniform = -log_probs.mean(1).masked_fill(~keep, 0.0).sum()
        ctx.save_for_backward(log_probs, target, keep)
        ctx.epsilon = epsilon
        ctx.mark_non_differentiable(nll)
        return (1.0 - epsilon) * nll + epsilon * uniform, nll

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_loss, _):
        log_probs, target, keep = ctx.saved_tensors  # the function's own tensor: free to overwrite
        scale = (grad_loss * keep)[:, None]
        grad = torch.addcmul(scale * (-ctx.epsilon / log_probs.shape[1]), log_probs.exp_(), scale, out=log_probs)
        grad.scatter_add_(1, target[:, None], -(1.0 - ctx.epsilon) * scale)
        return grad, None, None, None


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
