"""Token-budget bucketing: the budget, exactly-once coverage over DDP ranks, epochs, padding, speed."""

import itertools
import time

import numpy as np
import pytest

from seqcore.data import TokenBudgetBatchSampler, padding_fraction


def random_lengths(count: int, seed: int = 0, high: int = 100) -> list[int]:
    return np.random.default_rng(seed).integers(1, high + 1, count).tolist()


def batches_per_rank(lengths, num_replicas, epoch=0, **options) -> list[list[list[int]]]:
    ranks = []
    for rank in range(num_replicas):
        sampler = TokenBudgetBatchSampler(lengths, num_replicas=num_replicas, rank=rank, **options)
        sampler.set_epoch(epoch)
        ranks.append(list(sampler))
    return ranks


def cost(lengths, batch) -> int:
    return len(batch) * max(lengths[index] for index in batch)


@pytest.mark.parametrize("bucketing", [True, False])
def test_every_batch_is_within_budget_unless_alone(bucketing):
    lengths = random_lengths(2000, high=300) + [700, 900]  # the last two exceed the budget on their own
    sampler = TokenBudgetBatchSampler(lengths, max_tokens=600, bucketing=bucketing, max_batch_size=16)
    batches = list(sampler)
    assert all(cost(lengths, batch) <= 600 or len(batch) == 1 for batch in batches)
    assert all(len(batch) <= 16 for batch in batches)
    assert [len(lengths) - 2] in batches and [len(lengths) - 1] in batches


@pytest.mark.parametrize("num_replicas", [2, 3])
def test_ranks_share_every_example_exactly_once_with_equal_counts(num_replicas):
    needed_splitting = False
    for count, seed, bucketing in itertools.product([3, 7, 50, 101, 1000], [0, 1, 2], [True, False]):
        lengths = random_lengths(count, seed)
        options = {"max_tokens": 300, "seed": seed, "bucketing": bucketing}
        ranks = batches_per_rank(lengths, num_replicas, epoch=seed, **options)
        seen = [index for batches in ranks for batch in batches for index in batch]
        assert sorted(seen) == list(range(count)), (count, seed, bucketing)
        assert len({len(batches) for batches in ranks}) == 1, (count, seed, bucketing)
        assert all(cost(lengths, batch) <= 300 or len(batch) == 1 for batches in ranks for batch in batches)
        single = TokenBudgetBatchSampler(lengths, **options)
        single.set_epoch(seed)
        needed_splitting |= len(single) % num_replicas != 0
    assert needed_splitting  # the cases above do exercise the splitting of batches


def test_fewer_examples_than_replicas_is_an_error():
    with pytest.raises(ValueError, match="replicas"):
        TokenBudgetBatchSampler([5, 6], max_tokens=100, num_replicas=3, rank=0)


def test_examples_too_long_to_share_evenly_is_an_error():
    sampler = TokenBudgetBatchSampler([10, 10, 10], max_tokens=15, num_replicas=2, rank=0)
    with pytest.raises(ValueError, match="max_tokens"):
        len(sampler)


def test_epochs_differ_and_each_is_reproducible():
    lengths = random_lengths(500)
    first, second = (batches_per_rank(lengths, 1, epoch, max_tokens=400)[0] for epoch in (0, 1))
    assert first != second
    assert sorted(map(sorted, first)) != sorted(map(sorted, second))  # the batches themselves change too
    assert batches_per_rank(lengths, 1, 1, max_tokens=400)[0] == second
    assert batches_per_rank(lengths, 1, 1, max_tokens=400, seed=5)[0] != second


def test_shuffled_batches_do_not_come_longest_first():
    lengths = random_lengths(500)
    batches = list(TokenBudgetBatchSampler(lengths, max_tokens=400))
    longest_per_batch = [max(lengths[index] for index in batch) for batch in batches]
    assert longest_per_batch != sorted(longest_per_batch, reverse=True)


def test_without_shuffle_the_order_is_fixed_longest_first():
    lengths = random_lengths(500)
    sampler = TokenBudgetBatchSampler(lengths, max_tokens=400, shuffle=False)
    batches = list(sampler)
    sampler.set_epoch(3)
    assert list(sampler) == batches
    ordered = [lengths[index] for batch in batches for index in batch]
    assert ordered == sorted(lengths, reverse=True)


def test_without_bucketing_or_shuffle_batches_follow_dataset_order():
    lengths = random_lengths(200)
    batches = list(TokenBudgetBatchSampler(lengths, max_tokens=400, shuffle=False, bucketing=False))
    assert [index for batch in batches for index in batch] == list(range(200))


def test_bucketing_cuts_padding_by_more_than_half():
    lengths = random_lengths(5000)
    bucketed = TokenBudgetBatchSampler(lengths, max_tokens=2000)
    unbucketed = TokenBudgetBatchSampler(lengths, max_tokens=2000, bucketing=False)
    assert padding_fraction(lengths, bucketed) < 0.5 * padding_fraction(lengths, unbucketed)


def test_padding_fraction_by_hand_and_by_brute_force():
    lengths = [3, 1, 2, 5, 4]
    batches = [[0, 1], [2, 3, 4]]
    assert padding_fraction(lengths, batches) == pytest.approx(1 - 15 / (2 * 3 + 3 * 5))
    padded_cells = total_cells = 0
    for batch in batches:
        width = max(lengths[index] for index in batch)
        for index in batch:
            for position in range(width):
                total_cells += 1
                padded_cells += position >= lengths[index]
    assert padding_fraction(lengths, batches) == pytest.approx(padded_cells / total_cells)
    assert padding_fraction(lengths, []) == 0.0


@pytest.mark.parametrize(
    "options",
    [
        {"max_tokens": 250},
        {"max_tokens": 250, "num_replicas": 4, "rank": 3},
        {"max_tokens": 250, "max_batch_size": 3, "bucketing": False},
        {"max_tokens": 10_000, "shuffle": False, "num_replicas": 2, "rank": 1},
    ],
)
def test_len_counts_the_batches_this_rank_yields(options):
    sampler = TokenBudgetBatchSampler(random_lengths(777), **options)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        assert len(sampler) == len(list(sampler))


def test_a_million_lengths_take_well_under_two_seconds():
    lengths = random_lengths(1_000_000, high=200)
    start = time.perf_counter()
    sampler = TokenBudgetBatchSampler(lengths, max_tokens=4096, num_replicas=8, rank=5)
    batch_count = sum(1 for _ in sampler)
    assert time.perf_counter() - start < 2.0
    assert batch_count == len(sampler)
