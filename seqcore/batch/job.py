"""One batch job: a trained module over a user's input, through `Trainer.predict`, resumably.

The pieces: `stream.py` reads and batches the input per rank, the module decodes, `writer.py`
commits each window's outputs as a part (`parts.py`), and rank 0 merges the parts in input
order (`merge.py`) once every rank is through. Ranks and nodes come from Lightning
(`trainer.devices`, `trainer.num_nodes`, torchrun or SLURM environments), so the same job
runs on one CPU or many GPUs.

A job writes no file that is not its own: before reading its input it refuses an output or
errors path that is the input or each other (`paths.py`), takes a lock on both (`lock.py`),
and refuses existing files that are not its own finished outputs (`finished.py`). A rerun of
a finished job reports it done without decoding. Use it as a context manager, so the lock is
released however the job ends.
"""
from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.utilities.rank_zero import rank_zero_only
from torch.utils.data import DataLoader

from seqcore.atomic_files import remove_stale_temporaries
from seqcore.batch.finished import finished_counts, record_path, write_record
from seqcore.batch.lock import OutputLock
from seqcore.batch.merge import MergeCounts, merge_parts
from seqcore.batch.parts import PartsDirectory
from seqcore.batch.paths import check_paths
from seqcore.batch.progress import ItemProgress
from seqcore.batch.stream import BatchJobStream
from seqcore.batch.writer import PartWriter
from seqcore.errors import ConfigError


@dataclass
class JobSettings:
    input: str
    output: str
    format: str = "auto"  # jsonl | text | auto (text for a .txt output)
    errors: str | None = None  # default: <output stem>.errors.jsonl beside the output
    nbest: int = 1
    window: int = 1024  # items read, sorted and committed together
    max_tokens: int = 8192
    num_workers: int = 0
    resumable: bool = True
    keep_parts: bool = False
    log_every_s: float = 30.0

    def __post_init__(self):
        """Wrong settings fail before any input is read."""
        if self.format not in ("auto", "jsonl", "text"):
            raise ConfigError(f"format={self.format!r} must be jsonl, text or auto")

    @property
    def text_output(self) -> bool:
        return self.format == "text" or (self.format == "auto" and Path(self.output).suffix in (".txt", ".text"))

    @property
    def output_format(self) -> str:
        """The format the output is written in (what `format=auto` chose)."""
        return "text" if self.text_output else "jsonl"

    @property
    def errors_path(self) -> Path:
        output = Path(self.output)
        return Path(self.errors) if self.errors else output.with_name(f"{output.stem}.errors.jsonl")


@dataclass
class JobSummary:
    counts: MergeCounts
    decoded_now: int  # items this run decoded (fewer than the total when it resumed a job)
    seconds: float
    output: Path
    errors: Path
    already_done: bool = False  # a rerun of a finished job: nothing was decoded or written

    @property
    def items_per_second(self) -> float:
        return self.decoded_now / max(self.seconds, 1e-9)

    def line(self) -> str:
        c = self.counts
        if self.already_done:
            return (f"batch: {c.total} items: {c.done} done, {c.failed} failed, {c.truncated} truncated; already "
                    f"finished: {self.output} is this job's output, nothing decoded (delete it to run the job again)")
        return (f"batch: {c.total} items: {c.done} done, {c.failed} failed, {c.truncated} truncated; "
                f"{self.decoded_now} decoded in this run at {self.items_per_second:.1f} items/s; "
                f"wrote {self.output}" + (f" (failures in {self.errors})" if c.failed else ""))


class BatchJob:
    """`with BatchJob(module, settings, fingerprint) as job:` give `callbacks()` to the Trainer,
    then `job.run(trainer)`. `fingerprint` holds what identifies the model and search (checkpoint
    path, search config): with the input, window, nbest and format it makes the job's record."""

    def __init__(self, module, settings: JobSettings, fingerprint: dict):
        self.module, self.settings = module, settings
        self.output, self.errors = Path(settings.output), settings.errors_path
        check_paths(settings.input, self.output, self.errors)
        self.job = {**fingerprint, "input": str(Path(settings.input).resolve()), "window": settings.window,
                    "nbest": settings.nbest, "format": settings.output_format}
        self.parts = PartsDirectory(settings.output, durable=settings.resumable)
        self.rank = rank_zero_only.rank
        self.lock = OutputLock([self.output, self.errors])
        if self.rank == 0:  # the other ranks of a DDP job run inside rank 0's lifetime (see lock.py)
            self.lock.acquire()
        try:
            self._prepare(module.task)
        except BaseException:
            self.lock.release()
            raise

    def _prepare(self, task) -> None:
        settings = self.settings
        self.finished = finished_counts(self.output, self.errors, self.job)
        if self.finished is not None:
            if self.rank == 0 and not settings.keep_parts and self.parts.recorded_job() == self.job:
                self.parts.remove()  # a kill after the merge left them
            return
        if self.rank == 0:  # under the lock: what killed runs of this job left half-written
            for path in (self.output, self.errors, record_path(self.output)):
                remove_stale_temporaries(path)
            self.parts.remove_stale_temporaries()
        self.total = sum(1 for _ in task.read_inputs(settings.input))
        done = self.parts.prepare(self.job, self.rank)
        self.remaining = self.total - sum(done)
        self.stream = BatchJobStream(task, lambda: task.read_inputs(settings.input), done, settings.window,
                                     settings.max_tokens, self.module.config.data.max_source_length)
        self.writer = PartWriter(task, self.parts, settings.nbest, self.output.parent / f"{self.output.stem}_files")
        self.progress = ItemProgress(self.remaining, settings.log_every_s)

    def __enter__(self) -> "BatchJob":
        return self

    def __exit__(self, *exc_info) -> None:
        self.lock.release()

    def callbacks(self) -> list[pl.Callback]:
        return [] if self.finished is not None else [self.writer, self.progress]

    def run(self, trainer: pl.Trainer) -> JobSummary | None:
        """Decode what is left, then (rank 0) merge; other ranks return None."""
        if self.finished is not None:
            return JobSummary(self.finished, 0, 0.0, self.output, self.errors, already_done=True) \
                if self.rank == 0 else None
        self.progress.expected = -(-self.remaining // trainer.world_size)
        decoded_now, seconds = 0, 0.0
        if self.remaining:  # (all ranks agree: they read the same parts)
            # length-sorted batches carry their items' indices; Lightning's batch indices are not needed
            warnings.filterwarnings("ignore", message="Couldn't infer the batch indices")
            loader = DataLoader(self.stream, batch_size=None, num_workers=self.settings.num_workers)
            trainer.predict(self.module, dataloaders=loader, return_predictions=False)
            trainer.strategy.barrier()
            decoded_now = int(trainer.strategy.reduce(torch.tensor(float(self.progress.items)), reduce_op="sum"))
            seconds = self.progress.seconds
        if not trainer.is_global_zero:
            return None
        counts = merge_parts(self.parts.part_files(), self.total, self.output, self.errors, self.settings.text_output,
                             before_commit=functools.partial(write_record, self.output, self.errors, self.job),
                             hint=f"the decoded parts are kept in {self.parts.path}: rerun the same command")
        if not self.settings.keep_parts:
            self.parts.remove()
        return JobSummary(counts, decoded_now, seconds, self.output, self.errors)
