"""A full disk, a write error or a kill while saving leaves the previous file whole, never a
truncated one at the final path; the error is one line naming the path. Output directories that
cannot be written are refused before a run starts."""
import errno
import os
import signal
import subprocess
import sys
import textwrap

import pytest
import torch

from seqcore.atomic_files import atomic_write
from seqcore.checkpoint_writing import AtomicCheckpointIO
from seqcore.errors import DataError
from tests.conftest import TINY, assert_one_line_error, run_cli


@pytest.fixture
def small_filesystem(tmp_path):
    """A 256 KiB tmpfs (needs the right to mount: skipped where a test may not)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (not root, or no mount permission)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def leftovers(directory):
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".tmp"))


def test_an_injected_write_error_keeps_the_previous_file(tmp_path):
    target = tmp_path / "last.ckpt"
    target.write_bytes(b"previous checkpoint")

    def fill_the_disk(handle):
        handle.write(b"half of a new check")
        raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(DataError, match=f"could not write {target}: No space left on device"):
        atomic_write(target, fill_the_disk)
    assert target.read_bytes() == b"previous checkpoint" and leftovers(tmp_path) == []


def test_a_checkpoint_larger_than_the_disk_keeps_the_previous_one(small_filesystem):
    target = small_filesystem / "last.ckpt"
    AtomicCheckpointIO().save_checkpoint({"step": 1, "weights": torch.zeros(10)}, target)
    with pytest.raises(DataError, match=f"could not write {target}"):
        AtomicCheckpointIO().save_checkpoint({"step": 2, "weights": torch.zeros(200_000)}, target)  # 800 kB
    assert torch.load(target, weights_only=True)["step"] == 1
    assert leftovers(small_filesystem) == []


def test_kill_9_while_writing_keeps_the_previous_file(tmp_path):
    target = tmp_path / "last.ckpt"
    target.write_bytes(b"previous checkpoint")
    writer = textwrap.dedent(f"""
        import sys, time
        from seqcore.atomic_files import atomic_write
        def slow(handle):
            handle.write(b"half of a new checkpoint")
            handle.flush()
            print("writing", flush=True)
            time.sleep(60)
        atomic_write({str(target)!r}, slow)
    """)
    process = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert target.read_bytes() == b"previous checkpoint"  # only a hidden temporary file holds the half


def test_disk_full_during_training_fails_in_one_line_and_keeps_the_last_checkpoint(workdir, monkeypatch):
    saves = []
    real_save = torch.save

    def disk_fills_after_the_first_save(obj, handle, *args, **kwargs):
        if saves:
            handle.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        saves.append(obj["global_step"])
        real_save(obj, handle, *args, **kwargs)
    monkeypatch.setattr(torch, "save", disk_fills_after_the_first_save)
    run_dir = workdir / "run"
    result = run_cli("apps.train", *TINY, "checkpoint.every_n_steps=5", f"hydra.run.dir={run_dir}", cwd=workdir,
                     check=False)
    last = run_dir / "checkpoints" / "last.ckpt"
    assert_one_line_error(result, f"could not write {last}: No space left on device")
    monkeypatch.undo()
    assert saves == [5] and torch.load(last, weights_only=True)["global_step"] == 5
    assert leftovers(last.parent) == []


def test_a_run_directory_that_is_a_file_is_refused(workdir):
    taken = workdir / "taken"
    taken.write_text("a user's file\n")
    result = run_cli("apps.train", *TINY, f"hydra.run.dir={taken}", cwd=workdir, check=False)
    assert_one_line_error(result, f"the run directory {taken} is a file")
    assert taken.read_text() == "a user's file\n"


def test_a_full_filesystem_is_refused_before_the_run(small_filesystem, workdir):
    result = run_cli("apps.train", *TINY, f"hydra.run.dir={small_filesystem / 'run'}", cwd=workdir, check=False)
    assert_one_line_error(result, "no space left")


def test_a_read_only_filesystem_is_refused_before_the_run(small_filesystem, workdir):
    subprocess.run(["mount", "-o", "remount,ro", str(small_filesystem)], check=True)
    result = run_cli("apps.evaluate", "ckpt=model.ckpt", f"hydra.run.dir={small_filesystem / 'eval'}", cwd=workdir,
                     check=False)
    assert_one_line_error(result, "is read-only")
