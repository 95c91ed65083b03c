"""Core model and search against independent references: full recomputation, greedy, hand computation."""
import math

import pytest
import torch

from seqcore.data import Example, collate_examples
from seqcore.data.vocab import BOS_ID, EOS_ID
from seqcore.heads.attention import teacher_forcing_pair
from seqcore.heads.losses import label_smoothed_nll
from seqcore.search import beam_search
from tests.unit.tiny_models import ALLOWED, RestrictedHead, assert_beam_one_equals_greedy, make_batch, make_model


@pytest.mark.parametrize("kind", ["transformer", "lstm"])
def test_incremental_decoding_matches_full_recomputation(kind):
    model, batch = make_model(kind), make_batch()
    encoded = model.encode(batch)
    decoder_input, _ = teacher_forcing_pair(batch.target, batch.target_lengths)
    head = model.head
    full = head.projection(head.decoder(decoder_input, encoded.states, encoded.mask)).log_softmax(-1)
    state = head.init_state(encoded)
    for t in range(decoder_input.shape[1]):
        step_log_probs, state = head.step(decoder_input[:, t], state)
        torch.testing.assert_close(step_log_probs, full[:, t], atol=1e-5, rtol=0)


@pytest.mark.parametrize("kind", ["transformer", "lstm"])
def test_beam_one_equals_greedy(kind):
    model, batch = make_model(kind), make_batch(lengths=(5, 3, 7, 9, 1, 4))
    encoded = model.encode(batch)
    assert_beam_one_equals_greedy(model.head, encoded, max_len_b=5)


@torch.no_grad()
def brute_force_best(head, encoded, max_length):
    """Score every output of length 1..max_length (plus EOS) exactly: the true argmax."""
    best = (-math.inf, None)
    frontier = [([], 0.0, head.init_state(encoded))]
    for step in range(max_length + 1):
        next_frontier = []
        for tokens, score, state in frontier:
            previous = torch.tensor([tokens[-1] if tokens else BOS_ID])
            log_probs, new_state = head.step(previous, state)
            if step >= 1 and score + float(log_probs[0, EOS_ID]) > best[0]:
                best = (score + float(log_probs[0, EOS_ID]), tokens)
            if step < max_length:
                next_frontier += [(tokens + [v], score + float(log_probs[0, v]), new_state) for v in ALLOWED[1:]]
        frontier = next_frontier
    return best


def test_wide_beam_finds_the_exhaustive_optimum_on_a_tiny_vocabulary():
    """With 3 tokens and a beam wider than all 3**3 prefixes, beam search (no length penalty) is exact."""
    model, batch = make_model("transformer"), make_batch(lengths=(3, 2, 4), target_lengths=(1, 1, 1))
    head = RestrictedHead(model.head)
    results = beam_search(head, model.encode(batch), beam_size=30, max_len_a=0.0, max_len_b=3, length_penalty=0.0)
    for index in range(3):
        single = collate_examples([Example(0, batch.source[index, : batch.source_lengths[index]], None)])
        best_score, best_tokens = brute_force_best(head, model.encode(single), max_length=3)
        assert results[index][0].tokens == best_tokens
        assert results[index][0].log_prob == pytest.approx(best_score, abs=1e-4)


def test_nbest_is_sorted_and_distinct():
    model, batch = make_model("transformer"), make_batch()
    results = beam_search(model.head, model.encode(batch), beam_size=4, nbest=4, length_penalty=1.0)
    for hyps in results:
        assert len(hyps) == 4
        scores = [h.score for h in hyps]
        assert scores == sorted(scores, reverse=True)
        assert len({tuple(h.tokens) for h in hyps}) == 4


def test_min_and_max_length_are_respected():
    model, batch = make_model("transformer"), make_batch()
    for hyps in beam_search(model.head, model.encode(batch), beam_size=3, min_length=4, max_len_a=0.0, max_len_b=6):
        assert 4 <= len(hyps[0].tokens) <= 6


def test_label_smoothed_loss_matches_hand_computation():
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.2, 0.6]])
    target = torch.tensor([1, 2, 0])  # the last position is padding (ignore_index=0)
    loss, nll = label_smoothed_nll(probs.log(), target, epsilon=0.1, ignore_index=0)
    # token 1: -(0.9*log 0.2 + 0.1*(log .7 + log .2 + log .1)/3); token 2: -(0.9*log .6 + 0.1*(log .1+log .3+log .6)/3)
    expected = -(0.9 * math.log(0.2) + 0.1 * (math.log(0.7) + math.log(0.2) + math.log(0.1)) / 3) \
        - (0.9 * math.log(0.6) + 0.1 * (math.log(0.1) + math.log(0.3) + math.log(0.6)) / 3)
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    assert float(nll) == pytest.approx(-math.log(0.2) - math.log(0.6), rel=1e-6)


def test_teacher_forcing_pair_places_bos_and_eos():
    target = torch.tensor([[5, 6, 7], [8, 0, 0]])
    decoder_input, decoder_output = teacher_forcing_pair(target, torch.tensor([3, 1]))
    assert decoder_input.tolist() == [[BOS_ID, 5, 6, 7], [BOS_ID, 8, 0, 0]]
    assert decoder_output.tolist() == [[5, 6, 7, EOS_ID], [8, EOS_ID, 0, 0]]
