"""Averaging the weights of the last checkpoints of a run: one model, usually better than each.

Vaswani et al. (2017) report their Transformer's results with the mean of the last 5 (base) or
20 (big) checkpoints, and fairseq, OpenNMT and ESPnet ship the same tool: late checkpoints of one
run lie close together, so their mean is a smoother model at no training cost.

- Every file is read by `read_checkpoint` (weights only, config checked), one at a time: memory
  holds the running sum, the first checkpoint and the current one.
- They must be checkpoints of the same model: the same parameter names and shapes, the same
  `task`, `model` and `head` config and the same task state (vocabularies). The first difference
  fails in one line naming it. How each was trained (trainer, optim, callbacks, data, search,
  checkpoint, ckpt_path, ...) may differ, as between a run and its resumption.
- Floating-point tensors are averaged (summed in float64, stored in their own dtype); integer
  buffers (counters) are the last checkpoint's.
- The result is a weights-only checkpoint, as Lightning's `save_weights_only` writes: the last
  checkpoint's hyper_parameters (config, task state), epoch and step, no optimizer state. It
  evaluates and decodes (seqcore-eval, seqcore-batch) and can start a new run (init_from=); it
  cannot resume one.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import torch

from seqcore.atomic_files import atomic_write
from seqcore.checkpoint import read_checkpoint
from seqcore.checkpoint_writing import step_checkpoints
from seqcore.errors import ConfigError, DataError

MODEL_SECTIONS = ("task", "model", "head")  # the config that decides what the weights mean
KEPT = ("epoch", "global_step", "pytorch-lightning_version", "hparams_name", "hyper_parameters")


def newest_step_checkpoints(directory: str, count: int) -> list[str]:
    """The `count` step-<N>.ckpt files of `directory` with the highest N, oldest first."""
    found = step_checkpoints(directory)
    if len(found) < count:
        raise DataError(f"{directory}: {len(found)} step-<N>.ckpt files, {count} asked for (last={count}); "
                        f"training keeps them with checkpoint.keep_every_n_steps=")
    return [str(found[step]) for step in sorted(found)[-count:]]


def average_into(inputs: Sequence[str], output: str) -> dict:
    """Average the checkpoints `inputs` into the new file `output` (written atomically, never over
    an input); the averaged checkpoint."""
    target = Path(output).expanduser().resolve()
    if any(Path(path).expanduser().resolve() == target for path in inputs):
        raise ConfigError(f"output={output} is one of the checkpoints averaged: write the average to a new file")
    checkpoint = average_checkpoints(inputs)
    atomic_write(target, lambda handle: torch.save(checkpoint, handle))
    return checkpoint


def average_checkpoints(paths: Sequence[str]) -> dict:
    """The weights-only checkpoint whose floating-point tensors are the mean of the checkpoints'."""
    first, total = None, {}
    for path in paths:
        latest = read_checkpoint(path)
        if first is None:
            first = latest
        else:
            check_same_model(first, paths[0], latest, path)
        for name, value in latest["state_dict"].items():
            total[name] = (total.get(name, 0) + value.double()) if value.is_floating_point() else value
    weights = latest["state_dict"]
    average = {name: (value / len(paths)).to(weights[name].dtype) if weights[name].is_floating_point() else value
               for name, value in total.items()}
    return {**{key: latest[key] for key in KEPT if key in latest}, "state_dict": average,
            "averaged_checkpoints": [str(path) for path in paths]}


def check_same_model(reference: dict, reference_path: str, other: dict, other_path: str) -> None:
    """Fail naming the first parameter, config key or task state entry in which `other` differs."""
    def shapes(checkpoint: dict) -> dict:
        return {name: tuple(value.shape) for name, value in checkpoint["state_dict"].items()}

    def sections(checkpoint: dict) -> dict:
        config = checkpoint["hyper_parameters"]["config"]
        return {"config": {section: config.get(section) for section in MODEL_SECTIONS},
                "task_state": checkpoint["hyper_parameters"]["task_state"]}

    for what, view in (("shape of parameter ", shapes), ("", sections)):
        difference = _first_difference(view(reference), view(other))
        if difference:
            key, mine, theirs = difference
            raise DataError(f"{other_path}: {what}{key} is {_shown(theirs)}, {reference_path}'s {_shown(mine)}: "
                            f"checkpoints of different models cannot be averaged")


def _first_difference(mine: Any, theirs: Any, key: str = "") -> tuple[str, Any, Any] | None:
    """(dotted key, mine, theirs) of the first entry in which two nested dicts differ, in key order."""
    if not (isinstance(mine, dict) and isinstance(theirs, dict)):
        tensors = isinstance(mine, torch.Tensor), isinstance(theirs, torch.Tensor)  # a plugin's state may hold one
        same = torch.equal(mine, theirs) if all(tensors) else not any(tensors) and mine == theirs
        return None if same else (key, mine, theirs)
    for name in sorted(mine.keys() | theirs.keys(), key=str):
        difference = _first_difference(mine.get(name), theirs.get(name), f"{key}.{name}" if key else str(name))
        if difference:
            return difference
    return None


def _shown(value: Any) -> str:
    """A value short enough for a one-line error (a parameter's shape, a config value, a vocabulary)."""
    text = "absent" if value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
