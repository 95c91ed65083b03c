"""What every search shares: the hypothesis record, length limits and the token constraints."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID


@dataclass
class Hypothesis:
    tokens: list[int]  # without BOS/EOS
    score: float  # the ranking score (length-normalized for beam search)
    log_prob: float  # the model's total log-probability, EOS included
    timestamps: list[int] | None = None  # encoder frame of each token, for heads aligned to frames (CTC, transducer)


def max_lengths(source_lengths: torch.Tensor, max_len_a: float, max_len_b: int) -> torch.Tensor:
    """Per-sentence output cap a * source_length + b (as in fairseq), at least 1."""
    return (max_len_a * source_lengths.float() + max_len_b).long().clamp(min=1)


def constrain(log_probs: torch.Tensor, step: int, min_length: int, at_max: torch.Tensor) -> torch.Tensor:
    """Forbid PAD/BOS, forbid EOS before min_length, and force EOS on rows that reached their cap."""
    log_probs = log_probs.clone()
    log_probs[:, [PAD_ID, BOS_ID]] = float("-inf")
    if step < min_length:
        log_probs[:, EOS_ID] = float("-inf")
    if at_max.any():
        eos = log_probs[at_max, EOS_ID].clamp(min=-1e4)  # keep the real EOS score, never -inf
        log_probs[at_max] = float("-inf")
        log_probs[at_max, EOS_ID] = eos
    return log_probs
