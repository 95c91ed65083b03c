"""The conformance kit of task plugins: one call in a plugin's pytest checks what seqcore relies on.

    from seqcore.testing import check_task_plugin

    def test_my_task_works_with_seqcore(tmp_path):
        check_task_plugin(MyTask, heads=["attention", "ctc"], head_overrides={"ctc": ["head.upsample=2"]},
                          data_path=tmp_path / "sample.tsv", workdir=tmp_path)   # a file the test wrote

It runs seqcore's CLIs in the test process, as a user would, with the plugin's installed entry
point, its config and recipe, made short (`steps`, `overrides`), and fails with a message that
names what to fix. Checked: the plugin is installed and supports the heads; its splits load;
its state round-trips through a checkpoint; every head trains and lowers its loss, then
`seqcore-eval` and `seqcore-batch` run on the checkpoint; `seqcore-eval data_path=` reads the
given file (or, for a task without `paths`, refuses in one line); bad input (a missing file, a
broken batch item) fails in one line or is recorded per item; and with a `ctc` head, the
training examples a CTC loss cannot learn are reported when training starts. The batch job's input
holds the first test samples and one broken item: by default lines of their "source" texts and a
line that is not UTF-8, as text tasks read them; a task reading other inputs (images, audio) gives
`batch_input=`, which writes them in its own format.
"""
from __future__ import annotations

import copy
import csv
import json
import tempfile
from pathlib import Path
from statistics import mean
from typing import Callable, Mapping, Sequence

from seqcore.checkpoint import load_module, read_checkpoint
from seqcore.ctc_feasibility import infeasibility_warning
from seqcore.lightning import Seq2SeqModule, TaskDataModule
from seqcore.plugins import TaskPlugin, load_plugins
from seqcore.testing.cli import assert_one_line_error, one_thread, run_cli

SPLITS = ("train", "valid", "test")
TRAIN, EVALUATE, BATCH = "apps.train", "apps.evaluate", "apps.batch"
# a short run: a loss per step, one validation (of two batches) at its end, no test pass
SHORT_RUN = ("trainer=debug", "trainer.log_every_n_steps=1", "trainer.check_val_every_n_epoch=null",
             "test_after_training=false")
BATCH_ITEMS = 8
COMPARED_STEPS = 5  # the mean loss of the last steps must be below that of the first as many
BatchInput = Callable[[Sequence[dict], Path], Path]  # (test samples, a folder) -> the batch job's input path


def text_lines(samples: Sequence[dict], directory: Path) -> Path:
    """The default batch input, as text tasks read it: the samples' "source" texts, one per line,
    then a line that is not UTF-8 (the broken item)."""
    path = directory / "inputs.txt"
    path.write_bytes("".join(f"{sample['source']}\n" for sample in samples).encode("utf-8") + b"\xff\xfe\n")
    return path


