"""TTS through the CLIs: train a tiny model on a tiny embedded corpus, evaluate it (wav + pictures),
and synthesize a text file with seqcore-batch (one wav per line plus the JSONL manifest)."""
import json

import pytest
import soundfile

from tests.conftest import run_cli

TINY_TTS = ["task=tts", "task.embedded.sizes={train:8,valid:2,test:2}", "model.dim=32", "head.prenet_dim=16",
            "head.attention_rnn_dim=16", "head.decoder_rnn_dim=16", "head.postnet_channels=8", "head.postnet_layers=2",
            "trainer=debug", "trainer.max_steps=2", "trainer.val_check_interval=2", "search.max_len_a=1.0",
            "search.max_len_b=20", "task.metric_griffin_lim_iters=4", "task.example_griffin_lim_iters=4"]


@pytest.mark.slow  # three CLI processes: about a minute on a busy 2-core CPU
def test_train_evaluate_and_batch_synthesis(workdir):
    root = f"task.embedded.root={workdir / 'corpus'}"
    run_cli("apps.train", *TINY_TTS, root, "hydra.run.dir=run", cwd=workdir)
    metrics = json.loads((workdir / "run" / "test_metrics.json").read_text())
    for key in ("mel_l1", "mcd_dtw", "mcd_dtw_griffin_lim", "mcd_dtw_mean_frame", "diagonality", "focus"):
        assert f"test/{key}" in metrics
    assert metrics["test/mcd_dtw_griffin_lim"] < metrics["test/mcd_dtw_mean_frame"]
    checkpoint = workdir / "run" / "checkpoints" / "last.ckpt"

    run_cli("apps.evaluate", f"ckpt={checkpoint}", "samples=1", "hydra.run.dir=eval", cwd=workdir)
    names = sorted(p.name for p in (workdir / "eval" / "examples").iterdir())
    assert names == ["ESTE-00000.wav", "ESTE-00000_alignment.png", "ESTE-00000_mel.png"]

    (workdir / "lines.txt").write_text("Hello world.\n\nThe 2nd line.\n", encoding="utf-8")
    run_cli("apps.batch", f"ckpt={checkpoint}", "input=lines.txt", "output=out.jsonl", cwd=workdir)
    records = [json.loads(line) for line in (workdir / "out.jsonl").read_text().splitlines()]
    assert [(r["id"], r["output"]) for r in records] == [(1, "out_files/1.wav"), (2, None), (3, "out_files/3.wav")]
    for record in (records[0], records[2]):
        assert soundfile.info(str(workdir / record["output"])).samplerate == 22050
    failed = [json.loads(line) for line in (workdir / "out.errors.jsonl").read_text().splitlines()]
    assert [(f["id"], f["error"]) for f in failed] == [(2, "empty text")]
