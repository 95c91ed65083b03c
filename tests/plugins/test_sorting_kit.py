"""The built-in sorting task (numbers in, positions out: a task that is not text-to-text) against the
conformance kit third-party plugins use: its pointer-network head trains and lowers the loss,
reloads, evaluates, runs batch jobs with an unreadable line recorded as failed, and data_path=
scores the file given."""
from plugins.sorting import SortingTask
from seqcore.testing import check_task_plugin

TINY = ["task.sizes={train:600,valid:30,test:30}", "model.dim=32", "head.hidden_dim=32", "model.encoder.layers=1",
        "model.encoder.ffn_dim=64", "data.max_tokens=512", "optim.warmup_steps=5"]


def test_sorting_passes_the_plugin_kit(tmp_path):
    numbers = tmp_path / "test.txt"  # data_path=: one sequence of numbers per line, its own format
    numbers.write_text("0.5 0.1 0.9\n0.3 0.2 0.8 0.7\n", encoding="utf-8")
    check_task_plugin(SortingTask, overrides=TINY, data_path=numbers, workdir=tmp_path)
