"""End to end through the CLIs: train a few steps, evaluate, translate a file, resume, reproduce."""
import csv
import json
from pathlib import Path

import torch

from tests.conftest import TINY, run_cli


def read_losses(run_dir: Path) -> list[tuple[int, float]]:
    with open(run_dir / "logs" / "metrics.csv") as handle:
        return [(int(row["step"]), float(row["train/loss"])) for row in csv.DictReader(handle) if row.get("train/loss")]


def test_train_evaluate_translate_and_resume(workdir):
    run_dir = workdir / "run"
    train = run_cli("apps.train", *TINY, f"hydra.run.dir={run_dir}", cwd=workdir)
    assert "test bleu:" in train.stdout
    assert (run_dir / "config.yaml").is_file() and (run_dir / "tensorboard").is_dir()
    assert "test/bleu" in json.loads((run_dir / "test_metrics.json").read_text())
    last = run_dir / "checkpoints" / "last.ckpt"
    checkpoint = torch.load(last, map_location="cpu", weights_only=True)
    assert checkpoint["global_step"] == 12
    assert checkpoint["hyper_parameters"]["task_state"]["source_tokenizer"]["kind"] == "word"

    eval_dir = workdir / "eval"
    run_cli("apps.evaluate", f"ckpt={last}", "split=test", f"hydra.run.dir={eval_dir}", cwd=workdir)
    metrics = json.loads((eval_dir / "metrics.json").read_text())
    assert metrics["split"] == "test" and 0.0 <= metrics["bleu"] <= 100.0
    outputs = [json.loads(line) for line in (eval_dir / "outputs.jsonl").read_text().splitlines()]
    assert len(outputs) == 40 and sorted(o["id"] for o in outputs) == list(range(40))

    source = workdir / "in.txt"
    source.write_text("the dog sees the cat .\n\nwe walked .\n" + "you laugh .\n" * 5)
    run_cli("apps.batch", f"ckpt={last}", f"input={source}", f"output={workdir / 'out.txt'}",
            f"hydra.run.dir={workdir / 'translate'}", cwd=workdir)
    lines = (workdir / "out.txt").read_text().split("\n")[:-1]
    assert len(lines) == 8 and lines[1] == ""
    assert len(set(lines[3:])) == 1  # the same input gives the same output, wherever it sits

    resumed = workdir / "resumed"
    run_cli("apps.train", *TINY, "trainer.max_steps=20", f"ckpt_path={last}", f"hydra.run.dir={resumed}", cwd=workdir)
    steps = [step for step, _ in read_losses(resumed)]
    assert steps and min(steps) >= 12, "resumed training must continue the global step, not restart"
    assert torch.load(resumed / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == 20


def test_same_seed_gives_the_same_loss_curve(workdir):
    curves = []
    for name in ("a", "b"):
        run_cli("apps.train", *TINY, "test_after_training=false", f"hydra.run.dir={workdir / name}", cwd=workdir)
        curves.append(read_losses(workdir / name))
    assert len(curves[0]) >= 2 and curves[0] == curves[1]
