"""Crafted, damaged and foreign checkpoints: refused in one line before anything is built or run.

A checkpoint's config is data: `_target_`s outside seqcore's components and installed plugins are
refused (naming the key) by every CLI that loads one, and the victim files of the classic
payloads (`shutil.copyfile`, `builtins.open`) are untouched. Pickled code never runs."""
import os

import pytest
import torch

from tests.conftest import assert_one_line_error, run_cli


def rewrite(path, change) -> None:
    """Load a checkpoint, let `change(checkpoint)` alter it, save it back."""
    checkpoint = torch.load(path, weights_only=True)
    change(checkpoint)
    torch.save(checkpoint, path)


def config_of(checkpoint) -> dict:
    return checkpoint["hyper_parameters"]["config"]


def evaluate(checkpoint, workdir):
    return run_cli("apps.evaluate", f"ckpt={checkpoint}", f"hydra.run.dir={workdir / 'eval'}", cwd=workdir, check=False)


def test_a_task_target_naming_shutil_copyfile_is_refused_and_the_victim_untouched(checkpoint_copy, workdir):
    victim = workdir / "victim.txt"
    victim.write_text("precious\n")
    source = workdir / "empty.txt"
    source.write_text("")

    def plant(checkpoint):
        config_of(checkpoint)["task"] = {"_target_": "shutil.copyfile", "src": str(source), "dst": str(victim)}
    rewrite(checkpoint_copy, plant)
    inputs = workdir / "in.txt"
    inputs.write_text("the dog sees the cat .\n")
    result = run_cli("apps.batch", f"ckpt={checkpoint_copy}", f"input={inputs}", f"output={workdir / 'out.jsonl'}",
                     f"hydra.run.dir={workdir / 'batch'}", cwd=workdir, check=False)
    assert_one_line_error(result, "task._target_='shutil.copyfile'")
    assert victim.read_text() == "precious\n"
    assert not (workdir / "out.jsonl").exists()


@pytest.mark.parametrize("key, target", [
    ("search", "builtins.open"),                               # creates files
    ("validation.search", "os.system"),
    ("model.encoder", "seqcore.checkpoint.torch.load"),        # a function reached through seqcore's namespace
    ("model.frontend", "plugins.textio.Path"),                 # a class that is no model part
    ("task", "plugins.translation.task.json.loads"),
    ("logger.csv", "subprocess.Popen"),                        # even in sections never built from a checkpoint
    ("trainer", "pytorch_lightning.loggers.CSVLogger"),        # a Lightning class where it does not belong
])
def test_targets_outside_seqcore_components_are_refused_naming_the_key(checkpoint_copy, workdir, key, target):
    planted = workdir / "planted.txt"

    def plant(checkpoint):
        section = config_of(checkpoint)
        *parents, last = key.split(".")
        for name in parents:
            section = section[name]
        section[last] = {"_target_": target, "file": str(planted), "mode": "w"}
    rewrite(checkpoint_copy, plant)
    result = evaluate(checkpoint_copy, workdir)
    assert_one_line_error(result, f"{key}._target_={target!r}", "never run as code")
    assert not planted.exists()


def test_an_untouched_checkpoint_still_loads(tiny_checkpoint, workdir):
    result = evaluate(tiny_checkpoint, workdir)
    assert result.returncode == 0, result.stderr[-2000:]


class Payload:
    """Unpickling this would create a file: weights-only loading must never do it."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickled_payload_is_never_run_and_the_advice_is_not_weights_only_false(workdir):
    marker = workdir / "pwned"
    checkpoint = workdir / "evil.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": {"config": {}, "task_state": {}}, "x": Payload(str(marker))},
               checkpoint)
    result = evaluate(checkpoint, workdir)
    assert_one_line_error(result, str(checkpoint), "never unpickles")
    assert "weights_only" not in result.stderr
    assert not marker.exists()


@pytest.mark.parametrize("damage, fragment", [
    (lambda data: b"", "empty file"),
    (lambda data: data[: len(data) // 2], "not a readable checkpoint"),
    (lambda data: os.urandom(4096), "not a readable checkpoint"),
])
def test_empty_truncated_and_random_files_fail_in_one_line(tiny_checkpoint, workdir, damage, fragment):
    damaged = workdir / "damaged.ckpt"
    damaged.write_bytes(damage(tiny_checkpoint.read_bytes()))
    result = evaluate(damaged, workdir)
    assert_one_line_error(result, str(damaged), fragment)
    assert "weights_only" not in result.stderr


def test_a_plain_tensor_file_is_not_a_seqcore_checkpoint(workdir):
    foreign = workdir / "foreign.ckpt"
    torch.save({"weight": torch.zeros(2)}, foreign)
    assert_one_line_error(evaluate(foreign, workdir), "not a seqcore checkpoint")


def test_weights_that_do_not_fit_name_the_parameter(checkpoint_copy, workdir):
    def widen(checkpoint):
        name = next(key for key in checkpoint["state_dict"] if key.endswith("weight"))
        checkpoint["state_dict"][name] = torch.zeros(3, 3)
        checkpoint["widened"] = name
    rewrite(checkpoint_copy, widen)
    name = torch.load(checkpoint_copy, weights_only=True)["widened"]
    assert_one_line_error(evaluate(checkpoint_copy, workdir), f"parameter {name} has shape (3, 3)")


def test_resuming_another_tasks_checkpoint_names_both_tasks(checkpoint_copy, workdir):
    def retarget(checkpoint):
        config_of(checkpoint)["task"]["_target_"] = "plugins.sorting.SortingTask"
    rewrite(checkpoint_copy, retarget)
    result = run_cli("apps.train", f"ckpt_path={checkpoint_copy}", f"hydra.run.dir={workdir / 'resume'}",
                     cwd=workdir, check=False)
    assert_one_line_error(result, "plugins.sorting.SortingTask", "not of plugins.translation.TranslationTask")
    assert not (workdir / "resume" / "checkpoints").exists()


def test_a_checkpoint_used_on_another_tasks_data_names_the_file_and_line(tiny_checkpoint, workdir):
    ocr_manifest = workdir / "lines.jsonl"
    ocr_manifest.write_text('{"image": "line1.png", "text": "a line"}\n')
    result = run_cli("apps.evaluate", f"ckpt={tiny_checkpoint}", f"data_path={ocr_manifest}",
                     f"hydra.run.dir={workdir / 'eval'}", cwd=workdir, check=False)
    assert_one_line_error(result, f"{ocr_manifest}:1: expected string fields")
