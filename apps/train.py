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
from seqcore.checkpoint import load_task_state
from seqcore.lightning import Seq2SeqModule, TaskDataModule
from seqcore.plugins import check_head
from seqcore.trainer import build_trainer


def train(cfg: DictConfig) -> float | None:
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    _announce(resolved, run_dir)
    pl.seed_everything(cfg.seed, workers=True)
    if cfg.get("threads"):
        torch.set_num_threads(cfg.threads)

    check_head(get_class(cfg.task._target_), cfg.head.name)
    task = instantiate(cfg.task)
    datamodule = TaskDataModule(task, **cfg.data, seed=cfg.seed)
    if cfg.ckpt_path:
        task.load_state_dict(load_task_state(cfg.ckpt_path))
    else:
        datamodule.fit_task()
    module = Seq2SeqModule(resolved, task.state_dict())
    log.info("model: %.2fM parameters", sum(p.numel() for p in module.parameters()) / 1e6)

    trainer = build_trainer(cfg.trainer, cfg.logger, run_dir, monitor=f"valid/{task.main_metric}",
                            mode=task.metric_mode, save_top_k=cfg.checkpoint.save_top_k)
    trainer.fit(module, datamodule, ckpt_path=cfg.ckpt_path)
    if not cfg.test_after_training:
        return None
    best = trainer.checkpoint_callback.best_model_path or None
    results = trainer.test(module, datamodule, ckpt_path=best, verbose=False)[0]
    _report(results, task.main_metric, run_dir, best)
    return results.get(f"test/{task.main_metric}")


@rank_zero_only
def _announce(resolved: dict, run_dir: Path) -> None:
    text = OmegaConf.to_yaml(resolved)
    print(text)
    (run_dir / "config.yaml").write_text(text)
    log.info("run directory: %s", run_dir)


@rank_zero_only
def _report(results: dict, main_metric: str, run_dir: Path, checkpoint: str | None) -> None:
    (run_dir / "test_metrics.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"checkpoint: {checkpoint}")
    print("test " + "  ".join(f"{k.split('/', 1)[1]}={v:.2f}" for k, v in sorted(results.items())))
    print(f"test {main_metric}: {results[f'test/{main_metric}']:.2f}")


def main() -> None:
    run(train, "config")


if __name__ == "__main__":
    main()
