"""Training progress survives kill -9: last.ckpt trails training by at most checkpoint.every_n_steps
steps, whatever the validation metric does, and a finished run's last.ckpt is its last step."""
import json
import re
import signal
import subprocess
import sys
import time

import torch

from tests.conftest import TINY, run_cli

EVERY = 5


def global_step(path) -> int:
    return torch.load(path, map_location="cpu", weights_only=True)["global_step"]


def test_a_finished_run_leaves_last_ckpt_at_its_last_step_and_says_it_completed(workdir):
    # validation (and so the best checkpoint) at steps 10 and 20 only: last.ckpt must not stop there
    run_cli("apps.train", *TINY, "trainer.max_steps=23", "trainer.val_check_interval=10",
            "trainer.check_val_every_n_epoch=null", f"checkpoint.every_n_steps={EVERY}",
            f"hydra.run.dir={workdir / 'run'}", cwd=workdir)
    checkpoints = workdir / "run" / "checkpoints"
    assert global_step(checkpoints / "last.ckpt") == 23
    metrics = json.loads((workdir / "run" / "test_metrics.json").read_text())
    assert metrics["training"] == "completed: reached trainer.max_steps"
    assert {path.name for path in checkpoints.glob("best-*.ckpt")} <= {"best-10.ckpt", "best-20.ckpt"}


def test_kill_9_during_training_loses_at_most_every_n_steps_and_the_run_resumes(workdir):
    run_dir = workdir / "run"
    last = run_dir / "checkpoints" / "last.ckpt"
    log = (workdir / "train.log").open("w")
    # validation never comes: before, last.ckpt was only written with a new best
    process = subprocess.Popen(
        [sys.executable, "-m", "apps.train", *TINY, "trainer.max_steps=100000", "trainer.val_check_interval=100000",
         "trainer.check_val_every_n_epoch=null", "trainer.enable_progress_bar=true", "trainer.log_every_n_steps=1", f"checkpoint.every_n_steps={EVERY}",
         f"hydra.run.dir={run_dir}"], cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    try:
        while process.poll() is None and not (last.exists() and global_step(last) >= 3 * EVERY):
            time.sleep(0.2)
        assert process.poll() is None, (workdir / "train.log").read_text()[-3000:]
        time.sleep(0.5)  # a few more steps, kill mid-interval
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        log.close()
    logged = [int(step) for step in re.findall(r"step (\d+)/100000", (workdir / "train.log").read_text())]
    saved = global_step(last)  # whole: it loads
    assert saved % EVERY == 0 and saved >= max(logged) - EVERY, (saved, max(logged))

    resumed = workdir / "resumed"
    run_cli("apps.train", *TINY, f"trainer.max_steps={saved + 3}", f"ckpt_path={last}", "test_after_training=false",
            f"hydra.run.dir={resumed}", cwd=workdir)
    assert global_step(resumed / "checkpoints" / "last.ckpt") == saved + 3
