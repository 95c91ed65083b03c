"""What every search shares: the hypothesis record, length limits and the token constraints."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID
from seqcore.errors import ConfigError


@dataclass
class Hypothesis:
    tokens: list[int]  # without BOS/EOS
    score: float  # the ranking score (length-normalized for beam search)
    log_prob: float  # the model's total log-probability, EOS included
    timestamps: list[int] | None = None  # encoder frame of each token, for heads aligned to frames (CTC, transducer)
    frames: torch.Tensor | None = None  # FloatTensor[T, F]: the output of a frames head (TTS), `tokens` empty
    alignment: torch.Tensor | None = None  # FloatTensor[T, S]: attention of each output step over the source,
    #                                        for searches that record it (pictures of what the model looked at)


def max_lengths(source_lengths: torch.Tensor, max_len_a: float, max_len_b: int) -> torch.Tensor:
    """Per-sentence output cap a * source_length + b (as in fairseq), at least 1."""
    return (max_len_a * source_lengths.float() + max_len_b).long().clamp(min=1)


def constrain(log_probs: torch.Tensor, step: int, min_length: int, at_max: torch.Tensor) -> torch.Tensor:
    """Forbid PAD/BOS, forbid EOS before min_length, and force EOS on rows that reached their cap.

    The scores are copied, not changed in place: they are the head's, which may keep them."""
    banned = (PAD_ID, BOS_ID, EOS_ID) if step < min_length else (PAD_ID, BOS_ID)
    log_probs = log_probs.index_fill(1, torch.tensor(banned, device=log_probs.device), float("-inf"))
    if at_max.any():
        eos = log_probs[at_max, EOS_ID].clamp(min=-1e4)  # keep the real EOS score, never -inf
        log_probs[at_max] = float("-inf")
        log_probs[at_max, EOS_ID] = eos
    return log_probs


def block_repeated_ngrams(log_probs: torch.Tensor, history: torch.Tensor, size: int) -> torch.Tensor:
    """Forbid tokens that would repeat an n-gram of `size` already in each row's history [N, t]."""
    if size <= 0 or history.shape[1] < size:
        return log_probs
    windows = history.unfold(1, size, 1)  # [N, t - size + 1, size]
    suffix = history[:, history.shape[1] - size + 1:]  # the last size - 1 tokens
    matches = (windows[:, :, :-1] == suffix[:, None, :]).all(-1)
    rows, positions = matches.nonzero(as_tuple=True)
    log_probs = log_probs.clone()
    log_probs[rows, windows[rows, positions, -1]] = float("-inf")
    return log_probs


def check_search(head, search, key: str) -> None:
    """Fail before decoding when a configured search cannot decode the chosen head: the head must
    implement the protocol the search decodes (`seqcore.heads.capabilities`)."""
    function = getattr(search, "func", search)
    if not isinstance(head, function.decodes):
        raise ConfigError(f"{key}: {function.__name__} cannot decode a {type(head).__name__} (it decodes "
                          f"{function.decodes.__name__} heads); searches for this head: {', '.join(searches_for(head))}")
    check_coverage_penalty(head, getattr(search, "keywords", {}).get("coverage_penalty", 0.0))


def searches_for(head) -> list[str]:
    """Names of the searches that can decode `head`."""
    from seqcore.search import SEARCHES  # the package imports this module
    return [search.__name__ for search in SEARCHES if isinstance(head, search.decodes)]


def check_coverage_penalty(head, coverage_penalty: float) -> None:
    """A decoding-time coverage penalty needs a head that tracks coverage in its search state."""
    if coverage_penalty and not getattr(head, "coverage", False):
        raise ConfigError(f"search.coverage_penalty={coverage_penalty} needs a head that tracks attention "
                          f"coverage (head=pointer_coverage, or head=pointer head.coverage=true); "
                          f"set search.coverage_penalty=0 for {type(head).__name__}")
