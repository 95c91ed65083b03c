"""Why training stopped, so that a run cut short by a limit says so instead of passing for a full one.

A run is complete when it reached `trainer.max_steps`. Anything else that ends `fit` first (the
clock of `trainer.max_time`, `trainer.max_epochs`, an early-stopping callback) is named with
the step reached, in the log, the final summary and `test_metrics.json`.
"""
from __future__ import annotations

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Timer


def stop_reason(trainer: pl.Trainer) -> str | None:
    """None for a run that reached max_steps (or one bounded by epochs only that ran them all);
    otherwise "stopped by <what> at step N of M"."""
    step, max_steps = trainer.global_step, trainer.max_steps
    if max_steps == -1:
        if trainer.max_epochs in (None, -1) or trainer.current_epoch >= trainer.max_epochs:
            return None
        target = f"epoch {trainer.current_epoch} of {trainer.max_epochs}"
    elif step >= max_steps:
        return None
    else:
        target = f"step {step} of {max_steps}"
    timer = next((callback for callback in trainer.callbacks if isinstance(callback, Timer)), None)
    if timer is not None and timer.time_remaining() is not None and timer.time_remaining() <= 0:
        return f"stopped by the time budget at {target} (trainer.max_time)"
    if max_steps != -1 and trainer.max_epochs not in (None, -1) and trainer.current_epoch >= trainer.max_epochs:
        return f"stopped by trainer.max_epochs={trainer.max_epochs} at {target}"
    return f"stopped early (a callback or a signal) at {target}"
