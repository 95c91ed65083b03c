"""Batches of similar length under a token budget, split evenly over DDP ranks.

Padding every batch to its longest example wastes compute when lengths vary
(sentences, utterances, text lines); grouping examples of similar length and
sizing each batch by a token budget instead of a fixed count keeps both the
waste and the memory per step steady.  ``padding_fraction`` measures the waste,
so the gain over unsorted batches can be checked on real lengths.

Under DDP each rank builds the same list of batches from the seed and epoch
alone, then takes every ``num_replicas``-th one: every example is used exactly
once per epoch over all ranks, and all ranks run the same number of steps.
With Lightning, pass it as the DataLoader's ``batch_sampler`` with
``Trainer(use_distributed_sampler=False)`` and this rank's ``num_replicas`` and
``rank``: Lightning cannot inject its own sampler into a custom batch sampler.
"""

from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import torch


class TokenBudgetBatchSampler(torch.utils.data.Sampler[list[int]]):
    """Length-bucketing batch sampler with a token budget, DDP-aware.

    A batch costs ``len(batch) * longest length in it`` and costs at most
    ``max_tokens``, unless it is a single example longer than that.  An empty
    example counts as length 1 (it still takes a row).

    With ``bucketing`` the examples are sorted by length, longest first, and
    consecutive runs are cut into batches.  With ``shuffle`` the ties between
    equal lengths are broken at random and the batches come in random order,
    both drawn from ``(seed, epoch)`` (see ``set_epoch``); without it the order
    is fixed and longest first, so a memory problem shows at the first batch.
    Without ``bucketing`` (the baseline for ``padding_fraction``) batches are
    cut from the examples in random order, or in dataset order without
    ``shuffle``.

    When the number of batches is not a multiple of ``num_replicas``, the
    batch with the most examples is halved until it is.  That is impossible
    only when (nearly) every batch already holds a single example, i.e.
    ``max_tokens`` is below twice the typical length: then ``len()`` and
    iterating raise ``ValueError`` rather than repeat or drop an example.
    """

    def __init__(
        self,
        lengths: Sequence[int],
        max_tokens: int,
        shuffle: bool = True,
        seed: int = 0,
        num_replicas: int = 1,
        rank: int = 0,
        max_batch_size: int | None = None,
        bucketing: bool = True,
    ):
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.ndim != 1:
            raise ValueError(f"lengths must be a flat sequence of integers, got shape {lengths.shape}")
        if (lengths < 0).any():
            raise ValueError(f"lengths must not be negative, got {int(lengths.min())}")
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
        if max_batch_size is not None and max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1 or None, got {max_batch_size}")
        if num_replicas < 1 or not 0 <= rank < num_replicas:
            raise ValueError(
                f"need num_replicas >= 1 and 0 <= rank < num_replicas, got {num_replicas=}, {rank=}"
            )
        if len(lengths) < num_replicas:
            raise ValueError(
                f"{len(lengths)} examples cannot give each of {num_replicas} replicas a batch; "
                "use fewer devices or more data"
            )
        self._lengths = np.maximum(lengths, 1)
        self.max_tokens = max_tokens
        self.shuffle = shuffle
        self.seed = seed
        self.num_replicas = num_replicas
        self.rank = rank
        self.max_batch_size = max_batch_size
        self.bucketing = bucketing
        self.epoch = 0
        self._batches_epoch: int | None = None
        self._batches: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def set_epoch(self, epoch: int) -> None:
        """Chooses this epoch's order; Lightning calls it at the start of every epoch."""
        self.epoch = epoch

    def __iter__(self) -> Iterator[list[int]]:
        order, boundaries, batch_order = self._global_batches()
        for batch in batch_order[self.rank :: self.num_replicas].tolist():
            yield order[boundaries[batch] : boundaries[batch + 1]].tolist()

    def __len__(self) -> int:
        """The number of batches this rank gets this epoch (the same on every rank)."""
        _, _, batch_order = self._global_batches()
        return len(batch_order) // self.num_replicas

    def _global_batches(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This epoch's batches for all ranks, computed once and shared by ``__len__`` and ``__iter__``.

        Batch ``b`` is ``order[boundaries[b]:boundaries[b + 1]]``; ``batch_order`` is the order they run in.
        """
        if self._batches_epoch != self.epoch:
            generator = np.random.default_rng((self.seed, self.epoch)) if self.shuffle else None
            order = self._example_order(generator)
            lengths_in_order = self._lengths[order].tolist()
            boundaries = _cut_under_budget(lengths_in_order, self.max_tokens, self.max_batch_size)
            boundaries = _split_until_divisible(np.asarray(boundaries), self.num_replicas, self.max_tokens)
            batch_count = len(boundaries) - 1
            batch_order = np.arange(batch_count) if generator is None else generator.permutation(batch_count)
            self._batches = order, boundaries, batch_order
            self._batches_epoch = self.epoch
        return self._batches

    def _example_order(self, generator: np.random.Generator | None) -> np.ndarray:
        count = len(self._lengths)
        if not self.bucketing:
            return np.arange(count) if generator is None else generator.permutation(count)
        if generator is None:
            return np.argsort(-self._lengths, kind="stable")
        # noise below 1 breaks ties between equal lengths at random and never reorders different lengths
        return np.argsort(-(self._lengths + generator.random(count)))


def _cut_under_budget(lengths: list[int], max_tokens: int, max_batch_size: int | None) -> list[int]:
    """Cuts consecutive lengths greedily into batches; returns their start positions and the end.

    A plain loop over Python ints: it runs once per example, so it is kept to cheap operations.
    """
    max_batch_size = max_batch_size or len(lengths)
    boundaries = [0]
    start = longest = 0
    for position, length in enumerate(lengths):
        if length > longest:
            longest = length
        size = position - start + 1
        if size > 1 and (size * longest > max_tokens or size > max_batch_size):
            boundaries.append(position)
            start, longest = position, length
    boundaries.append(len(lengths))
    return boundaries


def _split_until_divisible(boundaries: np.ndarray, num_replicas: int, max_tokens: int) -> np.ndarray:
    """Halves the batch with the most examples until the batch count is a multiple of ``num_replicas``."""
    while (len(boundaries) - 1) % num_replicas:
        sizes = np.diff(boundaries)
        largest = int(np.argmax(sizes))
        if sizes[largest] < 2:
            raise ValueError(
                f"cannot share {boundaries[-1]} examples evenly over {num_replicas} replicas: with "
                f"max_tokens={max_tokens} nearly every batch holds a single example; raise max_tokens"
            )
        boundaries = np.insert(boundaries, largest + 1, boundaries[largest] + sizes[largest] // 2)
    return boundaries


def padding_fraction(lengths: Sequence[int], batches: Iterable[Sequence[int]]) -> float:
    """The share of padded positions among all positions, a batch taking ``len(batch) * its longest``."""
    lengths = np.asarray(lengths, dtype=np.int64)
    positions = real_positions = 0
    for batch in batches:
        batch_lengths = lengths[np.asarray(batch, dtype=np.int64)]
        positions += len(batch) * int(batch_lengths.max())
        real_positions += int(batch_lengths.sum())
    return 1.0 - real_positions / positions if positions else 0.0
