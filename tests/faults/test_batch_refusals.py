"""A batch job never overwrites a user's file by accident (issue 19, item 4).

It refuses output/errors paths that are the input or each other and existing files it did
not write, holds a lock on its output so that a second job is refused in one line, records
the output's format among the arguments a resume must repeat, and merges atomically: a
failed write leaves the previous output and the decoded parts as they were. Most cases run
the job in-process with the echo model of tests/unit/test_batch_job.py (no training); one
runs the CLI on the suite's tiny checkpoint to see the one-line refusal a user sees.
"""
import errno
import json
import os
from pathlib import Path

import pytest
import pytorch_lightning as pl

from seqcore.batch import BatchJob, JobSettings
from seqcore.batch.merge import merge_parts
from seqcore.batch.parts import PartsDirectory
from seqcore.errors import ConfigError, DataError
from tests.conftest import run_cli
from tests.unit.test_batch_job import EchoModule, echo_task, write_input

LINES = [b"a b c", b"d e", b"", b"f"]


@pytest.fixture
def echo(tmp_path):
    return EchoModule(echo_task(tmp_path))


@pytest.fixture
def input_path(tmp_path) -> Path:
    return Path(write_input(tmp_path, LINES))


def settings(input_path, output, **options) -> JobSettings:
    return JobSettings(input=str(input_path), output=str(output), **options)


def run_job(module, tmp_path, input_path, output, **options):
    with BatchJob(module, settings(input_path, output, **options), {"ckpt": "echo"}) as job:
        trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, enable_progress_bar=False,
                             callbacks=job.callbacks(), default_root_dir=str(tmp_path))
        return job.run(trainer)


