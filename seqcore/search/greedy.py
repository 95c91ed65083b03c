"""Greedy decoding for autoregressive heads: the fastest search, and beam search's reference at beam 1."""
from __future__ import annotations

import torch

from seqcore.data.vocab import BOS_ID, EOS_ID
from seqcore.modules.state import EncoderOutput
from seqcore.search.common import Hypothesis, constrain, max_lengths


@torch.no_grad()
def greedy_search(head, encoded: EncoderOutput, max_len_a: float = 1.2, max_len_b: int = 10,
                  min_length: int = 1) -> list[list[Hypothesis]]:
    batch = encoded.states.shape[0]
    limits = max_lengths(encoded.lengths, max_len_a, max_len_b)
    state = head.init_state(encoded)
    previous = torch.full((batch,), BOS_ID, dtype=torch.long, device=encoded.states.device)
    done = torch.zeros(batch, dtype=torch.bool, device=previous.device)
    total = torch.zeros(batch, device=previous.device)
    steps = []
    for step in range(int(limits.max()) + 1):
        log_probs, state = head.step(previous, state)
        log_probs = constrain(log_probs, step, min_length, limits <= step)
        best, token = log_probs.max(-1)
        total += torch.where(done, torch.zeros_like(best), best)
        token = torch.where(done, torch.full_like(token, EOS_ID), token)
        steps.append(token)
        done |= token == EOS_ID
        previous = token
        if done.all():
            break
    tokens = torch.stack(steps, 1).tolist()
    return [[Hypothesis(row[: row.index(EOS_ID)] if EOS_ID in row else row, float(score), float(score))]
            for row, score in zip(tokens, total.tolist())]
