"""The optimizer named in the `optim` config, with parameter groups, and its warmup learning-rate
schedule (inverse square root, cosine or constant), stepped per update.

Weight decay pulls weights toward zero; on biases, normalization gains and embedding rows that is
not regularization but damage (a LayerNorm gain decayed toward 0, rare tokens' rows shrunk
between their updates), so those go into a group decayed by 0 (`optim.no_weight_decay`), as in
BERT, GPT-2 and fairseq.

A cosine schedule ends at `total_steps` or, when training has a time budget (`trainer.max_time`),
when the budget is spent, whichever comes first: a run cut short by its clock on a slow or busy
machine still anneals to its final learning rate instead of stopping at a high one.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
from hydra.utils import get_class
from omegaconf import DictConfig, OmegaConf
from torch import nn

from seqcore.errors import ConfigError

SCHEDULES = ("inverse_sqrt", "cosine", "constant")
SCHEDULE_KEYS = ("schedule", "warmup_steps", "min_lr_ratio", "no_weight_decay")
NO_DECAY_KINDS = {"bias": None, "norm": (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._NormBase, nn.RMSNorm),
                  "embedding": (nn.Embedding,)}


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


def parameter_groups(model: nn.Module, weight_decay: float, no_weight_decay) -> list[dict]:
    """Trainable parameters in two groups: decayed by `weight_decay`, and decayed by 0 (the kinds
    named in `no_weight_decay`: "bias" = every 1-d parameter, "norm" = normalization layers,
    "embedding" = embedding tables, tied output projections included)."""
    unknown = sorted(set(no_weight_decay) - set(NO_DECAY_KINDS))
    if unknown:
        raise ConfigError(f"optim.no_weight_decay: unknown kind {unknown[0]!r}; kinds: {', '.join(NO_DECAY_KINDS)}")
    layer_types = tuple(t for kind in no_weight_decay if NO_DECAY_KINDS[kind] for t in NO_DECAY_KINDS[kind])
    exempt = {id(p) for module in model.modules() if layer_types and isinstance(module, layer_types)
              for p in module.parameters(recurse=False)}
    decayed, undecayed = [], []
    for parameter in model.parameters():
        if parameter.requires_grad:
            flat = parameter.ndim < 2 and "bias" in no_weight_decay
            (undecayed if flat or id(parameter) in exempt else decayed).append(parameter)
    return [group for group in ({"params": decayed, "weight_decay": weight_decay},
                                {"params": undecayed, "weight_decay": 0.0}) if group["params"]]


def build_optimizer(model: nn.Module, optim_cfg: DictConfig, total_steps: int,
                    time_spent: Callable[[], float] | None = None):
    """Optimizer + LambdaLR from the `optim` config; bad values fail naming the key. `time_spent()`
    gives the fraction of the training time budget used, where there is one."""
    if optim_cfg.schedule not in SCHEDULES:
        raise ConfigError(f"optim.schedule={optim_cfg.schedule!r} is not one of {', '.join(SCHEDULES)}")
    for key in ("lr", "weight_decay", "warmup_steps", "min_lr_ratio"):
        value = optim_cfg[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"optim.{key} must be a non-negative number, got {value!r}")
    if optim_cfg.schedule != "cosine":
        time_spent = None  # only the cosine reads the clock: no timer lookup or rank broadcast per step
    arguments = {key: value for key, value in OmegaConf.to_container(optim_cfg, resolve=True).items()
                 if key not in SCHEDULE_KEYS and key != "_target_"}
    groups = parameter_groups(model, arguments.pop("weight_decay"), optim_cfg.no_weight_decay)
    try:
        optimizer = get_class(optim_cfg._target_)(groups, **arguments)
    except (TypeError, ValueError, ImportError) as error:
        raise ConfigError(f"optim: {optim_cfg._target_}: {error}") from None
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: lr_multiplier(
        step, optim_cfg.schedule, int(optim_cfg.warmup_steps), total_steps, optim_cfg.min_lr_ratio,
        time_spent() if time_spent else 0.0))
    return optimizer, scheduler
