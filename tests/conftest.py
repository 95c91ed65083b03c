"""Shared helpers: run the CLIs as a user would (a subprocess, from a directory outside the repo)."""
import contextlib
import importlib
import io
import os
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


def run_cli_in_process(module: str, *overrides: str, cwd: Path) -> subprocess.CompletedProcess:
    """The same command run inside the test process: it saves the ~8 s a new interpreter spends
    importing torch and Lightning, so the many runs that end before training (bad input, bad
    config, bad arguments) stay cheap. Exit status and output are captured as a subprocess's."""
    stdout, stderr = io.StringIO(), io.StringIO()
    saved_cwd, saved_argv = os.getcwd(), sys.argv
    os.chdir(cwd)
    sys.argv = [module, *overrides]
    returncode = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            importlib.import_module(module).main()
    except SystemExit as exit_:
        returncode = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(saved_cwd)
        sys.argv = saved_argv
    return subprocess.CompletedProcess([module, *overrides], returncode, stdout.getvalue(), stderr.getvalue())


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory outside the repository."""
    directory = tmp_path / "work"
    directory.mkdir()
    return directory
