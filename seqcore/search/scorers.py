"""Weighted scorers that beam search adds up (the design of ESPnet's BeamSearch, in one page).

A *full* scorer scores every vocabulary entry for each live hypothesis (the decoder, a length
bonus, an external LM). A *partial* scorer is too costly for that and scores only the
pre-beam: the top candidates of the full scorers (the CTC prefix scorer). Every scorer has

    init(encoded, rows)                 -> state        (rows: the beam's [N] rows of encoded)
    score(state, last_tokens)           -> ([N, V], new_state)                       # full
    score(state, last_tokens, cands)    -> ([N, C], new_state)                       # partial
    select(new_state, rows, columns)    -> state of the chosen hypotheses

where `columns` are token ids (full) or candidate positions (partial). A new scorer (an
n-gram or neural LM) only has to implement these three methods to be combined by weight.
"""
from __future__ import annotations

import torch

from seqcore.heads.capabilities import WithCTCBranch
from seqcore.modules.state import EncoderOutput, select_rows
from seqcore.search.ctc_prefix_score import CTCPrefixScorer


class DecoderScorer:
    """The head's own autoregressive decoder (attention, pointer-generator, hybrid's attention branch)."""

    partial = False

    def __init__(self, head):
        self.head = head

    def init(self, encoded: EncoderOutput, rows: torch.Tensor):
        # the state of each sentence once (cross-attention keys/values: K times less to compute), then its rows
        return select_rows(self.head.init_state(encoded), rows)

    def score(self, state, last_tokens):
        return self.head.step(last_tokens, state)

    def select(self, state, rows, columns):
        return select_rows(state, rows)


class LengthBonus:
    """A constant reward per emitted token (ESPnet's length_bonus), countering the short-output bias."""

    partial = False

    def init(self, encoded, rows):
        return None

    def score(self, state, last_tokens):
        return last_tokens.new_ones(len(last_tokens), 1, dtype=torch.float32), None  # broadcasts over V

    def select(self, state, rows, columns):
        return None


class CTCPrefixScoring:
    """Adds log psi(g + c) - log psi(g), the CTC prefix score gain (Watanabe et al. 2017), to candidates."""

    partial = True

    def __init__(self, head):
        if not isinstance(head, WithCTCBranch):
            raise ValueError("ctc_weight > 0 needs a head with a CTC branch (head=hybrid)")
        self.ctc = head.ctc
        self.scorer = None

    def init(self, encoded: EncoderOutput, rows: torch.Tensor):
        # one copy of the CTC posteriors per sentence; hypotheses point at theirs through state["row"]
        self.scorer = CTCPrefixScorer(*self.ctc.log_probs(encoded))
        return select_rows(self.scorer.initial_state(), rows)

    def score(self, state, last_tokens, candidates):
        extended, new_state = self.scorer.score(state, last_tokens, candidates)
        prefix = self.scorer.prefix_score(state)[:, None]
        # a prefix CTC cannot produce at all stays impossible (and -inf - -inf must not become NaN)
        return torch.where(prefix.isfinite(), extended - prefix, float("-inf")), new_state

    def select(self, state, rows, columns):
        return self.scorer.select(state, rows, columns)
