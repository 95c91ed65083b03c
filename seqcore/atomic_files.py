"""Writing files atomically: what a run writes never leaves a half-written file at its final path.

Every file seqcore writes for the user (checkpoints, configs, metrics, outputs) goes through a
temporary file in the target's own directory (so the rename stays on one filesystem), is
fsync'ed, then renamed over the target. A kill, a full disk or a write error at any moment
leaves the target as it was before (or absent), and the error is one line naming the path.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path

from seqcore.errors import DataError


def atomic_write(path: str | Path, write) -> None:
    """Call `write(binary_handle)` on a temporary file beside `path`, fsync it and rename it to
    `path` (then fsync the directory, so the rename itself survives a power cut). On any error the
    temporary file is removed, `path` keeps its previous content and a DataError names `path`."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # per process: ranks never share one
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a directory")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except (OSError, RuntimeError) as error:  # RuntimeError: torch.save's writer wraps some OSErrors
        try:
            temporary.unlink(missing_ok=True)
        except OSError:  # a read-only directory never had one
            pass
        reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
        raise DataError(f"could not write {path}: {reason} (the previous file, if any, is unchanged)") from None


def atomic_write_text(path: str | Path, text: str) -> None:
    """`atomic_write` of a UTF-8 text."""
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))
