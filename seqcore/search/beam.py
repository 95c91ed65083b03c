"""Batched beam search over sentences x beams, as a weighted sum of scorers, with diverse groups.

The search keeps K live beams per sentence in one [N*K] batch. Each step the weighted
scorers (`seqcore.search.scorers`) give every candidate token a score: the decoder with
weight 1 - ctc_weight, the CTC prefix scorer with weight ctc_weight on a pre-beam of the
decoder's best candidates, an optional length bonus and any extra scorer (an LM).
Per sentence the best 2K candidates are taken; those ending in EOS within the top K are
finished (scored with a length penalty score / length**alpha, as in fairseq), the best K
others continue. A sentence stops when it has K finished hypotheses or reaches its length
cap, and finished sentences are dropped from the batch, so a batch of mixed lengths does
not pay for its longest member at every step.

With `groups` = G > 1 this is diverse beam search (Vijayakumar et al. 2018): the K beams
form G groups chosen one after the other, and a group's candidates lose
`diversity_strength` for each earlier group that picked the same token at this step
(Hamming diversity). With G = 1 it is plain beam search.

With `coverage_penalty` = beta > 0 (for heads whose search state carries "coverage", the summed
attention over the source [N, S]: the pointer-generator with coverage), a finished hypothesis
also loses beta * sum_i max(c_i - 1, 0), the source attention it spent beyond once per word
(OpenNMT's "summary" coverage penalty, Gehrmann et al. 2018; cf. Wu et al. 2016): repeating
the same source content costs score.
"""
from __future__ import annotations

import torch

from seqcore.data.vocab import BOS_ID, EOS_ID
from seqcore.errors import ConfigError
from seqcore.heads.capabilities import Autoregressive, WithCTCBranch, decodes
from seqcore.modules.state import EncoderOutput
from seqcore.search.common import (Hypothesis, block_repeated_ngrams, check_coverage_penalty, constrain,
                                  max_lengths)
from seqcore.search.scorers import CTCPrefixScoring, DecoderScorer, LengthBonus


