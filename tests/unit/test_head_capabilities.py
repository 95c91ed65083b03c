"""Searches match heads by the protocol the search decodes (seqcore.heads.capabilities), not by name."""
import functools

import pytest
import torch

from seqcore.errors import ConfigError
from seqcore.heads import AttentionHead, CTCHead, FramesHead, HybridHead, PointerGeneratorHead, TransducerHead
from seqcore.heads.capabilities import Autoregressive, FrameAligned, WithCTCBranch
from seqcore.heads.pointer_network import PointerNetworkHead
from seqcore.modules import LSTMDecoder
from seqcore.modules.state import EncoderOutput
from seqcore.search import beam_search, greedy_search
from seqcore.search.common import check_search, searches_for

TOKEN_SEARCHES = ["beam_search", "greedy_search", "sample_search"]
CTC_SEARCHES = ["ctc_greedy_search", "ctc_prefix_beam_search"]


def decoder():
    return LSTMDecoder(9, 8, layers=1, dropout=0.0)


HEADS = {  # head -> the searches that can decode it, by hand
    "attention": (lambda: AttentionHead(decoder(), 9), TOKEN_SEARCHES),
    "pointer": (lambda: PointerGeneratorHead(decoder(), 9, encoder_dim=8), TOKEN_SEARCHES),
    "pointer network": (lambda: PointerNetworkHead(8, hidden_dim=8), TOKEN_SEARCHES),
    "ctc": (lambda: CTCHead(9, 8), CTC_SEARCHES),
    "hybrid": (lambda: HybridHead(decoder(), 9, encoder_dim=8), TOKEN_SEARCHES[:1] + CTC_SEARCHES + TOKEN_SEARCHES[1:]),
    "transducer": (lambda: TransducerHead(9, 8, predictor_dim=8, joiner_dim=8), ["transducer_beam_search",
                                                                                 "transducer_greedy_search"]),
    "frames": (lambda: FramesHead(8, frame_dim=4, prenet_dim=8, attention_rnn_dim=8, decoder_rnn_dim=8,
                                  attention_dim=8, postnet_channels=8), ["frames_search"]),
}


@pytest.mark.parametrize("name", HEADS)
def test_each_head_is_decoded_by_the_searches_of_its_protocols(name):
    build, expected = HEADS[name]
    assert searches_for(build()) == expected


def test_only_the_hybrid_head_has_a_ctc_branch():
    assert [name for name, (build, _) in HEADS.items() if isinstance(build(), WithCTCBranch)] == ["hybrid"]


def test_a_head_written_elsewhere_needs_only_the_protocols_methods():
    """No registration, no list of search names: init_state/step make greedy search drive it."""

    class CountingHead:  # always says token 4, then EOS (id 2) at the third step
        def init_state(self, encoded):
            return {"t": torch.zeros(encoded.states.shape[0], dtype=torch.long)}

        def step(self, tokens, state):
            log_probs = torch.full((len(tokens), 6), -10.0)
            log_probs[:, 4] = -0.1
            log_probs[state["t"] >= 2, 2] = 0.0
            return log_probs.log_softmax(-1), {"t": state["t"] + 1}

    head = CountingHead()
    assert isinstance(head, Autoregressive) and not isinstance(head, FrameAligned)
    check_search(head, functools.partial(greedy_search, max_len_b=5), "search")
    encoded = EncoderOutput(torch.zeros(2, 3, 4), torch.ones(2, 3, dtype=torch.bool))
    assert [h[0].tokens for h in greedy_search(head, encoded, max_len_a=0.0, max_len_b=5)] == [[4, 4], [4, 4]]


def test_a_search_that_does_not_fit_names_the_protocol_and_the_valid_searches():
    with pytest.raises(ConfigError) as error:
        check_search(HEADS["ctc"][0](), functools.partial(beam_search, beam_size=2), "search")
    assert str(error.value) == ("search: beam_search cannot decode a CTCHead (it decodes Autoregressive heads); "
                                "searches for this head: ctc_greedy_search, ctc_prefix_beam_search")
