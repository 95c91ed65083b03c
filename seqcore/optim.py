"""AdamW with a warmup learning-rate schedule (inverse square root or cosine), stepped per update.

A cosine schedule ends at `total_steps` or, when training has a time budget (`trainer.max_time`),
when the budget is spent, whichever comes first: a run cut short by its clock on a slow or busy
machine still anneals to its final learning rate instead of stopping at a high one.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from seqcore.errors import ConfigError

SCHEDULES = ("inverse_sqrt", "cosine", "constant")


def lr_multiplier(step: int, schedule: str, warmup_steps: int, total_steps: int, min_ratio: float,
                  time_spent: float = 0.0) -> float:
    """Factor applied to the peak learning rate after `step` optimizer updates, with `time_spent`
    the fraction of the time budget used so far (0 without one)."""
    step = step + 1
    if step <= warmup_steps:
        return step / max(1, warmup_steps)
    if schedule == "inverse_sqrt":
        return math.sqrt(warmup_steps / step) if warmup_steps else 1.0 / math.sqrt(step)
    if schedule == "cosine":
        progress = min(1.0, max((step - warmup_steps) / max(1, total_steps - warmup_steps), time_spent))
        return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))
    return 1.0


def build_optimizer(parameters, optim_cfg, total_steps: int, time_spent: Callable[[], float] | None = None):
    """AdamW + LambdaLR from the `optim` config; bad values fail naming the key. `time_spent()`
    gives the fraction of the training time budget used, where there is one."""
    if optim_cfg.schedule not in SCHEDULES:
        raise ConfigError(f"optim.schedule={optim_cfg.schedule!r} is not one of {', '.join(SCHEDULES)}")
    for key in ("lr", "weight_decay", "warmup_steps", "min_lr_ratio"):
        value = optim_cfg[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"optim.{key} must be a non-negative number, got {value!r}")
    if optim_cfg.schedule != "cosine":
        time_spent = None  # only the cosine reads the clock: no timer lookup or rank broadcast per step
    optimizer = torch.optim.AdamW(parameters, lr=optim_cfg.lr, betas=tuple(optim_cfg.betas),
                                  weight_decay=optim_cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: lr_multiplier(
        step, optim_cfg.schedule, int(optim_cfg.warmup_steps), total_steps, optim_cfg.min_lr_ratio,
        time_spent() if time_spent else 0.0))
    return optimizer, scheduler
