"""Shared helpers: run the CLIs as a user would (from a directory outside the repo)."""
import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from seqcore.testing.cli import assert_one_line_error, assert_succeeded, one_thread, run_cli  # noqa: F401

# A package of its own (a third-party plugin): its tests run once it is installed, from
# tests/cli/test_external_plugin.py.
collect_ignore = ["external_plugin"]

# A model and data small enough that a CLI run takes seconds, with every stage exercised.
TINY = [
    "task.embedded_sizes={train:1500,valid:40,test:40}",
    "model.dim=64", "model.encoder.layers=1", "model.decoder.layers=1",
    "model.encoder.ffn_dim=128", "model.decoder.ffn_dim=128",
    "data.max_tokens=1024", "trainer=debug", "trainer.max_steps=12",
    "search.beam_size=2", "optim.warmup_steps=5",
]


def run_cli_subprocess(module: str, *overrides: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """The CLI in a new interpreter, exactly as a user starts it (DDP re-executes its argv)."""
    result = subprocess.run([sys.executable, "-m", module, *overrides], cwd=cwd, capture_output=True, text=True)
    if check:
        assert_succeeded(result)
    return result


@contextlib.contextmanager
def installed(package: Path, distribution: str):
    """A plugin package pip-installed into the test environment as a user installs it (not editable),
    uninstalled after."""
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", str(package)]
    subprocess.run(install, check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "--yes", distribution], capture_output=True)


def run_package_tests(package: Path, basetemp: Path) -> subprocess.CompletedProcess:
    """The package's own pytest, from its folder as its author runs it, in a new interpreter (the
    package was installed after this process started); its runs go under `basetemp`."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={basetemp}"],
                          cwd=package, capture_output=True, text=True)


@pytest.fixture(name="one_thread")
def one_thread_fixture():
    """One intra-op thread for the test (seqcore.testing.cli.one_thread)."""
    with one_thread():
        yield


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

