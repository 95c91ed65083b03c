"""seqcore-average: average the weights of several checkpoints of one model into a new checkpoint.

    seqcore-average inputs=[a.ckpt,b.ckpt,c.ckpt] output=avg.ckpt
    seqcore-average last=5 dir=runs/mt/checkpoints output=avg.ckpt
    seqcore-eval ckpt=avg.ckpt split=test

What is averaged and checked: seqcore/checkpoint_averaging.py.
"""
from __future__ import annotations

from omegaconf import DictConfig

from apps.cli import run
from seqcore.checkpoint_averaging import average_into, newest_step_checkpoints
from seqcore.errors import ConfigError


def average(cfg: DictConfig) -> None:
    checkpoint = average_into(_inputs(cfg), cfg.output)
    averaged = checkpoint["averaged_checkpoints"]
    print(f"averaged {len(averaged)} checkpoints into {cfg.output}: " + ", ".join(averaged))


def _inputs(cfg: DictConfig) -> list[str]:
    """The checkpoints named by `inputs=`, or the `last=` newest step checkpoints of `dir=`."""
    if (cfg.inputs is None) == (cfg.last is None and cfg.dir is None):
        raise ConfigError("give either inputs=[a.ckpt,b.ckpt,...] or last=N dir=<run>/checkpoints")
    if cfg.inputs is not None:
        if isinstance(cfg.inputs, str) or not cfg.inputs:
            raise ConfigError(f"inputs={cfg.inputs!r} must be a non-empty list of checkpoints: inputs=[a.ckpt,b.ckpt]")
        return [str(path) for path in cfg.inputs]
    if not isinstance(cfg.last, int) or isinstance(cfg.last, bool) or cfg.last < 1 or cfg.dir is None:
        raise ConfigError(f"last={cfg.last} dir={cfg.dir}: last must be a count of at least 1, dir a checkpoint folder")
    return newest_step_checkpoints(cfg.dir, cfg.last)


def main() -> None:
    run(average, "average")


if __name__ == "__main__":
    main()
