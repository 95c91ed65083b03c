"""seqcore-batch end to end on a tiny trained translation model: a SIGKILLed job resumes to the
same bytes as an uninterrupted one; two DDP processes and one-item batches give the same
outputs as one process with length-sorted batches; strict mode and bad arguments."""
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TINY, run_cli, run_cli_subprocess

WORDS = "the a dog cat house we you saw sees walked laugh to with big small old new ."


def sentences(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    vocabulary = WORDS.split()
    return [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 14))) for _ in range(count)]


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("batch_model")
    run_cli("apps.train", *TINY, "test_after_training=false", f"hydra.run.dir={workdir / 'run'}",
            cwd=workdir)
    return workdir / "run" / "checkpoints" / "last.ckpt"


def batch_command(checkpoint, input_path, output, *overrides, run_dir) -> list[str]:
    return [sys.executable, "-m", "apps.batch", f"ckpt={checkpoint}", f"input={input_path}", f"output={output}",
            f"hydra.run.dir={run_dir}", *overrides]


def test_a_killed_job_resumes_to_exactly_the_uninterrupted_output(checkpoint, workdir):
    (workdir / "in.txt").write_text("\n".join(sentences(1500)) + "\n")
    run_cli("apps.batch", f"ckpt={checkpoint}", "input=in.txt", "output=reference.jsonl", "window=40",
            f"hydra.run.dir={workdir / 'r0'}", cwd=workdir)

    command = batch_command(checkpoint, "in.txt", "out.jsonl", "window=40", run_dir=workdir / "r1")
    job = subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    parts = workdir / "out.jsonl.parts"
    deadline = time.monotonic() + 300
    while len(list(parts.glob("w*.jsonl"))) < 3 and time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.02)
    os.killpg(job.pid, signal.SIGKILL)
    assert job.wait() == -signal.SIGKILL, "the job finished before it could be killed"
    committed = len(list(parts.glob("w*.jsonl")))
    assert 3 <= committed < 38 and not (workdir / "out.jsonl").exists()

    resumed = run_cli("apps.batch", f"ckpt={checkpoint}", "input=in.txt", "output=out.jsonl", "window=40",
                      f"hydra.run.dir={workdir / 'r2'}", cwd=workdir)
    assert (workdir / "out.jsonl").read_bytes() == (workdir / "reference.jsonl").read_bytes()
    assert "1500 items: 1500 done, 0 failed" in resumed.stdout
    decoded_now = int(resumed.stdout.split("items: ")[1].split("truncated; ")[1].split(" decoded")[0])
    assert decoded_now <= 1500 - 40 * committed  # committed windows were not decoded again
    assert not parts.exists()

    again = run_cli("apps.batch", f"ckpt={checkpoint}", "input=in.txt", "output=out.jsonl", "window=40",
                    f"hydra.run.dir={workdir / 'r3'}", cwd=workdir)
    assert "already finished" in again.stdout  # a rerun of the finished job decodes nothing
    assert (workdir / "out.jsonl").read_bytes() == (workdir / "reference.jsonl").read_bytes()

    (workdir / "out.jsonl").unlink()
    parts.mkdir()  # the parts of another job (a different window) are in the way: refused, not mixed
    (parts / "job.json").write_text('{"window": 7}')
    refused = run_cli("apps.batch", f"ckpt={checkpoint}", "input=in.txt", "output=out.jsonl", "window=40",
                      f"hydra.run.dir={workdir / 'r4'}", cwd=workdir, check=False)
    assert refused.returncode == 2 and "holds the parts of a job with other arguments" in refused.stderr


def test_two_processes_and_single_item_batches_give_the_same_outputs(checkpoint, workdir):
    lines = sentences(151, seed=3)
    (workdir / "in.txt").write_text("\n".join(lines) + "\n")
    for output, budget in (("one.txt", "max_tokens=8192"), ("single.txt", "max_tokens=1")):
        run_cli("apps.batch", f"ckpt={checkpoint}", "input=in.txt", f"output={output}", "window=32", budget,
                f"hydra.run.dir={workdir / output}.run", cwd=workdir)
    ddp = run_cli_subprocess("apps.batch", f"ckpt={checkpoint}", "input=in.txt", "output=two.jsonl", "window=32",
                             "trainer=ddp", "keep_parts=true", f"hydra.run.dir={workdir / 'two'}", cwd=workdir)
    one = (workdir / "one.txt").read_text().splitlines()
    assert len(one) == 151 and len(set(one)) > 1
    assert (workdir / "single.txt").read_text().splitlines() == one  # batching and padding change nothing
    records = [json.loads(line) for line in (workdir / "two.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == list(range(1, 152))
    assert [r["output"] for r in records] == one and [r["input"] for r in records] == lines
    ranks = {part.name.split("-")[1] for part in (workdir / "two.jsonl.parts").glob("w*.jsonl")}
    assert ranks == {"r0000of0002.jsonl", "r0001of0002.jsonl"}
    assert "151 items: 151 done" in ddp.stdout


def test_strict_mode_fails_the_job_on_a_bad_item_but_still_writes_everything(checkpoint, workdir):
    (workdir / "in.txt").write_bytes(b"the dog sees the cat .\n\nwe walked .\n\xff\xfe\n")
    result = run_cli("apps.batch", f"ckpt={checkpoint}", "input=in.txt", "output=out.txt", "strict=true",
                     f"hydra.run.dir={workdir / 's'}", cwd=workdir, check=False)
    assert result.returncode == 1 and "2 items failed (strict=true)" in result.stderr
    assert len((workdir / "out.txt").read_text().splitlines()) == 4
    errors = [json.loads(line) for line in (workdir / "out.errors.jsonl").read_text().splitlines()]
    assert [(e["id"], e["error"].split(": ")[-1][:14]) for e in errors] == [(2, "empty input"), (4, "not valid UTF-")]


@pytest.mark.parametrize("overrides, fragment", [
    (["input=missing.txt", "output=o.jsonl"], "input file not found"),
    (["input=in.txt", "output=o.jsonl", "nbest=3", "search=greedy"], "nbest=3 needs a search with an n-best list"),
    (["input=in.txt", "output=o.jsonl", "format=csv"], "format='csv' must be jsonl, text or auto"),
    (["input=in.txt", "output=in.txt"], "output=in.txt is the input"),
])
def test_bad_arguments_fail_with_one_line(checkpoint, workdir, overrides, fragment):
    (workdir / "in.txt").write_text("we walked .\n")
    result = run_cli("apps.batch", f"ckpt={checkpoint}", *overrides, f"hydra.run.dir={workdir / 'b'}", cwd=workdir,
                     check=False)
    assert result.returncode == 2 and fragment in result.stderr, result.stderr[-2000:]


def test_an_nbest_list_comes_from_a_beam_search(checkpoint, workdir):
    (workdir / "in.txt").write_text("we walked .\nthe dog sees the cat .\n")
    run_cli("apps.batch", f"ckpt={checkpoint}", "input=in.txt", "output=o.jsonl", "search=beam", "search.beam_size=4",
            "nbest=3", f"hydra.run.dir={workdir / 'n'}", cwd=workdir)
    for record in map(json.loads, (workdir / "o.jsonl").read_text().splitlines()):
        scores = [entry["score"] for entry in record["nbest"]]
        assert len(scores) == 3 and scores == sorted(scores, reverse=True)
        assert record["nbest"][0] == {"output": record["output"], "score": record["score"]}
