"""Pointer network head: its step distribution, incremental vs teacher-forced decoding, and search on it."""
import math

import pytest
import torch

from seqcore.data import Example, collate_examples
from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID, UNK_ID
from seqcore.heads.attention import teacher_forcing_pair
from seqcore.heads.pointer_network import FIRST_POSITION_ID, PointerNetworkHead
from seqcore.model import Seq2Seq
from seqcore.modules import LSTMEncoder, TokenEmbedding
from seqcore.modules.feature_projection import FeatureProjection
from seqcore.search import beam_search, greedy_search, sample_search
from tests.unit.tiny_models import assert_beam_one_equals_greedy

SOURCE_LENGTHS = (5, 3, 7, 1)


def make_model(mask_used: bool) -> Seq2Seq:
    torch.manual_seed(0)
    head = PointerNetworkHead(encoder_dim=16, hidden_dim=24, layers=2, mask_used=mask_used)
    return Seq2Seq(FeatureProjection(input_dim=2, dim=16), LSTMEncoder(16, layers=1, dropout=0.0), head).eval()


def make_batch(with_repeats: bool):
    """Random features; targets point into each source (a permutation prefix, or with repeats)."""
    generator = torch.Generator().manual_seed(1)
    examples = []
    for index, length in enumerate(SOURCE_LENGTHS):
        if with_repeats:
            positions = torch.randint(0, length, (length + 2,), generator=generator)
        else:
            positions = torch.randperm(length, generator=generator)[: max(1, length - 1)]
        examples.append(Example(index, torch.rand(length, 2, generator=generator), positions + FIRST_POSITION_ID))
    return collate_examples(examples)


@pytest.mark.parametrize("mask_used", [False, True])
@torch.no_grad()
def test_step_is_a_distribution_over_real_positions_and_eos(mask_used):
    model, batch = make_model(mask_used), make_batch(with_repeats=False)
    head = model.head
    state = head.init_state(model.encode(batch))
    previous = torch.full((len(batch),), BOS_ID)
    padded_length = batch.source.shape[1]
    for step in range(3):
        log_probs, state = head.step(previous, state)
        assert log_probs.shape == (len(batch), FIRST_POSITION_ID + padded_length)
        assert log_probs.dtype == torch.float32
        for row, length in enumerate(SOURCE_LENGTHS):
            assert (log_probs[row, [PAD_ID, BOS_ID, UNK_ID]] == -math.inf).all()
            assert (log_probs[row, FIRST_POSITION_ID + length:] == -math.inf).all()
            pointed = batch.target[row, :step].tolist() if mask_used else []
            for token in range(FIRST_POSITION_ID, FIRST_POSITION_ID + length):
                assert (float(log_probs[row, token]) == -math.inf) == (token in pointed)
            assert math.isfinite(float(log_probs[row, EOS_ID]))
            assert float(log_probs[row].exp().sum()) == pytest.approx(1.0, abs=1e-5)
        previous = torch.where(batch.target[:, step] == PAD_ID, EOS_ID, batch.target[:, step])


@pytest.mark.parametrize("mask_used,with_repeats", [(False, True), (True, False)])
@torch.no_grad()
def test_incremental_steps_equal_teacher_forcing_and_the_loss(mask_used, with_repeats):
    model, batch = make_model(mask_used), make_batch(with_repeats)
    encoded = model.encode(batch)
    decoder_input, decoder_output = teacher_forcing_pair(batch.target, batch.target_lengths)
    full = model.head.teacher_forced_log_probs(decoder_input, encoded)
    state, nll, tokens = model.head.init_state(encoded), 0.0, 0
    for t in range(decoder_input.shape[1]):
        step_log_probs, state = model.head.step(decoder_input[:, t], state)
        real = decoder_output[:, t] != PAD_ID
        torch.testing.assert_close(step_log_probs[real], full[real, t], atol=1e-5, rtol=0)
        nll -= float(step_log_probs[real].gather(1, decoder_output[real, t, None]).sum())
        tokens += int(real.sum())
    loss, logs = model.head.loss(batch, encoded)
    assert int(logs["target_tokens"]) == tokens == int(batch.target_lengths.sum()) + len(batch)
    assert float(loss) == pytest.approx(nll / tokens, rel=1e-5)
    assert float(logs["nll"]) == pytest.approx(float(loss))


@pytest.mark.parametrize("mask_used", [False, True])
def test_beam_one_equals_greedy(mask_used):
    model, batch = make_model(mask_used), make_batch(with_repeats=False)
    encoded = model.encode(batch)
    assert_beam_one_equals_greedy(model.head, encoded, max_len_b=2)
    top_one = sample_search(model.head, encoded, top_k=1, max_len_a=1.0, max_len_b=2)
    assert [h[0].tokens for h in top_one] == [h[0].tokens for h in greedy_search(model.head, encoded, max_len_a=1.0,
                                                                                   max_len_b=2)]


@pytest.mark.parametrize("search", [greedy_search, beam_search, sample_search])
def test_searches_point_into_the_source_and_never_twice_with_mask_used(search):
    model, batch = make_model(mask_used=True), make_batch(with_repeats=False)
    for hypotheses, length in zip(search(model.head, model.encode(batch), max_len_a=2.0, max_len_b=3), SOURCE_LENGTHS):
        positions = [token - FIRST_POSITION_ID for token in hypotheses[0].tokens]
        assert all(0 <= position < length for position in positions)
        assert len(set(positions)) == len(positions)


@torch.no_grad()
def test_eos_is_scored_against_the_learned_end_vector():
    """u_end = v . tanh(W1 end + W2 d): with W2 = 0 the EOS score is a constant we compute by hand."""
    model = make_model(mask_used=False)
    head = model.head
    head.query.weight.zero_()
    head.key.bias.zero_()
    head.end.copy_(torch.linspace(-1, 1, 16))
    batch = collate_examples([Example(0, torch.zeros(2, 2), None)])
    encoded = model.encode(batch)
    log_probs, _ = head.step(torch.tensor([BOS_ID]), head.init_state(encoded))
    score = lambda e: float(head.score.weight[0] @ torch.tanh(head.key.weight @ e))  # noqa: E731
    scores = [score(encoded.states[0, j]) for j in range(2)] + [score(head.end)]
    normalizer = math.log(sum(math.exp(s) for s in scores))
    assert float(log_probs[0, EOS_ID]) == pytest.approx(scores[2] - normalizer, abs=1e-5)
    assert float(log_probs[0, FIRST_POSITION_ID + 1]) == pytest.approx(scores[1] - normalizer, abs=1e-5)


def test_feature_projection_masks_like_the_token_embedding():
    lengths = torch.tensor([3, 1, 4])
    features, mask = FeatureProjection(input_dim=2, dim=8)(torch.rand(3, 4, 2), lengths)
    _, token_mask = TokenEmbedding(vocab_size=10, dim=8)(torch.ones(3, 4, dtype=torch.long), lengths)
    assert features.shape == (3, 4, 8)
    assert mask.tolist() == token_mask.tolist() == [[True] * 3 + [False], [True] + [False] * 3, [True] * 4]
