"""Search extras against independent references: diverse groups, n-gram blocking, sampling."""
import itertools

import pytest
import torch

from seqcore.search import beam_search, greedy_search, sample_search
from seqcore.search.common import block_repeated_ngrams
from tests.unit.tiny_models import make_batch, make_model


def edit_distance(a, b) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def mean_pairwise_distance(hypotheses) -> float:
    pairs = list(itertools.combinations([h.tokens for h in hypotheses], 2))
    return sum(edit_distance(a, b) for a, b in pairs) / len(pairs)


def test_diverse_beam_with_one_group_equals_plain_beam():
    model, batch = make_model("transformer"), make_batch(lengths=(5, 3, 7, 9))
    encoded = model.encode(batch)
    plain = beam_search(model.head, encoded, beam_size=4, nbest=4)
    grouped = beam_search(model.head, encoded, beam_size=4, nbest=4, groups=1, diversity_strength=5.0)
    assert [[h.tokens for h in hyps] for hyps in plain] == [[h.tokens for h in hyps] for hyps in grouped]


def test_diverse_groups_spread_the_n_best_list():
    model, batch = make_model("transformer"), make_batch(lengths=(5, 3, 7, 9, 6, 4), target_lengths=(1,) * 6)
    encoded = model.encode(batch)
    plain = beam_search(model.head, encoded, beam_size=6, nbest=6)
    diverse = beam_search(model.head, encoded, beam_size=6, nbest=6, groups=3, diversity_strength=2.0)
    plain_spread = sum(mean_pairwise_distance(h) for h in plain) / len(plain)
    diverse_spread = sum(mean_pairwise_distance(h) for h in diverse) / len(diverse)
    assert diverse_spread > plain_spread


def has_repeated_ngram(tokens, n) -> bool:
    grams = [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return len(grams) != len(set(grams))


@pytest.mark.parametrize("search", ["greedy", "beam"])
def test_no_repeat_ngram_blocking(search):
    model, batch = make_model("lstm"), make_batch(lengths=(9, 8, 7, 9))
    encoded = model.encode(batch)
    run = (lambda **kw: greedy_search(model.head, encoded, max_len_a=3.0, **kw)) if search == "greedy" else \
        (lambda **kw: beam_search(model.head, encoded, beam_size=3, max_len_a=3.0, min_length=20, **kw))
    unblocked = [h[0].tokens for h in run(no_repeat_ngram_size=0)]
    blocked = [h[0].tokens for h in run(no_repeat_ngram_size=2)]
    assert any(has_repeated_ngram(t, 2) for t in unblocked), "the fixture should repeat bigrams when unblocked"
    assert not any(has_repeated_ngram(t, 2) for t in blocked)


def test_block_repeated_ngrams_on_a_hand_checked_history():
    history = torch.tensor([[5, 6, 7, 5], [4, 4, 4, 9]])
    blocked = block_repeated_ngrams(torch.zeros(2, 10), history, 2)
    assert torch.isinf(blocked[0]).nonzero().flatten().tolist() == [6]  # "5 6" seen, history ends in 5
    assert not torch.isinf(blocked[1]).any()  # history ends in 9: no bigram starting with 9 yet


def test_sampling_is_reproducible_and_top_k_one_is_greedy():
    model, batch = make_model("transformer"), make_batch()
    encoded = model.encode(batch)
    first = sample_search(model.head, encoded, top_p=0.9, num_samples=3, seed=7)
    again = sample_search(model.head, encoded, top_p=0.9, num_samples=3, seed=7)
    other = sample_search(model.head, encoded, top_p=0.9, num_samples=3, seed=8)
    tokens = lambda result: [[h.tokens for h in hyps] for hyps in result]  # noqa: E731
    assert tokens(first) == tokens(again) and tokens(first) != tokens(other)
    assert all(len(hyps) == 3 for hyps in first)
    greedy = greedy_search(model.head, encoded)
    assert tokens(sample_search(model.head, encoded, top_k=1, seed=3)) == tokens(greedy)


def test_top_p_keeps_only_the_nucleus():
    from seqcore.search.greedy import _filtered
    scores = torch.tensor([[0.5, 0.3, 0.15, 0.05]]).log()
    kept = _filtered(scores, top_k=0, top_p=0.75).isfinite().flatten().tolist()
    assert kept == [True, True, False, False]  # 0.5 < 0.75, 0.5 + 0.3 reaches it
