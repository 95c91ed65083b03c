"""Build the Lightning Trainer from the `trainer` and `logger` configs, with seqcore's callbacks.

`trainer.*` keys are passed to `pytorch_lightning.Trainer` unchanged; this module only checks
them first so that a typo or a wrong type fails with a message naming the key, not deep
inside Lightning.
"""
from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytorch_lightning as pl
from hydra.utils import instantiate
from omegaconf import DictConfig
from pytorch_lightning.callbacks import LearningRateMonitor, ModelCheckpoint

from seqcore.checkpoint_writing import AtomicCheckpointIO, LastCheckpoint
from seqcore.errors import ConfigError
from seqcore.progress import LogProgress


def check_trainer_args(trainer_cfg: DictConfig) -> None:
    parameters = inspect.signature(pl.Trainer.__init__).parameters
    for key, value in trainer_cfg.items():
        if key == "_target_":
            continue
        if key not in parameters:
            raise ConfigError(f"trainer.{key} is not a pytorch_lightning.Trainer argument")
        default = parameters[key].default
        numeric = isinstance(default, (int, float)) and not isinstance(default, bool)
        if numeric and isinstance(value, str) and key not in ("precision", "devices", "val_check_interval"):
            raise ConfigError(f"trainer.{key}={value!r} must be a number")


def checkpoint_callbacks(run_dir: Path, checkpoint_cfg: DictConfig, monitor: str, mode: str) -> list[pl.Callback]:
    """The best `save_top_k` checkpoints by the validation metric, and `last.ckpt` refreshed every
    `checkpoint.every_n_steps` steps and at the end, independently of the best ones."""
    directory = run_dir / "checkpoints"
    return [ModelCheckpoint(dirpath=directory, filename="best-{step}", monitor=monitor, mode=mode,
                            save_top_k=checkpoint_cfg.save_top_k, save_last=False, auto_insert_metric_name=False),
            LastCheckpoint(directory, checkpoint_cfg.every_n_steps)]


def build_trainer(trainer_cfg: DictConfig, logger_cfg: DictConfig | None, run_dir: Path,
                  callbacks: list[pl.Callback] = ()) -> pl.Trainer:
    """Checkpoints are written atomically (`AtomicCheckpointIO`) by every trainer built here."""
    check_trainer_args(trainer_cfg)
    loggers = [instantiate(cfg, save_dir=str(run_dir)) for cfg in (logger_cfg or {}).values()]
    callbacks = list(callbacks)
    if loggers:
        callbacks.append(LearningRateMonitor(logging_interval="step"))
    progress_bar = trainer_cfg.get("enable_progress_bar", True)
    if progress_bar and not sys.stderr.isatty():  # a log file gets plain lines, not a bar
        callbacks.append(LogProgress(every_n_steps=max(1, trainer_cfg.get("log_every_n_steps", 50))))
    try:
        return instantiate(trainer_cfg, logger=loggers or False, callbacks=callbacks, default_root_dir=str(run_dir),
                           enable_progress_bar=progress_bar and sys.stderr.isatty(), plugins=[AtomicCheckpointIO()])
    except (TypeError, ValueError) as error:
        raise ConfigError(f"trainer: {error}") from None
    except pl.utilities.exceptions.MisconfigurationException as error:
        raise ConfigError(f"trainer: {error}") from None

