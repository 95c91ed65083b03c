"""Token-level losses shared by the token heads."""
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
