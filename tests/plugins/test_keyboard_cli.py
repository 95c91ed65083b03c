"""End to end: `seqcore-train task=keyboard` for a few steps, then the plugin's correction,
completion and export entry points on its checkpoint, as a user runs them."""
import json

import torch

from tests.conftest import run_cli

TINY_KEYBOARD = ["task=keyboard", "task.embedded_sizes={train:400,valid:20,test:20}", "model.dim=32",
                 "trainer=debug", "trainer.max_steps=6", "trainer.val_check_interval=6", "data.max_tokens=1024"]


def test_train_then_correct_complete_and_export(workdir):
    run_dir = workdir / "run"
    train = run_cli("apps.train", *TINY_KEYBOARD, f"hydra.run.dir={run_dir}", cwd=workdir)
    assert "test wer:" in train.stdout
    metrics = json.loads((run_dir / "test_metrics.json").read_text())
    for key in ("wer", "cer", "word_acc", "sentence_acc", "false_correction", "identity_wer", "identity_cer"):
        assert f"test/{key}" in metrics
    checkpoint = run_dir / "checkpoints" / "last.ckpt"
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)["hyper_parameters"]["task_state"]
    assert state["shared_tokenizer"]["kind"] == "char" and state["lexicon"]  # one char vocabulary, both sides

    (workdir / "in.txt").write_text("helo wrld\n\ncafé ok\n")
    run_cli("plugins.keyboard.correct", str(checkpoint), "in.txt", "out.txt", cwd=workdir)
    lines = (workdir / "out.txt").read_text(encoding="utf-8").split("\n")
    assert len(lines) == 4 and lines[1] == "" and "é" in lines[2]

    completion = run_cli("plugins.keyboard.completion", str(checkpoint), "--text", "See you tom", "-k", "2",
                         "--evaluate", "3", cwd=workdir)
    assert "keystroke_savings=" in completion.stdout

    run_cli("plugins.keyboard.export", str(checkpoint), "exported", cwd=workdir)
    exported = torch.jit.load(str(workdir / "exported" / "corrector.pt"))
    assert exported(torch.tensor([[5, 6, 7]])).dim() == 1
