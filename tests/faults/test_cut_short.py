"""A result that is not what it seems says so: a run cut short by its clock, a run that would train
nothing, empty or unreadable data. Nothing is scored silently in their place."""
import json
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from tests.conftest import TINY, assert_one_line_error, run_cli

BUILT_IN_TASKS = sorted(path.stem for path in (Path(__file__).parents[2] / "conf" / "task").glob("*.yaml"))


def test_a_run_stopped_by_the_time_budget_says_so_in_the_summary_and_metrics(workdir):
    run_dir = workdir / "run"
    result = run_cli("apps.train", *TINY, "trainer.max_steps=1000000", "trainer.max_time=00:00:00:02",
                     f"hydra.run.dir={run_dir}", cwd=workdir)
    training = json.loads((run_dir / "test_metrics.json").read_text())["training"]
    assert training.startswith("stopped by the time budget at step ") and training.endswith(" of 1000000 (trainer.max_time)")
    assert f"test bleu: " in result.stdout and f"(training {training})" in result.stdout


@pytest.mark.parametrize("overrides", [["trainer.max_steps=0"], ["trainer.max_steps=-1", "trainer.max_epochs=0"]])
def test_training_nothing_is_refused_before_any_work(workdir, overrides):
    result = run_cli("apps.train", *TINY, *overrides, f"hydra.run.dir={workdir / 'run'}", cwd=workdir, check=False)
    assert_one_line_error(result, "trains nothing")
    assert not (workdir / "run" / "checkpoints").exists() and not (workdir / "run" / "test_metrics.json").exists()


def test_an_empty_training_set_is_refused(workdir):
    (workdir / "empty.jsonl").write_text("\n")
    result = run_cli("apps.train", *TINY, "task.train=empty.jsonl", f"hydra.run.dir={workdir / 'run'}", cwd=workdir,
                     check=False)
    assert_one_line_error(result, "the training split is empty")
    assert not (workdir / "run" / "checkpoints").exists()


def test_a_training_set_whose_examples_are_all_too_long_is_refused(workdir):
    (workdir / "long.jsonl").write_text('{"src": "the dog sees the cat .", "tgt": "der hund sieht die katze ."}\n' * 3)
    result = run_cli("apps.train", *TINY, "task.train=long.jsonl", "data.max_source_length=3",
                     f"hydra.run.dir={workdir / 'run'}", cwd=workdir, check=False)
    assert_one_line_error(result, "the train split (long.jsonl) has no examples: all 3 are longer than")
    assert not (workdir / "run" / "checkpoints").exists()


def test_empty_evaluation_data_is_named_not_blamed_on_devices(tiny_checkpoint, workdir):
    (workdir / "empty.jsonl").write_text("")
    result = run_cli("apps.evaluate", f"ckpt={tiny_checkpoint}", "data_path=empty.jsonl",
                     f"hydra.run.dir={workdir / 'eval'}", cwd=workdir, check=False)
    assert_one_line_error(result, "the test split (empty.jsonl) has no examples")
    assert "devices" not in result.stderr


def test_an_undecodable_line_in_evaluation_data_is_reported_not_dropped(workdir):
    run_dir = workdir / "sort"
    run_cli("apps.train", "task=sorting", "trainer=debug", "trainer.max_steps=3", "test_after_training=false",
            f"hydra.run.dir={run_dir}", cwd=workdir)
    (workdir / "test.txt").write_bytes(b"3 1 2\n5 \xff 4\n9 8 7\n")
    result = run_cli("apps.evaluate", f"ckpt={run_dir / 'checkpoints' / 'last.ckpt'}", "data_path=test.txt",
                     f"hydra.run.dir={workdir / 'eval'}", cwd=workdir, check=False)
    assert_one_line_error(result, "test.txt:2", "UTF-8")
    assert not (workdir / "eval" / "metrics.json").exists()


@pytest.mark.parametrize("task", BUILT_IN_TASKS)
def test_default_recipes_are_bounded_by_steps_with_the_clock_only_as_a_safety_net(task):
    with initialize_config_module(version_base="1.3", config_module="conf"):
        trainer = compose(config_name="config", overrides=[f"task={task}"]).trainer
    assert 0 < trainer.max_steps <= 20000, f"task={task}: a recipe must end by its steps"
    if trainer.max_time is not None:
        days, hours, minutes, seconds = map(int, trainer.max_time.split(":"))
        # the measured runs take 1-27 min on 2 cores: a cap of 25+ min (3x+ each run) is a safety net only
        assert ((days * 24 + hours) * 60 + minutes) * 60 + seconds >= 25 * 60, f"task={task}: a tight clock"
