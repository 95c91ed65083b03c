"""Testing aids for plugin authors and seqcore's own tests: the conformance kit of task plugins
(`check_task_plugin`) and the in-process CLI runner it uses (`run_cli`)."""
from seqcore.testing.cli import assert_one_line_error, run_cli
from seqcore.testing.plugin_kit import check_task_plugin

__all__ = ["assert_one_line_error", "check_task_plugin", "run_cli"]
