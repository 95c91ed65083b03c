"""End to end as a user runs it: seqcore-train task=ocr for a few steps, seqcore-eval (PNG sheet), seqcore-batch."""
import json

import numpy as np
from PIL import Image

from tests.conftest import run_cli

TINY_OCR = ["task=ocr", "task.embedded_sizes={train:120,valid:8,test:8}", "model.dim=32",
            "model.frontend.channels=[4,8,16,16]", "model.encoder.layers=1", "trainer=debug", "trainer.max_steps=4",
            "trainer.val_check_interval=4", "data.max_tokens=4000", "search.beam_size=2", "search.max_len_a=0.1"]


def test_train_evaluate_and_transcribe_a_folder(workdir):
    run_dir, cache = workdir / "run", workdir / "cache"
    train = run_cli("apps.train", *TINY_OCR, f"task.embedded_dir={cache}", f"hydra.run.dir={run_dir}", cwd=workdir)
    assert "test cer:" in train.stdout
    metrics = json.loads((run_dir / "test_metrics.json").read_text())
    assert {"test/cer", "test/wer"} <= set(metrics)
    checkpoint = run_dir / "checkpoints" / "last.ckpt"

    run_cli("apps.evaluate", f"ckpt={checkpoint}", "samples=3", f"hydra.run.dir={workdir / 'eval'}", cwd=workdir)
    sheet = Image.open(workdir / "eval" / "examples" / "lines.png")
    assert sheet.size[1] > 3 * 2 * 100  # three lines, each with its attention map (hybrid head)

    images = workdir / "images"
    images.mkdir()
    Image.fromarray(np.full((40, 200), 255, np.uint8)).save(images / "a.png")
    Image.fromarray(np.full((40, 120, 4), 200, np.uint8), "RGBA").save(images / "b.png")
    (images / "c.png").write_bytes(b"truncated")
    run_cli("apps.batch", f"ckpt={checkpoint}", f"input={images}", f"output={workdir / 'out.jsonl'}",
            f"hydra.run.dir={workdir / 'batch'}", cwd=workdir)
    records = [json.loads(line) for line in (workdir / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["a.png", "b.png", "c.png"]  # one line per image, in input order
    assert all(isinstance(r["output"], str) for r in records[:2]) and records[2]["output"] is None
    errors = [json.loads(line) for line in (workdir / "out.errors.jsonl").read_text().splitlines()]
    assert [e["id"] for e in errors] == ["c.png"] and "unreadable image" in errors[0]["error"]
