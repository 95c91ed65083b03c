"""Safe execution of generated or user-given SQL on a user's SQLite database.

A model's output is untrusted code, so every query runs behind four fences:
1. the file is opened read-only (`file:...?mode=ro` URI) with `PRAGMA query_only=ON`;
2. an authorizer callback allows only reading (SELECT, reading columns, harmless functions,
   recursive CTEs) and refuses everything else: writes, DDL, ATTACH/DETACH, transactions,
   PRAGMA changes, `load_extension`;
3. a progress handler interrupts a query that runs longer than `timeout_s`;
4. at most `max_rows` rows are fetched: a larger result is an error, not a memory blow-up.
Only one statement runs per call (sqlite3 refuses a second one).
"""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from seqcore.errors import DataError

SQLITE_HEADER = b"SQLite format 3\x00"
_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, getattr(sqlite3, "SQLITE_RECURSIVE", 33)}
_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}
# PRAGMAs that only read the schema (no value argument is ever honoured: see `_authorize`)
_SCHEMA_PRAGMAS = {"table_info", "foreign_key_list"}


@dataclass
class QueryResult:
    rows: list[tuple] | None  # None when the query failed
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_database(path: str | Path) -> Path:
    """The database file, or a DataError saying why it cannot be one (missing, not SQLite)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataError(f"database not found: {file}")
    with file.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise DataError(f"not an SQLite database: {file}")
    return file


def _authorize(action: int, arg1, arg2, database, trigger) -> int:
    if action in _ALLOWED and not (action == sqlite3.SQLITE_FUNCTION and str(arg2).lower() in _DENIED_FUNCTIONS):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and str(arg1).lower() in _SCHEMA_PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only, query-only connection under the read-only authorizer."""
    file = check_database(path)
    connection = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    connection.execute("PRAGMA query_only = ON")
    connection.set_authorizer(_authorize)
    return connection


class SafeExecutor:
    """Runs queries on databases through cached read-only connections (one per database path)."""

    def __init__(self, timeout_s: float = 2.0, max_rows: int = 10000):
        self.timeout_s, self.max_rows = timeout_s, max_rows
        self._connections: dict[str, sqlite3.Connection] = {}

    def connection(self, path: str | Path) -> sqlite3.Connection:
        key = str(path)
        if key not in self._connections:
            self._connections[key] = connect_readonly(path)
        return self._connections[key]

    def run(self, path: str | Path, sql: str) -> QueryResult:
        """The rows of `sql` on the database, or the reason it was refused or failed."""
        connection = self.connection(path)
        deadline = time.monotonic() + self.timeout_s
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 2000)
        try:
            cursor = connection.execute(sql)
            rows = cursor.fetchmany(self.max_rows + 1)
            cursor.close()
        except (sqlite3.Error, ValueError, OverflowError) as error:  # ValueError: NUL characters in the text
            message = str(error)
            if message == "interrupted":
                message = f"interrupted: the query ran longer than {self.timeout_s:g} s"
            return QueryResult(None, message)
        finally:
            connection.set_progress_handler(None, 0)
        if len(rows) > self.max_rows:
            return QueryResult(None, f"result exceeds {self.max_rows} rows")
        return QueryResult(rows)

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def __getstate__(self):  # connections are per process: a pickled executor reopens them
        return {"timeout_s": self.timeout_s, "max_rows": self.max_rows, "_connections": {}}
