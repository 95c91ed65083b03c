"""Tiny deterministic models and batches for the core's unit tests."""
import math

import pytest
import torch

from seqcore.data import Example, collate_examples
from seqcore.data.vocab import EOS_ID
from seqcore.heads import AttentionHead
from seqcore.model import Seq2Seq
from seqcore.modules import LSTMDecoder, LSTMEncoder, TokenEmbedding, TransformerDecoder, TransformerEncoder
from seqcore.search import beam_search, greedy_search

VOCAB = 23


def make_model(kind: str) -> Seq2Seq:
    torch.manual_seed(0)
    dim = 32
    if kind == "transformer":
        encoder = TransformerEncoder(dim, layers=2, heads=4, ffn_dim=64, dropout=0.0)
        decoder = TransformerDecoder(VOCAB, dim, layers=2, heads=4, ffn_dim=64, dropout=0.0)
    else:
        encoder = LSTMEncoder(dim, layers=1, dropout=0.0)
        decoder = LSTMDecoder(VOCAB, dim, layers=2, dropout=0.0)
    return Seq2Seq(TokenEmbedding(VOCAB, dim), encoder, AttentionHead(decoder, VOCAB, 0.0)).eval()


def make_batch(lengths=(5, 3, 7), target_lengths=(4, 6, 2)):
    generator = torch.Generator().manual_seed(1)
    return collate_examples([
        Example(i, torch.randint(4, VOCAB, (s,), generator=generator), torch.randint(4, VOCAB, (t,), generator=generator))
        for i, (s, t) in enumerate(zip(lengths, target_lengths))])


ALLOWED = [EOS_ID, 4, 5, 6]


class RestrictedHead:
    """A head whose step is renormalized over 3 tokens + EOS, so exhaustive search is feasible.

    Everything else (a hybrid head's `ctc`, `searches`, ...) passes through to the wrapped head.
    """

    def __init__(self, head):
        self.head = head

    def __getattr__(self, name):
        return getattr(self.head, name)

    def step(self, tokens, state):
        log_probs, state = self.head.step(tokens, state)
        restricted = torch.full_like(log_probs, -math.inf)
        restricted[:, ALLOWED] = log_probs[:, ALLOWED].log_softmax(-1)
        return restricted, state


def assert_beam_one_equals_greedy(head, encoded, max_len_b: int) -> None:
    """Beam search with one beam and no length penalty must pick greedy's tokens with greedy's scores."""
    greedy = greedy_search(head, encoded, max_len_a=1.0, max_len_b=max_len_b)
    beam = beam_search(head, encoded, beam_size=1, max_len_a=1.0, max_len_b=max_len_b, length_penalty=0.0)
    assert [g[0].tokens for g in greedy] == [b[0].tokens for b in beam]
    for g, b in zip(greedy, beam):
        assert g[0].log_prob == pytest.approx(b[0].log_prob, abs=1e-4)
