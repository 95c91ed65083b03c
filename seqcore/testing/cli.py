"""Running seqcore's CLIs inside a test process, as a user would run them from a directory.

The conformance kit (`seqcore.testing.check_task_plugin`) and seqcore's own tests run the CLIs
this way: a run's exit status, stdout and stderr come back as a subprocess's would, without the
~8 s a new interpreter spends importing torch and Lightning.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import torch


def run_cli(module: str, *overrides: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run a CLI (`python -m module overrides...`) from `cwd` inside the test process, captured as
    a subprocess's exit status and output: it saves the ~8 s a new interpreter spends importing
    torch and Lightning. Runs that start other processes (DDP, a job to kill) need a subprocess."""
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
    if check:
        assert_succeeded(result)
    return result


@contextlib.contextmanager
def one_thread():
    """Tiny models: on a busy 2-core machine intra-op threads only wait on each other (3-10x slower),
    and one thread leaves the other cores free."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


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


def assert_succeeded(result: subprocess.CompletedProcess) -> None:
    """A CLI run that must have worked: else its exit status and the ends of its output."""
    if result.returncode != 0:
        raise AssertionError(f"{result.args[:1]} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                             f"{result.stderr[-3000:]}")


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    """A CLI's refusal: a failed exit status, every fragment in its message, no traceback."""
    assert result.returncode != 0, result.stdout[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in: {result.stderr[-2000:]}"
