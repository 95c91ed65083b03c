"""Writing checkpoints so that no training progress and no earlier checkpoint is ever lost.

Two guarantees, each a small piece Lightning accepts as it is:
- `AtomicCheckpointIO` (a Trainer plugin) writes every checkpoint to a temporary file in the
  target's directory, fsyncs it and renames it over the target. A kill, a full disk or a
  write error during saving leaves the previous file whole, never a truncated one at the
  final path, and the error is one line naming the path.
- `LastCheckpoint` (a callback) rewrites `last.ckpt` every `every_n_steps` optimizer steps and
  when training ends, whether or not the validation metric improved, so a kill -9 at any
  moment loses at most `every_n_steps` steps. The best-by-metric checkpoint is Lightning's
  `ModelCheckpoint`'s business, apart from this. With `keep_every_n_steps` it also keeps a
  numbered `step-<N>.ckpt` (weights only) every that many steps, never overwritten: the
  checkpoints `seqcore-average last=N` averages.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
import torch
from pytorch_lightning.plugins.io import TorchCheckpointIO

from seqcore.atomic_files import atomic_write

LAST = "last.ckpt"
STEP = "step-{step}.ckpt"
_STEP_NAME = re.compile(r"step-(\d+)\.ckpt")


class AtomicCheckpointIO(TorchCheckpointIO):
    """Lightning's torch checkpoint IO, with the write made atomic (see `atomic_write`)."""

    def save_checkpoint(self, checkpoint: dict[str, Any], path, storage_options: Any = None) -> None:
        atomic_write(path, lambda handle: torch.save(checkpoint, handle))


def step_checkpoints(directory: str | Path) -> dict[int, Path]:
    """The `step-<N>.ckpt` files of a checkpoint directory, by step N."""
    files = Path(directory).expanduser().glob("step-*.ckpt")
    return {int(match[1]): file for file in files if (match := _STEP_NAME.fullmatch(file.name))}


class LastCheckpoint(pl.Callback):
    """Keeps `<directory>/last.ckpt` at most `every_n_steps` optimizer steps behind training and,
    when `keep_every_n_steps` is set, `<directory>/step-<N>.ckpt` (weights only: for averaging
    and evaluation; last.ckpt resumes) at every multiple N of it."""

    def __init__(self, directory: str | Path, every_n_steps: int, keep_every_n_steps: int | None = None):
        self.path = Path(directory) / LAST
        self.every_n_steps = every_n_steps
        self.keep_every_n_steps = keep_every_n_steps
        self._saved_step = self._kept_step = -1

    def on_train_batch_end(self, trainer: pl.Trainer, *args) -> None:
        # global_step counts optimizer steps: with gradient accumulation, several batches share one
        step = trainer.global_step
        if step > 0 and step % self.every_n_steps == 0:
            self._save(trainer)
        if self.keep_every_n_steps and step > 0 and step % self.keep_every_n_steps == 0 and step != self._kept_step:
            trainer.save_checkpoint(self.path.with_name(STEP.format(step=step)), weights_only=True)
            self._kept_step = step

    def on_train_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        self._save(trainer)

    def _save(self, trainer: pl.Trainer) -> None:
        if trainer.global_step == self._saved_step or trainer.sanity_checking:
            return
        trainer.save_checkpoint(self.path, weights_only=False)  # every rank calls it; rank 0 writes
        self._saved_step = trainer.global_step
