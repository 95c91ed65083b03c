"""Translation data formats and bad-input handling, checked on hand-written files."""
import logging

import pytest

from plugins.translation.task import TranslationTask, read_jsonl_pairs, read_parallel
from seqcore.errors import ConfigError, DataError
from seqcore.lightning import TaskDataModule


def test_parallel_files_skip_and_count_empty_pairs(tmp_path, caplog):
    (tmp_path / "a.src").write_text("hello world\n\nthree\n  \n")
    (tmp_path / "a.tgt").write_text("hallo welt\nzwei\n\nvier\n")
    with caplog.at_level(logging.WARNING):
        pairs = read_parallel(str(tmp_path / "a.src"), str(tmp_path / "a.tgt"))
    assert [(p["source"], p["target"], p["line"]) for p in pairs] == [("hello world", "hallo welt", 1)]
    assert "skipped 3 pairs" in caplog.text


def test_parallel_length_mismatch_names_both_files_and_counts(tmp_path):
    (tmp_path / "a.src").write_text("1\n2\n3\n")
    (tmp_path / "a.tgt").write_text("1\n")
    with pytest.raises(DataError, match=r"a\.src has 3 lines.*a\.tgt has 1"):
        read_parallel(str(tmp_path / "a.src"), str(tmp_path / "a.tgt"))


def test_jsonl_pairs_and_their_errors(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text('{"src": "a b", "tgt": "x"}\n\n{"src": "", "tgt": "y"}\n{"src": "c", "tgt": "z"}\n')
    assert [(p["source"], p["target"]) for p in read_jsonl_pairs(str(good))] == [("a b", "x"), ("c", "z")]
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"src": "a", "tgt": "b"}\n{"src": "a", "tgt": \n')
    with pytest.raises(DataError, match=r"broken\.jsonl:2: invalid JSON"):
        read_jsonl_pairs(str(broken))
    missing_field = tmp_path / "fields.jsonl"
    missing_field.write_text('{"source": "a", "tgt": "b"}\n')
    with pytest.raises(DataError, match=r"fields\.jsonl:1: .*\"src\""):
        read_jsonl_pairs(str(missing_field))


def test_bad_split_spec_is_a_config_error():
    with pytest.raises(ConfigError, match="task.train must be"):
        TranslationTask(train="corpus.txt").load_split("train")


def make_task(tmp_path) -> TranslationTask:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"src": "a b c d e f", "tgt": "x"}\n{"src": "a b", "tgt": "x y z w v u"}\n{"src": "a", "tgt": "y"}\n')
    task = TranslationTask(train=str(corpus), valid=str(corpus), test=str(corpus))
    task.fit(task.load_split("train"))
    return task


def test_over_long_examples_are_dropped_from_training_and_truncated_elsewhere(tmp_path, caplog):
    datamodule = TaskDataModule(make_task(tmp_path), max_source_length=4, max_target_length=4)
    with caplog.at_level(logging.WARNING):
        train, valid = datamodule.examples("train"), datamodule.examples("valid")
    assert [e.id for e in train] == [2]
    assert "dropped 2 examples" in caplog.text and "truncated 2" in caplog.text
    assert [len(e.source) for e in valid] == [4, 2, 1] and [len(e.target) for e in valid] == [1, 4, 1]

