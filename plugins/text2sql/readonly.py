"""Opening a user's SQLite database for untrusted queries: read-only, nothing written beside it.

A plain database opens with a `file:...?mode=ro` URI: SQLite then writes no file at all. A WAL
database (header bytes 18/19 equal to 2, or a `-wal` file beside it) would still get `-wal` and
`-shm` files from a read-only connection, and `immutable=1` would skip the committed pages still in
the `-wal`; so it is copied (with its `-wal`) into a private temporary directory and the copy is
opened, read-only too. The copy is removed when the connection closes or is garbage-collected.
It is a snapshot taken without SQLite's locks: a database being written meanwhile may copy torn.
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
import weakref
from pathlib import Path

from seqcore.errors import DataError

SQLITE_HEADER = b"SQLite format 3\x00"
DEFAULT_MAX_VALUE_BYTES = 16 * 2**20
_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, getattr(sqlite3, "SQLITE_RECURSIVE", 33)}
_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}
# PRAGMAs that only read the schema (no value argument is ever honoured: see `_authorize`)
_SCHEMA_PRAGMAS = {"table_info", "foreign_key_list"}


def check_database(path: str | Path) -> Path:
    """The database file, or a DataError saying why it cannot be one (missing, not SQLite)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataError(f"database not found: {file}")
    if _header(file)[:len(SQLITE_HEADER)] != SQLITE_HEADER:
        raise DataError(f"not an SQLite database: {file}")
    return file


def _header(file: Path) -> bytes:
    with file.open("rb") as handle:
        return handle.read(100)


def is_wal(file: Path) -> bool:
    """Whether a read-only connection to `file` would create `-wal`/`-shm` files beside it."""
    header = _header(file)
    return 2 in header[18:20] or Path(f"{file}-wal").exists()


def _authorize(action: int, arg1, arg2, database, trigger) -> int:
    if action in _ALLOWED and not (action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() in _DENIED_FUNCTIONS):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and str(arg1).lower() in _SCHEMA_PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


class _PrivateCopy(sqlite3.Connection):
    """A connection to a private copy of a database, whose directory goes when it closes."""
    remove_copy: weakref.finalize

    def close(self) -> None:
        super().close()
        self.remove_copy()


def connect_readonly(path: str | Path, max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES) -> sqlite3.Connection:
    """A read-only, query-only connection under the read-only authorizer, where no string or blob
    (a value, or a row SQLite stores) may be longer than `max_value_bytes` (Python >= 3.11)."""
    file = check_database(path).resolve()
    if is_wal(file):
        directory = Path(tempfile.mkdtemp(prefix="seqcore-sql-"))
        try:
            for suffix in ("", "-wal"):
                if Path(f"{file}{suffix}").exists():
                    shutil.copyfile(f"{file}{suffix}", directory / f"{file.name}{suffix}")
            connection = sqlite3.connect(f"{(directory / file.name).as_uri()}?mode=ro", uri=True,
                                         check_same_thread=False, factory=_PrivateCopy)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        connection.remove_copy = weakref.finalize(connection, shutil.rmtree, directory, ignore_errors=True)
    else:
        connection = sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    if hasattr(connection, "setlimit"):  # Python 3.10 keeps SQLite's default (1e9 bytes)
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes)
    connection.execute("PRAGMA query_only = ON")
    connection.set_authorizer(_authorize)
    return connection
