"""Shared helpers: run the CLIs as a user would (a subprocess, from a directory outside the repo)."""
import subprocess
import sys
from pathlib import Path

import pytest

# A model and data small enough that a CLI run takes seconds, with every stage exercised.
TINY = [
    "task.embedded_sizes={train:1500,valid:40,test:40}",
    "model.dim=64", "model.encoder.layers=1", "model.decoder.layers=1",
    "model.encoder.ffn_dim=128", "model.decoder.ffn_dim=128",
    "data.max_tokens=1024", "trainer=debug", "trainer.max_steps=12",
    "search.beam_size=2", "optim.warmup_steps=5",
]


def run_cli(module: str, *overrides: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", module, *overrides], cwd=cwd, capture_output=True,
                            text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{module} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory outside the repository."""
    directory = tmp_path / "work"
    directory.mkdir()
    return directory
