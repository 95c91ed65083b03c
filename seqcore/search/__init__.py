"""Searches. Configs pick one with `_target_` and `_partial_: true`; each head lists those it supports."""
from seqcore.search.beam import beam_search
from seqcore.search.common import Hypothesis
from seqcore.search.ctc import ctc_greedy_search, ctc_prefix_beam_search
from seqcore.search.frames import frames_search
from seqcore.search.greedy import greedy_search, sample_search
from seqcore.search.transducer import transducer_beam_search, transducer_greedy_search

# every search a config may name (a checkpoint's config may name only these: seqcore/config_safety.py)
SEARCHES = (beam_search, ctc_greedy_search, ctc_prefix_beam_search, frames_search, greedy_search, sample_search,
            transducer_beam_search, transducer_greedy_search)

__all__ = ["SEARCHES", "Hypothesis", "beam_search", "ctc_greedy_search", "ctc_prefix_beam_search", "frames_search", "greedy_search",
           "sample_search", "transducer_beam_search", "transducer_greedy_search"]
