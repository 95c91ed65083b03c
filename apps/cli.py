"""What every seqcore CLI shares: Hydra with plugin config dirs on its search path, and one-line errors."""
from __future__ import annotations

import functools
import logging
import sys

import hydra

from seqcore.errors import SeqcoreError
from seqcore.plugins import plugin_config_dirs

log = logging.getLogger("seqcore")


def _with_plugin_search_path(argv: list[str]) -> list[str]:
    """Add installed plugins' config dirs to Hydra's search path (once: DDP re-runs our argv)."""
    if any(arg.startswith("hydra.searchpath=") for arg in argv):
        return argv
    directories = plugin_config_dirs()
    if not directories:
        return argv
    return argv + ["hydra.searchpath=[" + ",".join(f"file://{d}" for d in directories) + "]"]


def _one_line_errors(function):
    @functools.wraps(function)
    def guarded(cfg):
        try:
            return function(cfg)
        except SeqcoreError as error:
            print(f"error: {error}", file=sys.stderr)
            sys.exit(2)
    return guarded


def run(task_function, config_name: str) -> None:
    """Run `task_function(cfg)` as a Hydra app over seqcore's `conf/` package."""
    sys.argv = [sys.argv[0]] + _with_plugin_search_path(sys.argv[1:])
    hydra.main(version_base="1.3", config_path="pkg://conf", config_name=config_name)(
        _one_line_errors(task_function))()