@decodes(Autoregressive)
@torch.no_grad()
def beam_search(head, encoded: EncoderOutput, beam_size: int = 5, max_len_a: float = 1.2,
                max_len_b: int = 10, min_length: int = 1, length_penalty: float = 1.0, nbest: int = 1,
                ctc_weight: float = 0.0, pre_beam_ratio: float = 1.5, length_bonus: float = 0.0,
                no_repeat_ngram_size: int = 0, groups: int = 1, diversity_strength: float = 0.5,
                coverage_penalty: float = 0.0, extra_scorers: tuple = ()) -> list[list[Hypothesis]]:
    if ctc_weight > 0.0 and not isinstance(head, WithCTCBranch):  # values are checked before work: seqcore/options.py
        raise ConfigError(f"search.ctc_weight={ctc_weight} needs a head with a CTC branch (head=hybrid)")
    check_coverage_penalty(head, coverage_penalty)
    batch, device, k = encoded.states.shape[0], encoded.states.device, beam_size
    scorers = [(1.0 - ctc_weight, DecoderScorer(head))] if ctc_weight < 1.0 else []
    scorers += [(ctc_weight, CTCPrefixScoring(head))] if ctc_weight > 0.0 else []
    scorers += [(length_bonus, LengthBonus())] if length_bonus else []
    scorers += list(extra_scorers)
    if ctc_weight == 1.0:  # the pre-beam still needs a full scorer: the decoder with weight 0
        scorers.insert(0, (0.0, DecoderScorer(head)))
    rows = torch.arange(batch, device=device).repeat_interleave(k)
    states = [scorer.init(encoded, rows) for _, scorer in scorers]
    limits = max_lengths(encoded.lengths, max_len_a, max_len_b)
    pre_beam = max(k, int(pre_beam_ratio * k))

    sentences = torch.arange(batch, device=device)  # original index of each live sentence
    scores = torch.full((batch, k), float("-inf"), device=device)
    scores[:, :: k // groups] = 0.0  # one live beam per group at the start
    history = torch.empty(batch * k, 0, dtype=torch.long, device=device)
    previous = torch.full((batch * k,), BOS_ID, dtype=torch.long, device=device)
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]

    for step in range(int(limits.max()) + 1):
        at_max = (limits[sentences] <= step).repeat_interleave(k)
        step_scores, new_states, candidates = _score_step(scorers, states, previous, pre_beam)
        step_scores = constrain(step_scores, step, min_length, at_max)
        step_scores = block_repeated_ngrams(step_scores, history, no_repeat_ngram_size)
        vocab = step_scores.shape[-1]
        total = (scores.view(-1, 1) + step_scores).view(len(sentences), k, vocab)
        top_scores, top_beam, top_token = _select(total, k // groups, groups, diversity_strength)
        is_eos = top_token == EOS_ID

        penalty = coverage_penalty * _over_coverage(new_states[0]) if coverage_penalty else None
        _finish(finished, sentences, history, top_scores, top_beam, is_eos, k // groups, k, step, length_penalty,
                penalty)
        done = torch.tensor([len(finished[s]) >= k for s in sentences.tolist()], device=device)
        done |= limits[sentences] <= step
        if done.all():
            break

        keep_scores, keep = top_scores.masked_fill(is_eos, float("-inf")).topk(k // groups, dim=2)
        keep_beam, keep_token = top_beam.gather(2, keep).flatten(1), top_token.gather(2, keep).flatten(1)
        alive = (~done).nonzero().squeeze(1)
        chosen_rows = (alive[:, None] * k + keep_beam[alive]).flatten()
        previous = keep_token[alive].flatten()
        states = [scorer.select(state, chosen_rows, _columns(scorer, candidates, chosen_rows, previous))
                  for (_, scorer), state in zip(scorers, new_states)]
        history = torch.cat([history[chosen_rows], previous[:, None]], 1)
        scores, sentences = keep_scores.flatten(1)[alive], sentences[alive]

    return [sorted(hyps, key=lambda h: -h.score)[:nbest] or _nothing_allowed() for hyps in finished]


def _nothing_allowed() -> list[Hypothesis]:
    """The n-best of a sentence no hypothesis of which could finish with a finite score (an output
    the CTC prefix scores cannot fit into so few encoder frames, say): an empty output scored -inf,
    so callers that read the best hypothesis of every sentence still find one."""
    return [Hypothesis([], float("-inf"), float("-inf"))]


def _score_step(scorers, states, previous, pre_beam):
    """Weighted sum of full scorers over the vocabulary, plus partial scorers on its pre-beam."""
    combined, new_states, candidates = None, [None] * len(scorers), None
    for index, ((weight, scorer), state) in enumerate(zip(scorers, states)):
        if not scorer.partial:
            result, new_states[index] = scorer.score(state, previous)
            term = result if weight == 1.0 else weight * result  # the decoder alone: no pass over [N, V]
            combined = term if combined is None else combined + term
    partial = [index for index, (_, scorer) in enumerate(scorers) if scorer.partial]
    if partial:
        candidate_scores, candidates = combined.topk(min(pre_beam, combined.shape[-1]), dim=-1)
        for index in partial:
            weight, scorer = scorers[index]
            gain, new_states[index] = scorer.score(states[index], previous, candidates)
            candidate_scores = candidate_scores + weight * gain
        combined = torch.full_like(combined, float("-inf")).scatter(1, candidates, candidate_scores)
    return combined, new_states, candidates


def _columns(scorer, candidates, rows, tokens):
    """What a scorer's `select` needs: token ids (full scorers) or the tokens' pre-beam positions."""
    if not scorer.partial:
        return tokens
    return (candidates[rows] == tokens[:, None]).int().argmax(1)


def _select(total, group_size, groups, diversity_strength):
    """Top 2*group_size candidates of each group: [n, G, 2*group_size] scores, beams, tokens."""
    n, k, vocab = total.shape
    used = torch.zeros(n, vocab, device=total.device) if groups > 1 else None
    picked_scores, picked_beams, picked_tokens = [], [], []
    for group in range(groups):
        group_total = total[:, group * group_size:(group + 1) * group_size]
        if group:  # the first group has no earlier one to differ from (plain beam search: the only group)
            group_total = group_total - diversity_strength * used[:, None, :]
        top_scores, top_index = group_total.reshape(n, -1).topk(2 * group_size, dim=1)
        tokens = top_index % vocab
        picked_scores.append(top_scores)
        picked_beams.append(group * group_size + top_index // vocab)
        picked_tokens.append(tokens)
        if group < groups - 1:
            continuing = tokens.masked_fill(tokens == EOS_ID, -1)[:, :group_size]
            used.scatter_add_(1, continuing.clamp(min=0), (continuing >= 0).float())
    return torch.stack(picked_scores, 1), torch.stack(picked_beams, 1), torch.stack(picked_tokens, 1)


def _over_coverage(decoder_state: dict) -> torch.Tensor:
    """[N] sum_i max(c_i - 1, 0) of the decoder's coverage (padding positions have c_i = 0)."""
    return (decoder_state["coverage"] - 1.0).clamp(min=0.0).sum(-1)


def _finish(finished, sentences, history, top_scores, top_beam, is_eos, group_size, k, step, length_penalty,
            penalty=None):
    """Record EOS candidates ranked within the top of their group as finished hypotheses; `penalty`
    [N] (the coverage penalty of each live row) is subtracted from their ranking score."""
    eos = is_eos[:, :, :group_size] & top_scores[:, :, :group_size].isfinite()
    eos_rows, eos_groups, eos_ranks = eos.nonzero(as_tuple=True)
    if not len(eos_rows):
        return
    beams = top_beam[eos_rows, eos_groups, eos_ranks]
    raw_scores = top_scores[eos_rows, eos_groups, eos_ranks].tolist()
    tokens = history[eos_rows * k + beams].tolist()
    normalizer = float(step + 1) ** length_penalty
    penalties = [0.0] * len(raw_scores) if penalty is None else penalty[eos_rows * k + beams].tolist()
    for row, raw, hyp_tokens, cost in zip(eos_rows.tolist(), raw_scores, tokens, penalties):
        sentence = int(sentences[row])
        if len(finished[sentence]) < k:
            finished[sentence].append(Hypothesis(hyp_tokens, raw / normalizer - cost, raw))
