"""Batched beam search over sentences x beams for any head with `init_state`/`step`.

The search keeps K live beams per sentence in one [N*K] batch. Each step it takes the top
2K candidates per sentence; candidates ending in EOS within the top K are finished (scored
with a length penalty score / length**alpha, as in fairseq), the best K others continue.
A sentence stops when it has K finished hypotheses or reaches its length cap, and finished
sentences are dropped from the batch (their state rows are selected away), so a batch of
mixed lengths does not pay for its longest member at every step.
"""
from __future__ import annotations

import torch

from seqcore.data.vocab import BOS_ID, EOS_ID
from seqcore.modules.state import EncoderOutput, select_rows
from seqcore.search.common import Hypothesis, constrain, max_lengths


@torch.no_grad()
def beam_search(head, encoded: EncoderOutput, beam_size: int = 5, max_len_a: float = 1.2,
                max_len_b: int = 10, min_length: int = 1, length_penalty: float = 1.0,
                nbest: int = 1) -> list[list[Hypothesis]]:
    if nbest > beam_size:
        raise ValueError(f"search.nbest={nbest} cannot exceed search.beam_size={beam_size}")
    batch, device, k = encoded.states.shape[0], encoded.states.device, beam_size
    limits = max_lengths(encoded.lengths, max_len_a, max_len_b)
    state = head.init_state(select_rows(encoded, torch.arange(batch, device=device).repeat_interleave(k)))
    sentences = torch.arange(batch, device=device)  # original index of each live sentence
    scores = torch.full((batch, k), float("-inf"), device=device)
    scores[:, 0] = 0.0
    history = torch.empty(batch * k, 0, dtype=torch.long, device=device)
    previous = torch.full((batch * k,), BOS_ID, dtype=torch.long, device=device)
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]

    for step in range(int(limits.max()) + 1):
        log_probs, state = head.step(previous, state)
        at_max = (limits[sentences] <= step).repeat_interleave(k)
        log_probs = constrain(log_probs, step, min_length, at_max)
        vocab = log_probs.shape[-1]
        candidates = (scores.view(-1, 1) + log_probs).view(len(sentences), k * vocab)
        top_scores, top_index = candidates.topk(2 * k, dim=1)
        top_beam, top_token = top_index // vocab, top_index % vocab
        is_eos = top_token == EOS_ID

        _finish(finished, sentences, history, top_scores, top_beam, is_eos, k, step, length_penalty)
        done = torch.tensor([len(finished[s]) >= k for s in sentences.tolist()], device=device)
        done |= limits[sentences] <= step
        if done.all():
            break

        keep_scores, keep = top_scores.masked_fill(is_eos, float("-inf")).topk(k, dim=1)
        keep_beam, keep_token = top_beam.gather(1, keep), top_token.gather(1, keep)
        alive = (~done).nonzero().squeeze(1)
        rows = (alive[:, None] * k + keep_beam[alive]).flatten()
        state = select_rows(state, rows)
        previous = keep_token[alive].flatten()
        history = torch.cat([history[rows], previous[:, None]], 1)
        scores, sentences = keep_scores[alive], sentences[alive]

    return [sorted(hyps, key=lambda h: -h.score)[:nbest] for hyps in finished]


def _finish(finished, sentences, history, top_scores, top_beam, is_eos, k, step, length_penalty):
    """Record EOS candidates ranked within the top K of their sentence as finished hypotheses."""
    eos_rows, eos_ranks = (is_eos[:, :k] & top_scores[:, :k].isfinite()).nonzero(as_tuple=True)
    if not len(eos_rows):
        return
    beams = top_beam[eos_rows, eos_ranks]
    raw_scores = top_scores[eos_rows, eos_ranks].tolist()
    tokens = history[eos_rows * k + beams].tolist()
    normalizer = float(step + 1) ** length_penalty
    for row, raw, hyp_tokens in zip(eos_rows.tolist(), raw_scores, tokens):
        sentence = int(sentences[row])
        if len(finished[sentence]) < k:
            finished[sentence].append(Hypothesis(hyp_tokens, raw / normalizer, raw))