def files_in(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def assert_one_line(error: Exception, *fragments: str) -> None:
    message = str(error)
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in: {message}"


@pytest.mark.parametrize("output, errors, fragment", [
    ("in.txt", None, "output={tmp}/in.txt is the input"),
    ("link.txt", None, "output={tmp}/link.txt is the input"),  # a hard link to the input
    ("out.jsonl", "out.jsonl", "errors={tmp}/out.jsonl is the output file"),
    ("out.jsonl", "in.txt", "errors={tmp}/in.txt is the input"),
    ("folder", None, "output={tmp}/folder is a folder"),
])
def test_an_output_on_the_input_or_on_the_other_output_is_refused_before_anything_is_written(
        echo, tmp_path, input_path, output, errors, fragment):
    os.link(input_path, tmp_path / "link.txt")
    (tmp_path / "folder").mkdir()
    before = files_in(tmp_path)
    options = {"errors": str(tmp_path / errors)} if errors else {}
    with pytest.raises(ConfigError) as refused:
        BatchJob(echo, settings(input_path, tmp_path / output, **options), {"ckpt": "echo"})
    assert_one_line(refused.value, fragment.format(tmp=tmp_path))
    assert files_in(tmp_path) == before  # the input intact, no parts, no lock file


def test_an_output_folder_that_cannot_be_made_is_one_line_naming_the_output(echo, tmp_path, input_path):
    (tmp_path / "results").write_text("a file where the output's folder should be")
    output = tmp_path / "results" / "out.jsonl"
    with pytest.raises(DataError) as refused:  # (a read-only folder is the same error, but not for root)
        BatchJob(echo, settings(input_path, output), {"ckpt": "echo"})
    assert_one_line(refused.value, f"cannot write {output}: {tmp_path / 'results'} is not a folder")


def test_an_output_inside_an_input_folder_or_matching_an_input_pattern_is_refused(tmp_path):
    from seqcore.batch.paths import check_paths
    scans = tmp_path / "scans"
    scans.mkdir()
    for output, input_, fragment in [(scans / "out.jsonl", str(scans), "is inside the input folder"),
                                     (scans / "sub" / "out.txt", str(scans), "is inside the input folder"),
                                     (tmp_path / "out.txt", str(tmp_path / "*.txt"), "matches the input pattern")]:
        with pytest.raises(ConfigError) as refused:
            check_paths(input_, output, output.with_name("errors.jsonl"))
        assert_one_line(refused.value, f"output={output} {fragment}")
    check_paths(str(scans), tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl")  # beside it is fine


@pytest.mark.parametrize("existing", ["out.jsonl", "out.errors.jsonl"])
def test_an_existing_file_the_job_did_not_write_is_refused_and_left_byte_identical(echo, tmp_path, input_path,
                                                                                   existing):
    (tmp_path / existing).write_bytes(b"a user's own file\n\x00\xff")
    before = files_in(tmp_path)
    with pytest.raises(ConfigError) as refused:
        run_job(echo, tmp_path, input_path, tmp_path / "out.jsonl")
    assert_one_line(refused.value, f"{tmp_path / existing} already exists and was not written by this batch job",
                    "delete it or choose another")
    assert files_in(tmp_path) == before and echo.batch_sizes == []  # nothing decoded, nothing written


def test_a_finished_job_run_again_is_done_without_decoding_and_other_arguments_are_refused(tmp_path, input_path):
    first = run_job(EchoModule(echo_task(tmp_path)), tmp_path, input_path, tmp_path / "out.jsonl")
    assert (first.counts.done, first.counts.failed) == (3, 1) and not first.already_done
    written = files_in(tmp_path)

    again = EchoModule(echo_task(tmp_path))
    summary = run_job(again, tmp_path, input_path, tmp_path / "out.jsonl")
    assert summary.already_done and (summary.counts.done, summary.counts.failed) == (3, 1)
    assert "already finished" in summary.line() and again.batch_sizes == []  # not decoded again
    assert files_in(tmp_path) == written

    with pytest.raises(ConfigError) as refused:  # the same output in another format: not this job's file
        run_job(again, tmp_path, input_path, tmp_path / "out.jsonl", format="text")
    assert_one_line(refused.value, "is the finished output of a batch job with other arguments (format)")
    assert files_in(tmp_path) == written


def test_a_resume_with_another_format_is_refused_naming_it(echo, tmp_path, input_path):
    output = tmp_path / "out.jsonl"
    with BatchJob(echo, settings(input_path, output, window=2), {"ckpt": "echo"}):
        pass  # a job that recorded its arguments and was killed before its first commit
    recorded = json.loads((tmp_path / "out.jsonl.parts" / "job.json").read_text())
    assert recorded["format"] == "jsonl"
    with pytest.raises(ConfigError) as refused:
        BatchJob(echo, settings(input_path, output, window=2, format="text"), {"ckpt": "echo"})
    assert_one_line(refused.value, "holds the parts of a job with other arguments (format)")


def test_a_second_job_on_a_locked_output_is_refused_in_one_line(echo, tmp_path, input_path):
    from seqcore.batch.lock import OutputLock
    output = tmp_path / "out.jsonl"
    with OutputLock([output, tmp_path / "out.errors.jsonl"]):  # a first job, running
        before = files_in(tmp_path)
        with pytest.raises(ConfigError) as refused:
            BatchJob(echo, settings(input_path, output, format="text"), {"ckpt": "echo"})
        assert_one_line(refused.value, f"{output} is being written by another batch job (pid {os.getpid()} on")
        assert files_in(tmp_path) == before and echo.batch_sizes == []
    run_job(echo, tmp_path, input_path, output)  # once the first job has ended
    assert len(output.read_text().splitlines()) == len(LINES)
    assert not list(tmp_path.glob("*.lock"))  # removed with the job


def test_the_cli_refuses_a_locked_output_in_one_line(tiny_checkpoint, workdir):
    from seqcore.batch.lock import OutputLock
    (workdir / "in.txt").write_text("we walked .\n")
    with OutputLock([workdir / "out.txt", workdir / "out.errors.jsonl"]):
        result = run_cli("apps.batch", f"ckpt={tiny_checkpoint}", "input=in.txt", "output=out.txt",
                         f"hydra.run.dir={workdir / 'run'}", cwd=workdir, check=False)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert len(errors) == 1 and "out.txt is being written by another batch job" in errors[0], result.stderr[-2000:]
    assert not (workdir / "out.txt").exists() and not (workdir / "out.txt.parts").exists()


def committed_parts(tmp_path) -> PartsDirectory:
    parts = PartsDirectory(tmp_path / "out.jsonl")
    parts.prepare({"ckpt": "x"}, rank=0)
    parts.commit(0, 0, 1, [{"index": 0, "id": 1, "input": "a", "output": "A"},
                           {"index": 1, "id": 2, "input": "", "output": None, "error": "empty input"}])
    return parts


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_during_the_merge_keeps_the_previous_output_and_the_parts(tmp_path, monkeypatch, failing):
    parts = committed_parts(tmp_path)
    output, errors = tmp_path / "out.jsonl", tmp_path / "out.errors.jsonl"
    output.write_bytes(b"the previous output\n")
    errors.write_bytes(b"the previous errors\n")
    before = files_in(tmp_path)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, failing, full_disk)
    with pytest.raises(DataError) as failed:
        merge_parts(parts.part_files(), 2, output, errors, text=False)
    monkeypatch.undo()
    assert_one_line(failed.value, "could not write", "No space left on device", "is unchanged")
    assert str(output) in str(failed.value) or str(errors) in str(failed.value)
    assert files_in(tmp_path) == before  # previous files, parts and nothing else (no temporary left)


def test_a_job_whose_merge_fails_keeps_its_parts_and_a_rerun_finishes_it(echo, tmp_path, input_path, monkeypatch):
    output = tmp_path / "out.jsonl"
    replace = os.replace

    def output_disk_full(source, target, *args, **kwargs):
        if Path(target) == output:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", output_disk_full)
    with pytest.raises(DataError) as failed:
        run_job(echo, tmp_path, input_path, output, window=2)
    monkeypatch.undo()
    assert_one_line(failed.value, f"could not write {output}: No space left on device",
                    f"the decoded parts are kept in {output}.parts")
    assert not output.exists() and len(list((tmp_path / "out.jsonl.parts").glob("w*.jsonl"))) == 2
    assert not list(tmp_path.glob("*.lock")) and not list(tmp_path.glob(".*.tmp"))

    again = EchoModule(echo.task)
    summary = run_job(again, tmp_path, input_path, output, window=2)
    assert summary.decoded_now == 0 and again.batch_sizes == []  # only merged
    assert [json.loads(line)["id"] for line in output.read_text().splitlines()] == [1, 2, 3, 4]


def test_temporary_files_are_per_process_and_those_of_killed_runs_are_removed(echo, tmp_path, input_path):
    output = tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"
    with BatchJob(echo, settings(input_path, output), {"ckpt": "echo"}):
        pass  # a job killed before its first commit
    stale = [tmp_path / ".out.jsonl.4194999.tmp", tmp_path / ".out.errors.jsonl.4194999.tmp",
             parts / ".w000000000-r0000of0001.jsonl.4194999.tmp", parts / "w000000000-r0000of0001.tmp"]
    for path in stale:
        path.write_text('{"index": 0, "output": "half-writ')
    run_job(echo, tmp_path, input_path, output)
    assert not any(path.exists() for path in stale)
    assert sorted(files_in(tmp_path)) == ["corpus.jsonl", "in.txt", "out.errors.jsonl", "out.jsonl",
                                          "out.jsonl.done.json"]
