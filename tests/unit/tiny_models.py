"""Tiny deterministic models and batches for the core's unit tests."""
import math

import torch

from seqcore.data import Example, collate_examples
from seqcore.data.vocab import EOS_ID
from seqcore.heads import AttentionHead
from seqcore.model import Seq2Seq
from seqcore.modules import LSTMDecoder, LSTMEncoder, TokenEmbedding, TransformerDecoder, TransformerEncoder

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
