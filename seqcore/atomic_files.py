"""Writing files atomically: what seqcore writes never leaves a half-written file at its final path.

Every file seqcore writes for the user (checkpoints, configs, metrics, batch outputs and parts)
goes into a temporary file beside the target (same directory: the rename cannot cross file
systems), named with the process id so that two processes never share one, is flushed and
fsync'ed, then renamed over the target, and the directory is fsync'ed so the rename survives a
power cut. A kill, a full disk or a write error at any moment leaves the target as it was (or
absent), and the error is one DataError line naming the target.

`AtomicFile` streams a file and commits it in a separate step, so that a caller can commit two
files together and record something between them (a batch job's output and errors);
`atomic_write` / `atomic_write_text` write a file in one call.
"""
from __future__ import annotations

import contextlib
import errno
import glob
import os
from pathlib import Path
from typing import IO, Callable

from seqcore.errors import DataError


def temporary_path(path: Path) -> Path:
    """Where this process writes `path` before renaming it."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def remove_stale_temporaries(path: Path) -> None:
    """Remove what killed processes left while writing `path`. Only for a caller that knows no live
    process writes `path` (a batch job holding the lock on its output)."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)


class AtomicFile:
    """`with AtomicFile(path) as file: file.write(text) ...; file.finish(); file.commit()`; leaving
    the block without `commit()` removes the temporary and leaves `path` untouched."""

    def __init__(self, path: str | Path, hint: str = "", binary: bool = False):
        self.path, self.hint, self.binary = Path(path), hint, binary  # hint: what to do after a failure
        self.temporary = temporary_path(self.path)
        self.size = 0
        self.handle: IO | None = None
        self._committed = False

    def __enter__(self) -> "AtomicFile":
        with self._failing_as_data_error():
            if self.path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "it is a directory")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.temporary, "wb") if self.binary else open(self.temporary, "w", encoding="utf-8")
        return self

    def write(self, data) -> None:
        with self._failing_as_data_error():
            self.handle.write(data)

    def finish(self) -> None:
        """Everything written is on disk (in the temporary file); `size` is its length in bytes."""
        with self._failing_as_data_error():
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            self.size = self.temporary.stat().st_size

    def commit(self) -> None:
        """Put the finished file at its path: one rename, then fsync the directory."""
        with self._failing_as_data_error():
            os.replace(self.temporary, self.path)
            self._committed = True
            directory = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def __exit__(self, *exc_info) -> None:
        if self.handle is not None and not self.handle.closed:
            try:
                self.handle.close()
            except OSError:  # the buffered rest of a failed write: the file is discarded anyway
                pass
        if not self._committed:
            with contextlib.suppress(OSError):  # a read-only directory never had one
                self.temporary.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _failing_as_data_error(self):
        try:
            yield
        except (OSError, RuntimeError) as error:  # RuntimeError: torch.save's writer wraps some OSErrors
            reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
            raise DataError(f"could not write {self.path}: {reason} (the previous {self.path.name}, if any, is "
                            f"unchanged)" + (f"; {self.hint}" if self.hint else "")) from None


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], object]) -> None:
    """Call `write(binary_handle)` on the temporary file, then commit it to `path`."""
    with AtomicFile(path, binary=True) as file:
        with file._failing_as_data_error():
            write(file.handle)
        file.finish()
        file.commit()


def atomic_write_text(path: str | Path, text: str) -> None:
    """`atomic_write` of a UTF-8 text."""
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))
