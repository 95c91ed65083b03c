"""What every seqcore CLI shares: Hydra with plugin config dirs on its search path, and one-line errors."""
from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
from pathlib import Path

import hydra

from seqcore.errors import SeqcoreError
from seqcore.plugins import load_plugins, plugin_config_dirs

log = logging.getLogger("seqcore")


def _with_plugin_search_path(argv: list[str]) -> list[str]:
    """Add installed plugins' config dirs to Hydra's search path (once: DDP re-runs our argv), after
    Hydra's flags wherever the user put them (`--cfg job`, `-m`: Hydra takes its overrides only
    after its flags). A plugin that fails to import is skipped with a warning, unless it is the
    task asked for: then that is the error."""
    if any(arg.startswith("hydra.searchpath=") for arg in argv):
        return argv
    plugins, broken = load_plugins()
    for name, reason in broken.items():
        if f"task={name}" in argv:
            fail(reason)
        print(f"warning: {reason}; skipped", file=sys.stderr)
    directories = plugin_config_dirs(plugins)
    if not directories:
        return argv
    flags, overrides = _split_flags(argv)
    return flags + overrides + ["hydra.searchpath=[" + ",".join(f"file://{d}" for d in directories) + "]"]


def _split_flags(argv: list[str]) -> tuple[list[str], list[str]]:
    """Hydra's flags (with their values: `--cfg job`, `-p task`) and its overrides (`key=value`,
    `~key`), each in the user's order."""
    flags, overrides, expects_value = [], [], False
    for arg in argv:
        if arg.startswith("-"):
            flags.append(arg)
            expects_value = arg in FLAGS_WITH_VALUES
        elif expects_value and "=" not in arg and not arg.startswith("~"):
            flags.append(arg)
            expects_value = False
        else:
            overrides.append(arg)
            expects_value = False
    return flags, overrides


FLAGS_WITH_VALUES = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                     "--config-dir", "-cd", "--info", "-i", "--experimental-rerun", "--shell-completion", "-sc"}


MIN_FREE_BYTES = 16 * 2**20  # below this, a run could not even write its config and first checkpoint


def _check_run_dir(argv: list[str]) -> None:
    """Fail in one line, before Hydra creates it, when the run directory cannot be written: a path
    that is a file, a read-only or full filesystem. (Hydra's own failure is a long traceback.)"""
    given = [arg.split("=", 1)[1] for arg in argv if arg.startswith(("hydra.run.dir=", "hydra.sweep.dir="))]
    for directory in map(Path, given or ["."]):
        if directory.exists() and not directory.is_dir():
            fail(f"the run directory {directory} is a file, not a directory (hydra.run.dir=)")
        existing = next(parent for parent in [directory, *directory.absolute().parents] if parent.exists())
        if not os.access(existing, os.W_OK):
            fail(f"the run directory {directory} cannot be written: {existing} is read-only")
        if shutil.disk_usage(existing).free < MIN_FREE_BYTES:
            fail(f"the run directory {directory} cannot be written: no space left on the filesystem of {existing}")


def fail(message: str) -> None:
    """How every CLI refuses: one line `error: message` on stderr, exit status 2."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def _one_line_errors(function):
    @functools.wraps(function)
    def guarded(cfg):
        try:
            return function(cfg)
        except SeqcoreError as error:
            fail(str(error))
        except OSError as error:  # a disk that fills, a file that vanishes: the path and the reason
            fail(f"{error.filename or 'I/O'}: {error.strerror or error}")
    return guarded


def run(task_function, config_name: str) -> None:
    """Run `task_function(cfg)` as a Hydra app over seqcore's `conf/` package."""
    _check_run_dir(sys.argv[1:])
    sys.argv = [sys.argv[0]] + _with_plugin_search_path(sys.argv[1:])
    hydra.main(version_base="1.3", config_path="pkg://conf", config_name=config_name)(
        _one_line_errors(task_function))()
