"""Hybrid CTC/attention: the loss mixes the branches, and joint beam search is exact on tiny cases."""
import itertools

import pytest
import torch
import torch.nn.functional as F

from seqcore.data import Example, collate_examples
from seqcore.data.vocab import BOS_ID, EOS_ID
from seqcore.heads.hybrid import HybridHead
from seqcore.model import Seq2Seq
from seqcore.modules import TokenEmbedding, TransformerDecoder, TransformerEncoder
from seqcore.search import beam_search
from tests.unit.tiny_models import ALLOWED, VOCAB, RestrictedHead, make_batch

def make_hybrid(ctc_weight: float) -> Seq2Seq:
    torch.manual_seed(0)
    decoder = TransformerDecoder(VOCAB, 32, layers=1, heads=4, ffn_dim=64, dropout=0.0)
    head = HybridHead(decoder, VOCAB, encoder_dim=32, ctc_weight=ctc_weight, label_smoothing=0.0)
    encoder = TransformerEncoder(32, layers=1, heads=4, ffn_dim=64, dropout=0.0)
    return Seq2Seq(TokenEmbedding(VOCAB, 32), encoder, head).eval()


@torch.no_grad()
def attention_log_prob(head, encoded, tokens) -> float:
    state, total = head.init_state(encoded), 0.0
    for previous, current in zip([BOS_ID] + tokens, tokens + [EOS_ID]):
        log_probs, state = head.step(torch.tensor([previous]), state)
        total += float(log_probs[0, current])
    return total


@torch.no_grad()
def ctc_log_prob(head, encoded, tokens) -> float:
    log_probs, lengths = head.ctc.log_probs(encoded)
    if not tokens:
        return float(log_probs[0, : lengths[0], 0].sum())
    loss = F.ctc_loss(log_probs.transpose(0, 1), torch.tensor([tokens]), lengths, torch.tensor([len(tokens)]),
                      blank=0, reduction="sum")
    return -float(loss)


@pytest.mark.parametrize("ctc_weight", [0.3, 0.7])
def test_joint_beam_search_finds_the_exhaustive_optimum(ctc_weight):
    """Score(y) = (1 - w) log p_att(y) + w log p_ctc(y); a beam wider than all prefixes is exact."""
    model = make_hybrid(0.3)
    head = RestrictedHead(model.head)
    batch = make_batch(lengths=(4, 6), target_lengths=(1, 1))
    results = beam_search(head, model.encode(batch), beam_size=40, pre_beam_ratio=1.0, max_len_a=0.0,
                          max_len_b=3, length_penalty=0.0, ctc_weight=ctc_weight)
    for index in range(2):
        single = collate_examples([Example(0, batch.source[index, : batch.source_lengths[index]], None)])
        encoded = model.encode(single)
        candidates = [list(c) for n in range(1, 4) for c in itertools.product(ALLOWED[1:], repeat=n)]
        scored = [((1 - ctc_weight) * attention_log_prob(head, encoded, c) + ctc_weight * ctc_log_prob(head, encoded, c), c)
                  for c in candidates]
        best_score, best_tokens = max(scored)
        assert results[index][0].tokens == best_tokens
        assert results[index][0].log_prob == pytest.approx(best_score, abs=1e-3)


def test_a_sentence_with_no_finite_hypothesis_still_gets_one():
    """One encoder frame fits at most one CTC label: with a minimum length of 3 every hypothesis
    scores -inf, and the search answers an empty output scored -inf instead of an empty n-best."""
    model = make_hybrid(0.3)
    batch = make_batch(lengths=(1, 6), target_lengths=(1, 1))
    results = beam_search(model.head, model.encode(batch), beam_size=3, nbest=2, min_length=3, max_len_a=0.0,
                          max_len_b=4, ctc_weight=0.5)
    assert len(results[0]) == 1 and results[0][0].tokens == [] and results[0][0].score == float("-inf")
    assert all(len(h.tokens) >= 3 and h.score > float("-inf") for h in results[1])


def test_ctc_weight_zero_equals_attention_beam_search():
    model, batch = make_hybrid(0.3), make_batch(lengths=(5, 3, 7, 9))
    encoded = model.encode(batch)
    joint = beam_search(model.head, encoded, beam_size=4, nbest=4, ctc_weight=0.0)
    plain = beam_search(model.head.attention, encoded, beam_size=4, nbest=4)
    assert [[(h.tokens, round(h.score, 5)) for h in hyps] for hyps in joint] == \
        [[(h.tokens, round(h.score, 5)) for h in hyps] for hyps in plain]


@pytest.mark.parametrize("ctc_weight", [0.0, 0.4, 1.0])
def test_hybrid_loss_mixes_the_branches(ctc_weight):
    model, batch = make_hybrid(ctc_weight), make_batch()
    encoded = model.encode(batch)
    with torch.no_grad():
        loss, logs = model.head.loss(batch, encoded)
        ctc_loss, _ = model.head.ctc.loss(batch, encoded)
        attention_loss, _ = model.head.attention.loss(batch, encoded)
    assert float(loss) == pytest.approx(ctc_weight * float(ctc_loss) + (1 - ctc_weight) * float(attention_loss), rel=1e-5)
    assert ("ctc_loss" in logs) == (ctc_weight > 0) and ("attention_loss" in logs) == (ctc_weight < 1)
