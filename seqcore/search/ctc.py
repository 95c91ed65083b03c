"""Decoding a CTC head: best path (greedy) and prefix beam search, batched over utterances.

Both read `head.log_probs(encoded) -> (log_probs [B, T, V], lengths [B])`, with the blank at
`BLANK_ID`, and return labelings without blanks. Timestamps are frame indices of those log-probs
(with an upsampling head, encoder frame * upsample + offset).

The prefix beam search (Hannun et al. 2014, "First-Pass Large Vocabulary Continuous Speech
Recognition using Bi-Directional Recurrent DNNs"), here without a language model, keeps K
prefixes per utterance, each with log p_blank and log p_nonblank, the probability of the frames
so far ending in a blank or in the prefix's last token. All utterances x beams x candidate
tokens advance together in tensors, one frame at a time. To stay vectorized:

- prefixes are told apart by a 64-bit polynomial hash of their tokens; each beam also keeps its
  parent's hash (its tokens but the last), so the alignments that reach a beam from its parent
  beam are found, and merged into it, in one [K x K] comparison per utterance. Two different
  live prefixes would have to collide in all 64 bits to be confused;
- new prefixes are proposed only with each frame's `beam_size` most probable non-blank tokens
  (merging into existing beams is not restricted);
- tokens are recovered at the end from per-frame back-pointers.

A token's timestamp is the frame at which it was appended along the prefix's dominant history:
when a beam's parent emits the beam's last token anew, the two sets of alignments merge and the
beam keeps the history (so the timestamps) of whichever carried more probability. On peaky
outputs this is the frame where the token's spike starts, as in greedy search.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F

from seqcore.heads.capabilities import FrameAligned, decodes
from seqcore.heads.ctc import BLANK_ID
from seqcore.search.common import Hypothesis

_HASH_MULTIPLIER = 0x9E3779B97F4A7C15 - 2**64  # odd 64-bit constant, as a signed int64
_NO_TOKEN = -1  # back-pointer entry of a frame that appended no token


@decodes(FrameAligned)
@torch.no_grad()
def ctc_greedy_search(head, encoded) -> list[list[Hypothesis]]:
    """The best path, collapsed: score and log_prob are the log-probability of that one path."""
    log_probs, lengths = head.log_probs(encoded)
    best, tokens = log_probs.max(-1)
    real = torch.arange(log_probs.shape[1], device=lengths.device) < lengths[:, None]
    previous = F.pad(tokens[:, :-1], (1, 0), value=BLANK_ID)
    emitted = real & (tokens != BLANK_ID) & (tokens != previous)
    scores = best.masked_fill(~real, 0.0).sum(1).tolist()
    return [[Hypothesis(row_tokens, score, score, row_frames)]
            for (row_tokens, row_frames), score in zip(_emissions(tokens, emitted), scores)]


class _Prefixes(NamedTuple):
    """K prefixes per utterance; every field is [B, K]."""
    blank: torch.Tensor  # log p of the frames so far ending in a blank
    nonblank: torch.Tensor  # ... ending in the prefix's last token
    last: torch.Tensor  # the last token (BLANK_ID for the empty prefix)
    hash: torch.Tensor  # polynomial hash of the tokens, 0 for the empty prefix
    parent_hash: torch.Tensor  # hash of the tokens but the last (unused for the empty prefix)

    @property
    def total(self) -> torch.Tensor:
        return torch.logaddexp(self.blank, self.nonblank)

    def before_new_emission(self, tokens: torch.Tensor) -> torch.Tensor:
        """[B, K, X]: log p of each prefix in a state where token [B, X] starts a new emission.

        After the prefix's own last token, that takes a blank in between (a-a), else either ending will do.
        """
        repeat = tokens[:, None, :] == self.last[:, :, None]
        return torch.where(repeat, self.blank[:, :, None], self.total[:, :, None])


@decodes(FrameAligned)
@torch.no_grad()
def ctc_prefix_beam_search(head, encoded, beam_size: int = 8, nbest: int = 1,
                           prune_threshold: float | None = None) -> list[list[Hypothesis]]:
    """Labelings ranked by total probability (all their alignments that survived the beam).

    `prune_threshold`: a frame proposes no new prefix with a token whose log-probability is
    below it (like pyctcdecode's `token_min_logp`); None lets all `beam_size` proposals through.
    """
    log_probs, lengths = head.log_probs(encoded)
    batch, frames, vocab = log_probs.shape
    device = log_probs.device
    empty = torch.full((batch, beam_size), float("-inf"), device=device)
    empty[:, 0] = 0.0
    hashes = torch.zeros(batch, beam_size, dtype=torch.long, device=device)
    prefixes = _Prefixes(blank=empty, nonblank=torch.full_like(empty, float("-inf")),
                         last=torch.full_like(hashes, BLANK_ID), hash=hashes, parent_hash=hashes)
    proposal_log_probs, proposals = log_probs[:, :, BLANK_ID + 1:].topk(min(beam_size, vocab - 1), dim=2)
    proposals += BLANK_ID + 1
    if prune_threshold is not None:
        proposal_log_probs = proposal_log_probs.masked_fill(proposal_log_probs < prune_threshold, float("-inf"))
    unchanged = torch.arange(beam_size, device=device).expand(batch, -1)
    all_active = int(lengths.min()) if batch else 0  # frames every utterance still has
    parents, appended = [], []
    for t in range(frames):
        advanced, parent, token = _advance(prefixes, log_probs[:, t], proposals[:, t], proposal_log_probs[:, t])
        if t >= all_active:  # utterances past their end keep their prefixes
            active = (t < lengths)[:, None]
            advanced = _Prefixes(*(torch.where(active, new, old) for new, old in zip(advanced, prefixes)))
            parent, token = torch.where(active, parent, unchanged), token.masked_fill(~active, _NO_TOKEN)
        prefixes = advanced
        parents.append(parent)
        appended.append(token)
    return _read_out(prefixes, parents, appended, nbest)


def _advance(prefixes: _Prefixes, frame: torch.Tensor, tokens: torch.Tensor, token_log_probs: torch.Tensor):
    """One frame: the new prefixes, and for each its parent beam and the token it appended (or _NO_TOKEN).

    frame [B, V]: the frame's log-probs; tokens, token_log_probs [B, C]: the tokens it proposes for new prefixes.
    """
    batch, beams = prefixes.last.shape
    proposals = tokens.shape[1]
    live = prefixes.total.isfinite()
    own_token = frame.gather(1, prefixes.last)
    # staying: a blank, or a repeat of the last token, leaves the prefix as it is
    stay_blank = prefixes.total + frame[:, BLANK_ID, None]
    stay_nonblank = prefixes.nonblank + own_token
    # beam h is also reached from its parent beam k, if live, by a new emission of h's last token
    from_parent = ((prefixes.hash[:, :, None] == prefixes.parent_hash[:, None, :])  # [B, K (parent), K (child)]
                   & live[:, :, None] & live[:, None, :] & (prefixes.last != BLANK_ID)[:, None, :])
    merged = torch.where(from_parent, prefixes.before_new_emission(prefixes.last), float("-inf")).amax(1) + own_token
    has_parent = from_parent.any(1)
    parent_beam = (from_parent * torch.arange(beams, device=frame.device)[:, None]).sum(1)  # the one parent, if any
    takes_over = merged > torch.logaddexp(stay_blank, stay_nonblank)
    stay_nonblank = torch.logaddexp(stay_nonblank, merged)
    # new prefixes: each beam extended by each proposed token, except the extensions just merged
    extend = prefixes.before_new_emission(tokens) + token_log_probs[:, None, :]  # [B, K, C]
    proposed = prefixes.last[:, :, None] == tokens[:, None, :]  # [B, K (child), C]
    merged_slot = parent_beam * proposals + (proposed * torch.arange(proposals, device=frame.device)).sum(2)
    merged_slot = torch.where(has_parent & proposed.any(2), merged_slot, beams * proposals)  # else a spare slot
    was_merged = torch.zeros(batch, beams * proposals + 1, dtype=torch.bool, device=frame.device)
    was_merged.scatter_(1, merged_slot, True)
    extend = extend.view(batch, beams * proposals).masked_fill(was_merged[:, :-1], float("-inf"))

    pool = torch.cat([torch.logaddexp(stay_blank, stay_nonblank), extend], 1)
    chosen = pool.topk(beams, dim=1).indices
    stays = chosen < beams
    stay_index, extend_index = chosen.clamp(max=beams - 1), (chosen - beams).clamp(min=0)
    extend_beam, extend_token = extend_index // proposals, tokens.gather(1, extend_index % proposals)
    extend_parent_hash = prefixes.hash.gather(1, extend_beam)

    def pick(stay_values: torch.Tensor, extend_values: torch.Tensor) -> torch.Tensor:
        return torch.where(stays, stay_values.gather(1, stay_index), extend_values)

    new = _Prefixes(blank=pick(stay_blank, torch.full_like(stay_blank, float("-inf"))),
                    nonblank=pick(stay_nonblank, extend.gather(1, extend_index)),
                    last=pick(prefixes.last, extend_token),
                    hash=pick(prefixes.hash, extend_parent_hash * _HASH_MULTIPLIER + extend_token),
                    parent_hash=pick(prefixes.parent_hash, extend_parent_hash))
    # a stay whose parent's new emission outweighed its own paths takes the parent's history
    own_beam = torch.arange(beams, device=frame.device).expand(batch, -1)
    stay_parent = torch.where(takes_over, parent_beam, own_beam)
    stay_token = torch.where(takes_over, prefixes.last, _NO_TOKEN)
    return new, pick(stay_parent, extend_beam), pick(stay_token, extend_token)


def _read_out(prefixes: _Prefixes, parents: list, appended: list, nbest: int) -> list[list[Hypothesis]]:
    """Follow the back-pointers of the n best final beams (already sorted) to their tokens and frames."""
    batch = prefixes.last.shape[0]
    beam = torch.arange(nbest, device=prefixes.last.device).expand(batch, -1)
    path = []  # the token each of those beams appended at each frame, last frame first
    for parent, token in zip(reversed(parents), reversed(appended)):
        path.append(token.gather(1, beam))
        beam = parent.gather(1, beam)
    tokens = torch.stack(path[::-1], 2).view(batch * nbest, -1) if path else beam.new_empty(batch * nbest, 0)
    log_probs = prefixes.total[:, :nbest].flatten().tolist()
    hypotheses = [Hypothesis(row_tokens, log_prob, log_prob, row_frames)
                  for (row_tokens, row_frames), log_prob in zip(_emissions(tokens, tokens != _NO_TOKEN), log_probs)]
    return [[h for h in hypotheses[i * nbest:(i + 1) * nbest] if h.log_prob > float("-inf")] for i in range(batch)]


def _emissions(tokens: torch.Tensor, emitted: torch.Tensor) -> list[tuple[list[int], list[int]]]:
    """(tokens, frames) of the emitted entries of each row of tokens [R, T]."""
    rows, frames = emitted.nonzero(as_tuple=True)
    counts = emitted.sum(1).tolist()
    return list(zip((t.tolist() for t in tokens[rows, frames].split(counts)),
                    (f.tolist() for f in frames.split(counts))))
