"""End to end: `seqcore-train task=asr` for a few steps, then `seqcore-batch` over a folder of
recordings with bad files among them, as a user runs them."""
import json

import numpy as np
import soundfile

from tests.conftest import run_cli

TINY_ASR = ["task=asr", "task.embedded_sizes={train:24,valid:4,test:4}", "+task.embedded_speech.noise_fraction=0.5",
            "model.dim=32", "model.encoder.layers=1", "model.encoder.ffn_dim=64", "model.frontend.channels=4",
            "head=ctc", "trainer=debug", "trainer.max_steps=4", "trainer.val_check_interval=4",
            "trainer.max_time=null", "data.max_tokens=3000", "search.beam_size=2"]


def test_train_then_transcribe_a_folder(workdir):
    run_dir = workdir / "run"
    train = run_cli("apps.train", *TINY_ASR, f"task.cache_dir={workdir / 'cache'}", f"hydra.run.dir={run_dir}",
                    cwd=workdir)
    assert "test wer:" in train.stdout
    metrics = json.loads((run_dir / "test_metrics.json").read_text())
    assert {"test/wer", "test/cer"} <= set(metrics)

    audio = workdir / "audio"
    audio.mkdir()
    speech = next((workdir / "cache").glob("embedded-*/test/000000.wav"))
    wave, rate = soundfile.read(str(speech), dtype="float32")
    soundfile.write(str(audio / "a_speech.wav"), wave, rate)
    soundfile.write(str(audio / "b_stereo_8k.wav"), np.stack([wave[::2]] * 2, 1), rate // 2)
    soundfile.write(str(audio / "c_silence.wav"), np.zeros(rate, np.float32), rate)
    soundfile.write(str(audio / "d_long.wav"), np.tile(wave, 30)[: 50 * rate], rate)  # 50 s > long_audio.max_seconds
    (audio / "e_corrupt.flac").write_bytes(b"fLaC not really")
    output = workdir / "out.jsonl"
    job = run_cli("apps.batch", f"ckpt={run_dir / 'checkpoints' / 'last.ckpt'}", f"input={audio}",
                  f"output={output}", f"hydra.run.dir={workdir / 'job'}", cwd=workdir)
    records = [json.loads(line) for line in output.read_text().splitlines()]
    names = [record["input"].rsplit("/", 1)[1] for record in records]
    segments = names.count("d_long.wav")
    assert segments == 3 and len(records) == 4 + segments
    assert "1 failed" in job.stdout + job.stderr and "e_corrupt.flac" in (workdir / "out.errors.jsonl").read_text()
    for record in records[:3]:
        assert isinstance(record["output"], str) and "words" in record and record["duration"] > 0
    assert [r["segment"] for r in records if "segment" in r] == list(range(segments))
