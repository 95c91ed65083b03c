"""Searches over autoregressive heads. Configs pick one with `_target_` and `_partial_: true`."""
from seqcore.search.beam import beam_search
from seqcore.search.common import Hypothesis
from seqcore.search.greedy import greedy_search

__all__ = ["Hypothesis", "beam_search", "greedy_search"]
