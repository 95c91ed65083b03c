"""One batch job: a trained module over a user's input, through `Trainer.predict`, resumably.

The pieces: `stream.py` reads and batches the input per rank, the module decodes, `writer.py`
commits each window's outputs as a part (`parts.py`), and rank 0 merges the parts in input
order (`merge.py`) once every rank is through. Ranks and nodes come from Lightning
(`trainer.devices`, `trainer.num_nodes`, torchrun or SLURM environments), so the same job
runs on one CPU or many GPUs.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.utilities.rank_zero import rank_zero_only
from torch.utils.data import DataLoader

from seqcore.batch.merge import MergeCounts, merge_parts
from seqcore.batch.parts import PartsDirectory
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
        if self.window < 1 or self.nbest < 1:
            raise ConfigError("window and nbest must be at least 1")

    @property
    def text_output(self) -> bool:
        return self.format == "text" or (self.format == "auto" and Path(self.output).suffix in (".txt", ".text"))

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

    @property
    def items_per_second(self) -> float:
        return self.decoded_now / max(self.seconds, 1e-9)

    def line(self) -> str:
        c = self.counts
        return (f"batch: {c.total} items: {c.done} done, {c.failed} failed, {c.truncated} truncated; "
                f"{self.decoded_now} decoded in this run at {self.items_per_second:.1f} items/s; "
                f"wrote {self.output}" + (f" (failures in {self.errors})" if c.failed else ""))


class BatchJob:
    """Build with the settings, give `callbacks()` to the Trainer, then `run(module, trainer)`."""

    def __init__(self, module, settings: JobSettings, fingerprint: dict):
        self.module, self.settings = module, settings
        task = module.task
        self.total = sum(1 for _ in task.read_inputs(settings.input))
        self.parts = PartsDirectory(settings.output, durable=settings.resumable)
        job = {**fingerprint, "input": str(Path(settings.input).resolve()), "window": settings.window,
               "nbest": settings.nbest}
        done = self.parts.prepare(job, rank_zero_only.rank)
        self.remaining = self.total - sum(done)
        self.stream = BatchJobStream(task, lambda: task.read_inputs(settings.input), done, settings.window,
                                     settings.max_tokens, module.config.data.max_source_length)
        output = Path(settings.output)
        self.writer = PartWriter(task, self.parts, settings.nbest, output.parent / f"{output.stem}_files")
        self.progress = ItemProgress(self.remaining, settings.log_every_s)

    def callbacks(self) -> list[pl.Callback]:
        return [self.writer, self.progress]

    def run(self, trainer: pl.Trainer) -> JobSummary | None:
        """Decode what is left, then (rank 0) merge; other ranks return None."""
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
        output, errors = Path(self.settings.output), self.settings.errors_path
        counts = merge_parts(self.parts.part_files(), self.total, output, errors, self.settings.text_output)
        if not self.settings.keep_parts:
            self.parts.remove()
        return JobSummary(counts, decoded_now, seconds, output, errors)
