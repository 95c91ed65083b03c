"""Sorting plugin: the embedded generator, targets against an independent argsort, featurization,
outputs and metrics on hand-written cases, and the CLI learning the task end to end."""
import json
import re

import pytest
import torch

from plugins.sorting import SortingTask
from plugins.sorting.task import generate_corpus
from seqcore.errors import DataError
from tests.conftest import run_cli

SMALL = {"train": 300, "valid": 50, "test": 50}


@pytest.fixture(scope="module")
def default_splits():
    task = SortingTask()
    return {split: task.load_split(split) for split in ("train", "valid", "test")}


def test_generator_is_deterministic_by_seed_and_sized():
    first = generate_corpus(7, SMALL, 5, 12)
    assert first == generate_corpus(7, SMALL, 5, 12)
    assert {split: len(samples) for split, samples in first.items()} == SMALL
    assert [s["source"] for s in first["train"]] != [s["source"] for s in generate_corpus(8, SMALL, 5, 12)["train"]]


def test_test_split_does_not_depend_on_the_training_size():
    assert generate_corpus(7, SMALL, 5, 12)["test"] == generate_corpus(7, {**SMALL, "train": 900}, 5, 12)["test"]


def test_splits_share_no_sequence_nor_set_of_numbers(default_splits):
    assert [len(default_splits[s]) for s in ("train", "valid", "test")] == [50000, 500, 1000]
    sets = {split: {frozenset(s["source"].split()) for s in samples} for split, samples in default_splits.items()}
    assert all(len(sets[split]) == len(default_splits[split]) for split in sets)
    assert not sets["train"] & sets["valid"] and not sets["train"] & sets["test"] and not sets["valid"] & sets["test"]


def test_sources_are_5_to_12_distinct_two_decimal_numbers(default_splits):
    lengths = set()
    for samples in default_splits.values():
        for sample in samples:
            numbers = sample["source"].split()
            assert all(re.fullmatch(r"0\.\d\d", number) for number in numbers), sample
            assert len(set(numbers)) == len(numbers)
            lengths.add(len(numbers))
    assert lengths == set(range(5, 13))


def test_targets_are_the_argsort(default_splits):
    for sample in default_splits["test"] + default_splits["train"][:2000]:
        values = [float(number) for number in sample["source"].split()]
        assert sample["target"] == sorted(range(len(values)), key=lambda i: values[i])
        in_target_order = [values[i] for i in sample["target"]]
        assert sorted(sample["target"]) == list(range(len(values)))
        assert all(a < b for a, b in zip(in_target_order, in_target_order[1:]))


def test_features_are_values_scaled_within_the_sequence_and_targets_are_pointer_ids():
    task = SortingTask()
    sample = {"source": "0.50 0.10 0.90 0.30", "target": [1, 3, 0, 2]}
    torch.testing.assert_close(task.encode_source(sample), torch.tensor([[0.5], [0.0], [1.0], [0.25]]))
    torch.testing.assert_close(task.encode_source({"source": "150 -50 350 50"}), task.encode_source(sample))
    assert task.encode_source({"source": "2 2"}).tolist() == [[0.0], [0.0]]
    assert task.encode_target(sample).tolist() == [5, 7, 4, 6]


def test_postprocess_renders_pointed_positions_as_the_input_numbers():
    task = SortingTask()
    sample = {"source": "0.50 0.07 0.93 0.10", "target": [1, 3, 0, 2]}
    assert task.postprocess([5, 7, 4, 6], sample) == "0.07 0.10 0.50 0.93"
    assert task.postprocess([6, 4], sample) == "0.93 0.50"
    assert task.postprocess([], sample) == ""
    assert task.reference(sample) == "0.07 0.10 0.50 0.93"


def test_metrics_on_a_hand_computed_case():
    references = ["1 2 3", "1 2 3 4", "5 6"]
    hypotheses = ["1 2 3", "1 3 2 4", "5"]  # exact 1/3; in place 3 + 2 + 1 of 3 + 4 + 2 slots
    metrics = SortingTask().metrics(hypotheses, references)
    assert metrics["exact"] == pytest.approx(100 / 3)
    assert metrics["token_accuracy"] == pytest.approx(100 * 6 / 9)


def test_read_inputs_yields_lines_and_marks_bad_ones_as_failed_items(tmp_path):
    path = tmp_path / "numbers.txt"
    path.write_text("3 1 2\n\n0.5 0.25\n4 five 6\n1 nan\n")
    items = list(SortingTask().read_inputs(str(path)))
    assert [(i["id"], i["source"]) for i in items] == [(1, "3 1 2"), (2, ""), (3, "0.5 0.25"), (4, "4 five 6"), (5, "1 nan")]
    assert [i.get("error") is None for i in items] == [True, True, True, False, False]
    assert items[3]["error"].startswith(f"{path}:4: ") and "'five'" in items[3]["error"]


def test_a_split_from_a_file_gets_argsort_targets(tmp_path):
    path = tmp_path / "valid.txt"
    path.write_text("3 1 2\n\n-0.5 10 2.25 -7\n")
    samples = SortingTask(valid=str(path)).load_split("valid")
    assert [(s["source"], s["target"], s["line"]) for s in samples] == [("3 1 2", [1, 2, 0], 1),
                                                                         ("-0.5 10 2.25 -7", [3, 0, 2, 1], 3)]


def test_cli_learns_to_sort_and_sorts_a_file(workdir):
    """150 steps of the default recipe (about 30 s on 2 CPU cores) reach >= 95% exact; the checkpoint
    then sorts a file, including numbers outside the generator's range and format."""
    run_dir = workdir / "run"
    result = run_cli("apps.train", "task=sorting", "task.sizes={train:10000,valid:200,test:500}",
                     "trainer.max_steps=150", "trainer.val_check_interval=50", "trainer.enable_progress_bar=false",
                     f"hydra.run.dir={run_dir}", cwd=workdir)
    assert "_target_: seqcore.heads.pointer_network.PointerNetworkHead" in result.stdout
    metrics = json.loads((run_dir / "test_metrics.json").read_text())
    assert metrics["test/exact"] >= 95.0, metrics

    lines = ["0.42 0.07 0.99 0.63 0.18", "300 -20 150 75 0 990"]  # the second: integers outside [0, 1)
    (workdir / "in.txt").write_text("\n".join(lines) + "\n")
    run_cli("apps.batch", f"ckpt={run_dir / 'checkpoints' / 'last.ckpt'}", "input=in.txt", "output=out.txt",
            "search=beam", "search.beam_size=3", f"hydra.run.dir={workdir / 'eval'}", cwd=workdir)
    expected = [" ".join(sorted(line.split(), key=float)) for line in lines]
    assert (workdir / "out.txt").read_text().splitlines() == expected
