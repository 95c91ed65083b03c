"""seqcore-eval: score a checkpoint on a split (files to translate or transcribe: seqcore-batch).

    seqcore-eval ckpt=outputs/.../checkpoints/last.ckpt split=test
    seqcore-eval ckpt=... split=test data_path=[my.de,my.en] search.beam_size=10
"""
from __future__ import annotations

import json
from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig

from apps.cli import log, run
from apps.search_choice import chosen_search
from seqcore.atomic_files import atomic_write_text
from seqcore.checkpoint import load_module
from seqcore.errors import ConfigError
from seqcore.lightning import TaskDataModule
from seqcore.options import check_data_options, check_search_options
from seqcore.search.common import check_search
from seqcore.trainer import build_trainer


def evaluate(cfg: DictConfig) -> dict | None:
    check_data_options(cfg.data)  # before the checkpoint loads
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    module = load_module(cfg.ckpt)
    module.search = instantiate(chosen_search(module.config.search, cfg.search))
    check_search(module.model.head, module.search, "search")
    check_search_options(getattr(module.search, "keywords", {}), "search")  # the checkpoint's search, changes merged
    data = module.config.data
    if cfg.split not in ("train", "valid", "test"):
        raise ConfigError(f"split={cfg.split!r} must be one of train, valid, test")
    if cfg.data_path is not None:
        if not isinstance(getattr(module.task, "paths", None), dict):
            raise ConfigError(f"data_path=: task {type(module.task).__name__} reads no files of its own (it has no "
                              f"`paths` dict of split -> location, see the README's plugin contract)")
        module.task.paths[cfg.split] = cfg.data_path
    datamodule = TaskDataModule(module.task, eval_max_tokens=cfg.data.eval_max_tokens,
                                max_source_length=data.max_source_length, max_target_length=data.max_target_length,
                                test_split=cfg.split)
    trainer = build_trainer(cfg.trainer, cfg.logger, run_dir)
    metrics = {key.split("/", 1)[1]: value for key, value in trainer.test(module, datamodule, verbose=False)[0].items()}
    _write_report(run_dir, cfg, metrics, module.last_outputs, datamodule)
    _save_examples(run_dir, cfg, module, datamodule)
    return metrics


def _save_examples(run_dir: Path, cfg: DictConfig, module, datamodule) -> None:
    """The task's pictures / recordings of the first `samples` decoded examples, under run_dir/examples."""
    ids = sorted(module.last_decoded)[: cfg.samples]
    samples = datamodule.samples(cfg.split)
    module.model.eval()
    paths = module.task.save_examples(module.model, [samples[i] for i in ids], [module.last_decoded[i] for i in ids],
                                      run_dir / "examples")
    if paths:
        log.info("%d example files written to %s", len(paths), run_dir / "examples")


def _write_report(run_dir: Path, cfg: DictConfig, metrics: dict, outputs: dict, datamodule) -> None:
    samples = datamodule.samples(cfg.split)
    records = [{"id": i, "source": samples[i]["source"], "reference": datamodule.task.reference(samples[i]),
                "output": outputs[i]} for i in sorted(outputs)]
    atomic_write_text(run_dir / "metrics.json", json.dumps({"split": cfg.split, "ckpt": cfg.ckpt, **metrics}, indent=2) + "\n")
    atomic_write_text(run_dir / "outputs.jsonl", "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))
    for record in records[: cfg.samples]:
        print(f"[{record['id']}] src: {record['source']}\n     ref: {record['reference']}\n     out: {record['output']}")
    print(f"{cfg.split} " + "  ".join(f"{k}={v:.2f}" for k, v in metrics.items()))
    log.info("metrics and outputs written to %s", run_dir)


def main() -> None:
    run(evaluate, "evaluate")


if __name__ == "__main__":
    main()
