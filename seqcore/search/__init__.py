"""Searches. Configs pick one with `_target_` and `_partial_: true`; each head lists those it supports."""
from seqcore.search.beam import beam_search
from seqcore.search.common import Hypothesis
from seqcore.search.greedy import greedy_search, sample_search

__all__ = ["Hypothesis", "beam_search", "greedy_search", "sample_search"]
