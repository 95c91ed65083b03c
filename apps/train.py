"""seqcore-train: train a task from the Hydra CLI, then test the best checkpoint.

    seqcore-train task=translation model=transformer head=attention trainer=cpu
    python -m apps.train trainer=ddp trainer.max_steps=2000 hydra.run.dir=runs/mt
"""
from __future__ import annotations

import json
from pathlib import Path

import pytorch_lightning as pl
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.utils import get_class, instantiate
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.utilities import rank_zero_only

from apps.cli import log, run
from seqcore.atomic_files import atomic_write_text
from seqcore.checkpoint import check_weights, read_checkpoint
from seqcore.errors import ConfigError
from seqcore.init_from import initialize_from
from seqcore.lightning import Seq2SeqModule, TaskDataModule
from seqcore.model import head_uses_decoder
from seqcore.options import check_training_options
from seqcore.plugins import check_head
from seqcore.stopping import stop_reason
from seqcore.trainer import build_callbacks, build_trainer


def train(cfg: DictConfig) -> float | None:
    check_training_options(cfg)  # seed, steps, data budgets, search values: before any data or model work
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    if cfg.model.get("decoder") is not None and not head_uses_decoder(cfg.head):
        cfg.model.decoder = None  # the printed and saved config shows only what is built
    resolved = OmegaConf.to_container(cfg, resolve=True)
    _announce(resolved, run_dir)
    pl.seed_everything(cfg.seed, workers=True)
    if cfg.get("threads"):
        torch.set_num_threads(cfg.threads)

    check_head(get_class(cfg.task._target_), cfg.head.name)
    task = instantiate(cfg.task)
    datamodule = TaskDataModule(task, **cfg.data, seed=cfg.seed)
    resumed = read_checkpoint(cfg.ckpt_path) if cfg.ckpt_path else None
    pretrained = read_checkpoint(cfg.init_from) if cfg.init_from else None  # a bad file fails before the data work
    if resumed:
        _check_same_task(resumed, cfg)
        task.load_state_dict(resumed["hyper_parameters"]["task_state"])
    else:
        datamodule.fit_task()
    module = Seq2SeqModule(resolved, task.state_dict(), task)
    if resumed:
        check_weights(module, resumed["state_dict"], cfg.ckpt_path)
        del resumed  # Lightning reads the file again to restore the optimizer and loops
    elif pretrained:
        log.info(initialize_from(module, pretrained, cfg.init_from, cfg.init_from_freeze))
        del pretrained
    log.info("model: %.2fM parameters", sum(p.numel() for p in module.parameters()) / 1e6)

    if cfg.test_before_training:
        _test_before_training(module, datamodule, cfg, run_dir)
    callbacks = build_callbacks(cfg.callbacks, run_dir, f"valid/{task.main_metric}", task.metric_mode)
    trainer = build_trainer(cfg.trainer, cfg.logger, run_dir, callbacks=callbacks)
    trainer.fit(module, datamodule, ckpt_path=cfg.ckpt_path, weights_only=True)
    stopped = stop_reason(trainer)
    if stopped:
        log.warning("training %s", stopped)
    if not cfg.test_after_training:
        return None
    best = getattr(trainer.checkpoint_callback, "best_model_path", None) or None  # none without that callback
    results = trainer.test(module, datamodule, ckpt_path=best, verbose=False, weights_only=True)[0]
    _report(results, task.main_metric, run_dir, best, stopped)
    return results.get(f"test/{task.main_metric}")


def _test_before_training(module: Seq2SeqModule, datamodule: TaskDataModule, cfg: DictConfig, run_dir: Path) -> None:
    """The test split scored with the weights training starts from (a trainer of its own, no logger)."""
    results = build_trainer(cfg.trainer, None, run_dir).test(module, datamodule, verbose=False)[0]
    _write_metrics(run_dir / "test_metrics_before_training.json", {**results, "weights": cfg.init_from or "fresh"})
    log.info("before training: test %s", "  ".join(f"{k.split('/', 1)[1]}={v:.2f}" for k, v in sorted(results.items())))


def _check_same_task(checkpoint: dict, cfg: DictConfig) -> None:
    """Resuming continues the same run: a checkpoint of another task cannot be resumed as this one."""
    trained = checkpoint["hyper_parameters"]["config"]["task"]["_target_"]
    if trained != cfg.task._target_:
        raise ConfigError(f"ckpt_path={cfg.ckpt_path} is a checkpoint of {trained}, not of {cfg.task._target_}; "
                          f"resume it with its own task (init_from= would start a new run from its weights)")


@rank_zero_only
def _announce(resolved: dict, run_dir: Path) -> None:
    text = OmegaConf.to_yaml(resolved)
    print(text)
    atomic_write_text(run_dir / "config.yaml", text)
    log.info("run directory: %s", run_dir)


@rank_zero_only
def _report(results: dict, main_metric: str, run_dir: Path, checkpoint: str | None, stopped: str | None) -> None:
    """Test metrics, with `training` saying whether training ran its course or what cut it short."""
    _write_metrics(run_dir / "test_metrics.json", {**results, "training": stopped or "completed: reached trainer.max_steps"})
    print(f"checkpoint: {checkpoint}")
    print("test " + "  ".join(f"{k.split('/', 1)[1]}={v:.2f}" for k, v in sorted(results.items())))
    print(f"test {main_metric}: {results[f'test/{main_metric}']:.2f}" + (f"  (training {stopped})" if stopped else ""))


@rank_zero_only
def _write_metrics(path: Path, record: dict) -> None:
    atomic_write_text(path, json.dumps(record, indent=2) + "\n")


def main() -> None:
    run(train, "config")


if __name__ == "__main__":
    main()
