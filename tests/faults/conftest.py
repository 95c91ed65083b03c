"""What the fault-injection suite shares: one tiny trained checkpoint."""
import shutil
from pathlib import Path

import pytest

from tests.conftest import TINY, run_cli


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """last.ckpt of a 12-step tiny translation run (trained once for the whole suite; copy it before
    changing it)."""
    workdir = tmp_path_factory.mktemp("tiny_run")
    run_cli("apps.train", *TINY, "test_after_training=false", f"hydra.run.dir={workdir / 'run'}", cwd=workdir)
    return workdir / "run" / "checkpoints" / "last.ckpt"


@pytest.fixture
def checkpoint_copy(tiny_checkpoint, tmp_path) -> Path:
    copy = tmp_path / "model.ckpt"
    shutil.copyfile(tiny_checkpoint, copy)
    return copy

