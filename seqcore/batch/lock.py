"""A batch job's lock on the files it writes, so that two jobs never write the same output.

Why: two jobs started on one output would both decode, commit parts under the same names and
merge into the same file: one crashes, or both finish and the output mixes the two (JSONL and
text lines, NUL bytes). A job therefore takes an exclusive, non-blocking `flock` on
`<path>.lock` for each file it writes (its output and errors files) before it reads anything,
and holds it until it ends; a second job is refused at once, in one line naming the holder.

The kernel drops a flock when its holder dies, so a killed job leaves no stale lock. The lock
file is removed when the job ends, while still locked: a job that opened it in the meantime
finds that its file is no longer the one at the path, and opens the new one.

Under DDP all ranks are processes of one job, and only rank 0 locks: the other ranks start
within its lifetime (Lightning spawns them from rank 0's `predict`; under torchrun or SLURM
they cannot pass the process-group setup without rank 0, which is refused and ends the job).
A file system without flock support (some cluster file systems) gives a warning, not a
refusal: the job then runs unprotected, as before locks existed.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import socket
from pathlib import Path

from seqcore.errors import ConfigError, DataError

log = logging.getLogger(__name__)
BUSY = (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)


class OutputLock:
    """`with OutputLock([output, errors]):` (or `acquire()` / `release()`)."""

    def __init__(self, paths: list[Path]):
        self.paths = list(dict.fromkeys(Path(f"{path}.lock") for path in paths))  # output first: it is named
        self._held: list[tuple[Path, int]] = []

    def acquire(self) -> None:
        try:
            for path in self.paths:
                descriptor = _lock(path)
                if descriptor is not None:
                    self._held.append((path, descriptor))
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        while self._held:
            path, descriptor = self._held.pop()
            try:
                path.unlink(missing_ok=True)
            except OSError:  # the file stays; it is reused by the next job
                pass
            fcntl.flock(descriptor, fcntl.LOCK_UN)  # for DataLoader workers that inherited the descriptor too
            os.close(descriptor)

    def __enter__(self) -> "OutputLock":
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def _lock(path: Path) -> int | None:
    """The descriptor of `path`, exclusively locked; None where the file system has no flock."""
    target = path.with_suffix("")  # the file being protected, for messages
    while True:
        try:
            if path.parent.exists() and not path.parent.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, f"{path.parent} is not a folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise DataError(f"cannot write {target}: {error.strerror or error} (creating its lock file {path})") \
                from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = _holder(descriptor)
            os.close(descriptor)
            if error.errno in BUSY:
                raise ConfigError(f"{target} is being written by another batch job ({holder}); wait for it to "
                                  f"end or choose another output") from None
            log.warning("cannot lock %s (%s): a second job on the same output would not be refused",
                        path, error.strerror or error)
            return None
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and current.st_ino == os.fstat(descriptor).st_ino:
            try:  # who holds it, for the message a second job gets
                os.ftruncate(descriptor, 0)
                os.write(descriptor, f"pid {os.getpid()} on {socket.gethostname()}".encode())
            except OSError:
                pass
            return descriptor
        os.close(descriptor)  # the job that held it ended and removed it: lock the new file


def _holder(descriptor: int) -> str:
    try:
        return os.pread(descriptor, 200, 0).decode(errors="replace").strip() or "pid unknown"
    except OSError:
        return "pid unknown"
