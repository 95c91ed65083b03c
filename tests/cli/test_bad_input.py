"""Bad input and bad config end in one clear line naming the file/key, never a bare traceback."""
import pytest

from tests.conftest import TINY, assert_one_line_error, run_cli


def test_parallel_files_with_different_line_counts(workdir):
    (workdir / "train.src").write_text("a b\nc d\ne f\n")
    (workdir / "train.tgt").write_text("x y\nz w\n")
    result = run_cli("apps.train", *TINY, "task.train=[train.src,train.tgt]", cwd=workdir, check=False)
    assert_one_line_error(result, "train.src has 3 lines", "train.tgt has 2")


def test_non_utf8_input_names_file_and_line(workdir):
    (workdir / "train.src").write_bytes(b"good line\nbad \xff\xfe line\n")
    (workdir / "train.tgt").write_text("one\ntwo\n")
    result = run_cli("apps.train", *TINY, "task.train=[train.src,train.tgt]", cwd=workdir, check=False)
    assert_one_line_error(result, "train.src:2", "UTF-8")


def test_missing_data_path(workdir):
    result = run_cli("apps.train", *TINY, "task.valid=missing.jsonl", cwd=workdir, check=False)
    assert_one_line_error(result, "file not found", "missing.jsonl")


def test_missing_checkpoint(workdir):
    result = run_cli("apps.evaluate", "ckpt=nowhere/last.ckpt", cwd=workdir, check=False)
    assert_one_line_error(result, "checkpoint not found", "nowhere/last.ckpt")


@pytest.mark.parametrize("override, fragment", [
    ("trainer.max_stepz=5", "max_stepz"),
    ("+trainer.max_stepz=5", "trainer.max_stepz"),
    ("trainer.max_steps=lots", "trainer.max_steps"),
    ("optim.lr=fast", "optim.lr"),
    ("optim.schedule=linear", "optim.schedule"),
    ("head=transducer", "supported heads: attention"),
])
def test_bad_config_names_the_key(workdir, override, fragment):
    result = run_cli("apps.train", *TINY, override, cwd=workdir, check=False)
    assert_one_line_error(result, fragment)
