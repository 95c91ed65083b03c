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
from pytorch_lightning.callbacks import LearningRateMonitor

from seqcore.checkpoint_writing import AtomicCheckpointIO
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


def build_callbacks(callbacks_cfg: DictConfig, run_dir: Path, monitor: str, mode: str) -> list[pl.Callback]:
    """The `callbacks` group's callbacks; the two checkpoint callbacks get the run's directory, and
    the best-checkpoint one the task's validation metric, which only the run knows."""
    directory = run_dir / "checkpoints"
    runtime = {"best_checkpoint": {"dirpath": directory, "monitor": monitor, "mode": mode},
               "last_checkpoint": {"directory": directory}}
    try:
        return [instantiate(cfg, **runtime.get(name, {})) for name, cfg in callbacks_cfg.items() if cfg]
    except Exception as error:  # hydra wraps the callback's own error
        raise ConfigError(f"callbacks: {error}".splitlines()[0]) from None


def build_trainer(trainer_cfg: DictConfig, logger_cfg: DictConfig | None, run_dir: Path,
                  callbacks: list[pl.Callback] = ()) -> pl.Trainer:
    """Checkpoints are written atomically (`AtomicCheckpointIO`) by every trainer built here."""
    check_trainer_args(trainer_cfg)
    loggers = [instantiate(cfg, save_dir=str(run_dir)) for cfg in (logger_cfg or {}).values()]
    callbacks = [callback for callback in callbacks if loggers or not isinstance(callback, LearningRateMonitor)]
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

