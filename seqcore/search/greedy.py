"""Single-path decoding for autoregressive heads: greedy (argmax) and top-k / top-p sampling.

Both follow one path per output, so they share one loop and differ only in how the next
token is picked. Greedy is the fastest search and beam search's reference at beam 1;
sampling gives varied outputs (data augmentation, back-translation) reproducibly by seed.
"""
from __future__ import annotations

from typing import Callable

import torch

from seqcore.data.vocab import BOS_ID, EOS_ID
from seqcore.heads.capabilities import Autoregressive, decodes
from seqcore.modules.state import EncoderOutput, select_rows
from seqcore.search.common import Hypothesis, block_repeated_ngrams, constrain, max_lengths


@decodes(Autoregressive)
@torch.no_grad()
def greedy_search(head, encoded: EncoderOutput, max_len_a: float = 1.2, max_len_b: int = 10,
                  min_length: int = 1, no_repeat_ngram_size: int = 0) -> list[list[Hypothesis]]:
    hypotheses = _decode_paths(head, encoded, lambda scores: scores.argmax(-1), max_len_a, max_len_b,
                               min_length, no_repeat_ngram_size)
    return [[h] for h in hypotheses]


@decodes(Autoregressive)
@torch.no_grad()
def sample_search(head, encoded: EncoderOutput, top_k: int = 0, top_p: float = 1.0, temperature: float = 1.0,
                  num_samples: int = 1, seed: int = 0, max_len_a: float = 1.2, max_len_b: int = 10,
                  min_length: int = 1, no_repeat_ngram_size: int = 0) -> list[list[Hypothesis]]:
    """`num_samples` samples per input, best log-probability first; top_k=0 and top_p=1 disable the filters."""
    generator = torch.Generator(device=encoded.states.device).manual_seed(seed)
    batch = encoded.states.shape[0]
    expanded = select_rows(encoded, torch.arange(batch, device=encoded.states.device).repeat_interleave(num_samples))

    def pick(scores: torch.Tensor) -> torch.Tensor:
        probs = _filtered(scores / temperature, top_k, top_p).softmax(-1)
        return torch.multinomial(probs, 1, generator=generator).squeeze(1)

    samples = _decode_paths(head, expanded, pick, max_len_a, max_len_b, min_length, no_repeat_ngram_size)
    return [sorted(samples[i * num_samples:(i + 1) * num_samples], key=lambda h: -h.log_prob)
            for i in range(batch)]


def _filtered(scores: torch.Tensor, top_k: int, top_p: float) -> torch.Tensor:
    """Keep the top_k tokens and the smallest set whose probability reaches top_p (nucleus)."""
    if top_k:
        kth = scores.topk(min(top_k, scores.shape[-1]), dim=-1).values[:, -1:]
        scores = scores.masked_fill(scores < kth, float("-inf"))
    if top_p < 1.0:
        sorted_scores, order = scores.sort(-1, descending=True)
        cumulative = sorted_scores.softmax(-1).cumsum(-1)
        drop = cumulative - sorted_scores.softmax(-1) >= top_p  # mass before this token already reached top_p
        scores = scores.scatter(1, order, sorted_scores.masked_fill(drop, float("-inf")))
    return scores


def _decode_paths(head, encoded: EncoderOutput, pick: Callable[[torch.Tensor], torch.Tensor], max_len_a: float,
                  max_len_b: int, min_length: int, no_repeat_ngram_size: int) -> list[Hypothesis]:
    rows = encoded.states.shape[0]
    device = encoded.states.device
    limits = max_lengths(encoded.lengths, max_len_a, max_len_b)
    state = head.init_state(encoded)
    previous = torch.full((rows,), BOS_ID, dtype=torch.long, device=device)
    done = torch.zeros(rows, dtype=torch.bool, device=device)
    total = torch.zeros(rows, device=device)
    history = torch.empty(rows, 0, dtype=torch.long, device=device)
    for step in range(int(limits.max()) + 1):
        log_probs, state = head.step(previous, state)
        log_probs = constrain(log_probs, step, min_length, limits <= step)
        scores = block_repeated_ngrams(log_probs, history, no_repeat_ngram_size)
        token = pick(scores)
        chosen = log_probs.gather(1, token[:, None]).squeeze(1)
        total += chosen.masked_fill(done, 0.0)
        token = token.masked_fill(done, EOS_ID)
        history = torch.cat([history, token[:, None]], 1)
        done |= token == EOS_ID
        previous = token
        if done.all():
            break
    return [Hypothesis(row[: row.index(EOS_ID)] if EOS_ID in row else row, float(score), float(score))
            for row, score in zip(history.tolist(), total.tolist())]
