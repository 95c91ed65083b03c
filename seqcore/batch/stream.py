"""The input side of a batch job: a lazy, windowed, length-sorted stream of batches.

The input is read once, lazily, in *windows* of `window` consecutive items (item `index` is
its 0-based position in the input). A rank keeps the items of each window whose
`index % world_size == rank` and that no earlier run finished, encodes them, sorts them by
length and cuts them into token-budget batches. Memory therefore depends on the window,
never on the input size. A window is also the unit of commit (see `chunks.py`): because a
window's batches depend only on the input, the window size and the number of ranks, a job
resumed after a kill decodes the unfinished windows in exactly the same batches as an
uninterrupted run, so it writes identical outputs.

An item that fails before decoding (the reader marked it with "error", `encode_source`
raised, or it is empty) is passed on as failed with its reason, never raised.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import torch.distributed as dist
from pytorch_lightning.utilities import move_data_to_device
from torch.utils.data import IterableDataset, get_worker_info

from seqcore.data import Batch, Example, TokenBudgetBatchSampler, collate_examples
from seqcore.plugins import TaskPlugin

log = logging.getLogger(__name__)


@dataclass
class JobBatch:
    """One step of a batch job: a padded batch of examples (None when every item failed before
    decoding), the samples those examples came from and the items that failed, by input index."""

    window: int
    examples: Batch | None
    samples: dict[int, dict] = field(default_factory=dict)
    failed: list[tuple[int, dict, str]] = field(default_factory=list)  # (index, sample, reason)
    truncated: set[int] = field(default_factory=set)
    closes_window: bool = False  # the window's last batch: its outputs can be committed

    def __len__(self) -> int:
        return len(self.samples) + len(self.failed)

    def to(self, device) -> "JobBatch":
        """Lightning moves a batch by calling `.to`: only the tensors travel, the samples stay."""
        if self.examples is not None:
            self.examples = move_data_to_device(self.examples, device)
        return self


class BatchJobStream(IterableDataset):
    """Iterates `JobBatch`es of this rank (and DataLoader worker) over `read_items()`."""

    def __init__(self, task: TaskPlugin, read_items: Callable[[], Iterable[dict]], done: bytearray | None,
                 window: int, max_tokens: int, max_source_length: int):
        self.task, self.read_items, self.done = task, read_items, done or bytearray()
        self.window, self.max_tokens, self.max_source_length = window, max_tokens, max_source_length

    def _shard(self) -> tuple[int, int, int, int]:
        """(rank, world size, worker, workers): ranks split items, a rank's workers split windows."""
        distributed = dist.is_available() and dist.is_initialized()
        rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
        worker = get_worker_info()
        return rank, world, worker.id if worker else 0, worker.num_workers if worker else 1

    def _is_done(self, index: int) -> bool:
        return index < len(self.done) and self.done[index]

    def __iter__(self) -> Iterator[JobBatch]:
        rank, world, worker, workers = self._shard()
        pending, current = [], 0
        for index, sample in enumerate(self.read_items()):
            window = index // self.window
            if window != current:
                yield from self._window_batches(current, pending)
                pending, current = [], window
            if index % world == rank and window % workers == worker and not self._is_done(index):
                pending.append((index, sample))
        yield from self._window_batches(current, pending)

    def _window_batches(self, window: int, items: list[tuple[int, dict]]) -> Iterator[JobBatch]:
        if not items:
            return
        examples, samples, failed, truncated = [], {}, [], set()
        for index, sample in items:
            reason = sample.get("error")
            if reason is None:
                try:
                    source = self.task.encode_source(sample)
                    if len(source) == 0:
                        reason = "empty input"
                    else:
                        if len(source) > self.max_source_length:
                            source = source[: self.max_source_length]
                            truncated.add(index)
                        examples.append(Example(index, source, None, self.task.encode_extras(sample)))
                        samples[index] = sample
                except Exception as error:  # a corrupt item is recorded, whatever the reader raised
                    reason = f"{type(error).__name__}: {error}"[:500]
            if reason is not None:
                failed.append((index, sample, reason))
        if truncated:
            log.warning("window %d: truncated %d inputs longer than data.max_source_length=%d",
                        window, len(truncated), self.max_source_length)
        yield from self._batches(window, examples, samples, failed, truncated)

    def _batches(self, window, examples, samples, failed, truncated) -> Iterator[JobBatch]:
        if not examples:
            yield JobBatch(window, None, failed=failed, closes_window=True)
            return
        sampler = TokenBudgetBatchSampler([len(e.source) for e in examples], self.max_tokens, shuffle=False)
        batches = list(sampler)
        for number, positions in enumerate(batches):
            chosen = [examples[p] for p in positions]
            yield JobBatch(window, collate_examples(chosen), {e.id: samples[e.id] for e in chosen},
                           failed=failed if number == 0 else [], truncated={e.id for e in chosen} & truncated,
                           closes_window=number == len(batches) - 1)
