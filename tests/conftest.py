"""Shared helpers: run the CLIs as a user would (from a directory outside the repo)."""
import contextlib
import importlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

# A model and data small enough that a CLI run takes seconds, with every stage exercised.
TINY = [
    "task.embedded_sizes={train:1500,valid:40,test:40}",
    "model.dim=64", "model.encoder.layers=1", "model.decoder.layers=1",
    "model.encoder.ffn_dim=128", "model.decoder.ffn_dim=128",
    "data.max_tokens=1024", "trainer=debug", "trainer.max_steps=12",
    "search.beam_size=2", "optim.warmup_steps=5",
]


def run_cli(module: str, *overrides: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run a CLI (`python -m module overrides...`) from `cwd` inside the test process, captured as
    a subprocess's exit status and output: it saves the ~8 s a new interpreter spends importing
    torch and Lightning. Runs that start other processes (DDP, a job to kill) use run_cli_subprocess."""
    stdout, stderr = io.StringIO(), io.StringIO()
    saved_cwd, saved_argv, saved_threads = os.getcwd(), sys.argv, torch.get_num_threads()
    absl_handler, absl_stream = _absl_python_handler()
    os.chdir(cwd)
    sys.argv = [module, *overrides]
    returncode = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            if absl_handler:  # see _absl_python_handler
                absl_handler.stream = stderr
            importlib.import_module(module).main()
    except SystemExit as exit_:
        returncode = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(saved_cwd)
        sys.argv = saved_argv
        torch.set_num_threads(saved_threads)  # a recipe's `threads:` must not leak into later tests
        if absl_handler:
            absl_handler.stream = absl_stream
    result = subprocess.CompletedProcess([module, *overrides], returncode, stdout.getvalue(), stderr.getvalue())
    _check(result, check)
    return result


def _absl_python_handler():
    """absl's log handler and its stream, when absl is loaded (rouge-score imports it). A Hydra app
    reconfigures logging, which closes every handler; absl's then closes its stream unless that
    stream is the current sys.stderr. In a test process its stream is pytest's capture file, and
    sys.stderr is our buffer: so it must write to the buffer while a CLI runs in the process."""
    absl_logging = sys.modules.get("absl.logging")
    if absl_logging is None:
        return None, None
    handler = absl_logging.get_absl_handler().python_handler
    return handler, handler.stream


def run_cli_subprocess(module: str, *overrides: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """The CLI in a new interpreter, exactly as a user starts it (DDP re-executes its argv)."""
    result = subprocess.run([sys.executable, "-m", module, *overrides], cwd=cwd, capture_output=True, text=True)
    _check(result, check)
    return result


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """A CLI's refusal: a failed exit status, every fragment in its message, no traceback."""
    assert result.returncode != 0, result.stdout[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in: {result.stderr[-2000:]}"


def _check(result: subprocess.CompletedProcess, check: bool) -> None:
    if check and result.returncode != 0:
        raise AssertionError(f"{result.args[:1]} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                             f"{result.stderr[-3000:]}")


@pytest.fixture
def one_thread():
    """Tiny models: on a busy 2-core machine intra-op threads only wait on each other (10x here),
    and one thread leaves the other core free."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory outside the repository."""
    directory = tmp_path / "work"
    directory.mkdir()
    return directory


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

