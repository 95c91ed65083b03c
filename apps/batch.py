"""seqcore-batch: run a trained model over a large input, every item once, resumable after a kill.

    seqcore-batch ckpt=runs/mt/checkpoints/last.ckpt input=lines.txt output=out.jsonl
    seqcore-batch ckpt=... input=lines.txt output=out.txt trainer=ddp trainer.devices=2
    torchrun --nproc-per-node 8 -m apps.batch ckpt=... input=... output=... trainer.accelerator=gpu \
        trainer.devices=8 trainer.strategy=ddp hydra.run.dir=outputs/batch/job1
"""
from __future__ import annotations

import sys
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from apps.cli import log, run
from apps.search_choice import chosen_search
from seqcore.batch import BatchJob, JobSettings
from seqcore.checkpoint import load_module
from seqcore.errors import ConfigError
from seqcore.options import check_batch_options, check_search_options
from seqcore.search.common import check_search
from seqcore.trainer import build_trainer

SETTINGS = ("input", "output", "format", "errors", "nbest", "window", "max_tokens", "num_workers", "resumable",
            "keep_parts", "log_every_s")


def batch(cfg: DictConfig) -> None:
    check_batch_options(cfg)  # window, max_tokens, nbest, ...: before the checkpoint loads
    module = load_module(cfg.ckpt)
    search = chosen_search(module.config.search, cfg.search)
    if cfg.nbest > 1:
        if "nbest" not in search:
            raise ConfigError(f"nbest={cfg.nbest} needs a search with an n-best list (e.g. search=beam)")
        search = OmegaConf.merge(search, {"nbest": cfg.nbest})
    module.search = instantiate(search)
    check_search(module.model.head, module.search, "search")
    check_search_options(getattr(module.search, "keywords", {}), "search")  # the checkpoint's search, changes merged
    settings = JobSettings(**{key: cfg[key] for key in SETTINGS})
    fingerprint = {"ckpt": str(Path(cfg.ckpt).resolve()), "search": OmegaConf.to_container(search, resolve=True)}
    with BatchJob(module, settings, fingerprint) as job:  # holds the lock on the output until the job ends
        trainer = build_trainer(cfg.trainer, None, Path(HydraConfig.get().runtime.output_dir),
                                callbacks=job.callbacks())
        summary = job.run(trainer)
    if summary is None:  # not rank 0: rank 0 merges and reports
        return
    print(summary.line())
    log.info(summary.line())
    if cfg.strict and summary.counts.failed:
        print(f"error: {summary.counts.failed} items failed (strict=true)", file=sys.stderr)
        sys.exit(1)


def main() -> None:
    run(batch, "batch")


if __name__ == "__main__":
    main()