def check_task_plugin(task: type[TaskPlugin], heads: Sequence[str] | None = None, *,
                      workdir: str | Path | None = None, steps: int = 30, overrides: Sequence[str] = (),
                      head_overrides: Mapping[str, Sequence[str]] | None = None,
                      data_path: str | Path | Sequence[str | Path] | None = None,
                      batch_input: BatchInput = text_lines) -> None:
    """Check the plugin `task` end to end; raises AssertionError naming the first thing to fix.

    heads: the heads to train (default: all of `task.supported_heads`). steps: training steps per
    head (at least 2 x COMPARED_STEPS). overrides: Hydra overrides for every run (smaller data or
    model); head_overrides: more of them per head (`{"ctc": ["head.upsample=2"]}`). data_path: a
    small file (or [source_file, target_file], ...) in the task's own format, as
    `seqcore-eval data_path=` takes it; needed when the task reads files (has `paths`).
    batch_input(samples, directory): writes, in `directory`, a `seqcore-batch input=` in the task's
    format of the given test samples (the first BATCH_ITEMS) followed by exactly one broken item (e.g. a
    corrupt image or audio file: one that `read_inputs` marks with "error" or `encode_source` raises
    for), and returns its path (default `text_lines`).
    workdir: where runs are written, a new one per call (default: a new temporary directory, kept).
    The runs use one intra-op thread (`one_thread`): they are tiny."""
    heads = list(heads or task.supported_heads)
    if steps < 2 * COMPARED_STEPS:
        raise ValueError(f"steps={steps}: the loss is compared over {COMPARED_STEPS} first and last steps; "
                         f"give at least {2 * COMPARED_STEPS}")
    workdir = Path(workdir or tempfile.mkdtemp(prefix=f"seqcore-kit-{task.name}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    head_overrides = head_overrides or {}
    with one_thread():
        _check_installed(task, heads)
        for head in heads:
            run_dir = _train(task, head, workdir, steps, [*overrides, *head_overrides.get(head, ())])
            checkpoint = run_dir / "checkpoints" / "last.ckpt"
            _check_loss_lowered(run_dir, head)
            module = _check_round_trip(task, checkpoint)
            if head == heads[0]:  # what does not depend on the head: checked once
                _check_splits(module)
                _check_data_path(module, checkpoint, workdir / "eval-data-path", data_path)
                _check_bad_input(checkpoint, workdir / "bad-input")
            _check_evaluate(module, checkpoint, workdir / f"eval-{head}")
            _check_batch(module, checkpoint, workdir / f"batch-{head}", batch_input)
        if "ctc" in heads:
            _check_ctc_report(task, workdir, overrides)


def _check_installed(task: type[TaskPlugin], heads: list[str]) -> None:
    plugins, broken = load_plugins()
    assert task.name not in broken, broken.get(task.name)
    assert plugins.get(task.name) is task, (
        f"task {task.name!r} is not installed as {task.__module__}.{task.__qualname__}: its package needs "
        f'[project.entry-points."seqcore.tasks"] {task.name} = "<module>:{task.__qualname__}" in pyproject.toml, '
        f"then `pip install -e .` (installed: {plugins.get(task.name)})")
    unsupported = [head for head in heads if head not in task.supported_heads]
    assert not unsupported, (f"heads {unsupported} are not in {task.__qualname__}.supported_heads "
                             f"{tuple(task.supported_heads)}")


def _train(task: type[TaskPlugin], head: str, workdir: Path, steps: int, overrides: Sequence[str]) -> Path:
    run_dir = workdir / f"train-{head}"
    run_cli(TRAIN, f"task={task.name}", f"head={head}", *SHORT_RUN, f"trainer.max_steps={steps}",
            f"trainer.val_check_interval={steps}", *overrides, f"hydra.run.dir={run_dir}", cwd=workdir)
    return run_dir


def _check_loss_lowered(run_dir: Path, head: str) -> None:
    with open(run_dir / "logs" / "metrics.csv", encoding="utf-8") as handle:
        losses = [float(row["train/loss"]) for row in csv.DictReader(handle) if row.get("train/loss")]
    first, last = mean(losses[:COMPARED_STEPS]), mean(losses[-COMPARED_STEPS:])
    assert len(losses) >= 2 * COMPARED_STEPS and last < first, (
        f"head={head}: the training loss did not go down (mean {first:.3f} over the first {COMPARED_STEPS} steps, "
        f"{last:.3f} over the last): {[round(loss, 3) for loss in losses]} ({run_dir})")


def _check_round_trip(task: type[TaskPlugin], checkpoint: Path) -> Seq2SeqModule:
    """The module rebuilt from the checkpoint alone: the task's class, and the state it was saved with."""
    saved = read_checkpoint(str(checkpoint))["hyper_parameters"]["task_state"]
    module = load_module(str(checkpoint))
    assert type(module.task) is task, \
        f"{checkpoint} rebuilds a {type(module.task).__qualname__}, not a {task.__qualname__}"
    assert module.task.state_dict() == saved, (
        f"{task.__qualname__}: state_dict() after load_state_dict(state) differs from the state saved in "
        f"{checkpoint}: load_state_dict must restore everything state_dict returns")
    return module


def _check_splits(module: Seq2SeqModule) -> None:
    for split in SPLITS:
        samples = module.task.load_split(split)
        assert isinstance(samples, list) and samples, f"load_split({split!r}) gave {type(samples).__name__} " \
                                                      f"of {len(samples or ())} samples, not a non-empty list"
        lacking = next((sample for sample in samples if not {"source", "target"} <= set(sample)), None)
        assert lacking is None, f'load_split({split!r}): a sample lacks "source" or "target": {lacking}'
        assert all(isinstance(module.task.reference(sample), str) for sample in samples), \
            f"reference(sample) of a {split} sample is not a str"


def _check_evaluate(module: Seq2SeqModule, checkpoint: Path, run_dir: Path) -> None:
    run_cli(EVALUATE, f"ckpt={checkpoint}", f"hydra.run.dir={run_dir}", cwd=run_dir.parent)
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert module.task.main_metric in metrics, (f"main_metric {module.task.main_metric!r} is not among the metrics "
                                                f"{sorted(metrics)} of seqcore-eval ({run_dir})")


def _check_batch(module: Seq2SeqModule, checkpoint: Path, run_dir: Path, batch_input: BatchInput) -> None:
    """The first test samples and a broken item: every good item decoded, the broken one (last) recorded."""
    run_dir.mkdir(parents=True)
    samples = module.task.load_split("test")[:BATCH_ITEMS]
    inputs, output = batch_input(samples, run_dir), run_dir / "outputs.jsonl"
    result = run_cli(BATCH, f"ckpt={checkpoint}", f"input={inputs}", f"output={output}",
                     f"hydra.run.dir={run_dir / 'run'}", cwd=run_dir)
    counts = f"{len(samples) + 1} items: {len(samples)} done, 1 failed"
    assert counts in result.stdout, f"seqcore-batch {inputs}: expected {counts!r} (read_inputs must yield one item " \
                                    f"per input, the broken one with 'error', or encode_source raise for it), " \
                                    f"got: {result.stdout[-1000:]}"
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert all(isinstance(record["output"], str) for record in records[:-1]) and "error" in records[-1], records


def _check_data_path(module: Seq2SeqModule, checkpoint: Path, run_dir: Path, data_path) -> None:
    """With a file: seqcore-eval scores exactly its samples. Without, the task must read no files (then
    `_check_bad_input` sees data_path= refused in one line)."""
    if data_path is None:
        assert not isinstance(getattr(module.task, "paths", None), dict), (
            f"{type(module.task).__qualname__} reads files (task.paths): give check_task_plugin data_path= a small "
            f"file in its format, to check seqcore-eval data_path=")
        return
    value = [str(path) for path in data_path] if isinstance(data_path, (list, tuple)) else str(data_path)
    override = f"[{','.join(value)}]" if isinstance(value, list) else value
    run_cli(EVALUATE, f"ckpt={checkpoint}", f"data_path={override}", f"hydra.run.dir={run_dir}", cwd=run_dir.parent)
    task = copy.copy(module.task)  # the module's own task keeps its paths
    task.paths = {**task.paths, "test": value}
    expected = [sample["source"] for sample in task.load_split("test")]
    records = [json.loads(line) for line in (run_dir / "outputs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [record["source"] for record in records] == expected, \
        f"seqcore-eval data_path={override} did not score that file's {len(expected)} samples ({run_dir})"


def _check_bad_input(checkpoint: Path, run_dir: Path) -> None:
    """A missing file, as data_path= or as a batch input: one line naming what is wrong, no traceback."""
    run_dir.mkdir(parents=True)
    missing = run_dir / "no-such-file"
    for cli, arguments in ((EVALUATE, [f"data_path={missing}"]), (BATCH, [f"input={missing}", "output=out.jsonl"])):
        result = run_cli(cli, f"ckpt={checkpoint}", *arguments, f"hydra.run.dir={run_dir / cli}", cwd=run_dir,
                         check=False)
        assert_one_line_error(result, "error: ")
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert result.returncode == 2 and len(errors) == 1, \
            f"{arguments}: not one line of error:\n{result.stderr[-2000:]}"


def _check_ctc_report(task: type[TaskPlugin], workdir: Path, overrides: Sequence[str]) -> None:
    """One step of head=ctc at the head's default upsample: its log must report the examples the core
    counts as impossible for CTC (when there are any), so users learn why they do not train."""
    run_dir = workdir / "train-ctc-report"
    result = run_cli(TRAIN, f"task={task.name}", "head=ctc", *SHORT_RUN, "trainer.max_steps=1",
                     "trainer.limit_val_batches=0", *overrides, f"hydra.run.dir={run_dir}", cwd=workdir)
    module = load_module(str(run_dir / "checkpoints" / "last.ckpt"))
    data = module.config.data
    examples = TaskDataModule(module.task, max_source_length=data.max_source_length,
                              max_target_length=data.max_target_length).examples("train")
    expected = infeasibility_warning(module.model, examples)
    logged = result.stdout + result.stderr
    if expected:
        assert expected in logged, f"head=ctc: training did not report {expected!r} ({run_dir})"
    else:
        assert "cannot be learned" not in logged, f"head=ctc reported infeasible examples that fit ({run_dir})"
