"""Safe execution of generated or user-given SQL on a user's SQLite database.

A model's output is untrusted code, so every query runs behind these fences:
1. the file is opened read-only (`file:...?mode=ro` URI) with `PRAGMA query_only=ON`, and a WAL
   database through a private copy, so nothing is ever written beside it (see `readonly.py`);
2. an authorizer callback allows only reading (SELECT, reading columns, harmless functions,
   recursive CTEs) and refuses everything else: writes, DDL, ATTACH/DETACH, transactions,
   PRAGMA changes, `load_extension`;
3. time: after `timeout_s` a timer calls `Connection.interrupt()`, which stops the query at its
   next step even when each step is a long function call; a progress handler checks the deadline
   every few thousand steps as well;
4. size: no string or blob may exceed `max_value_bytes` (`SQLITE_LIMIT_LENGTH`: `randomblob(2e8)`
   fails at once with "string or blob too big"), and rows are fetched one at a time while their
   rows and bytes (as Python holds them) are counted: more than `max_rows` rows or
   `max_result_bytes` bytes is an error, not a memory blow-up. A result may overshoot the byte
   cap by one row before it is refused.
Only one statement runs per call (sqlite3 refuses a second one).
"""
from __future__ import annotations

import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from plugins.text2sql.readonly import DEFAULT_MAX_VALUE_BYTES, check_database, connect_readonly

__all__ = ["QueryResult", "SafeExecutor", "check_database", "connect_readonly"]
DEFAULT_MAX_RESULT_BYTES = 64 * 2**20


@dataclass
class QueryResult:
    rows: list[tuple] | None  # None when the query failed
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class ResultTooLarge(Exception):
    pass


class SafeExecutor:
    """Runs queries on databases through cached read-only connections (one per database path)."""

    def __init__(self, timeout_s: float = 2.0, max_rows: int = 10000,
                 max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES, max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES):
        self.timeout_s, self.max_rows = timeout_s, max_rows
        self.max_result_bytes, self.max_value_bytes = max_result_bytes, max_value_bytes
        self._connections: dict[str, sqlite3.Connection] = {}

    def connection(self, path: str | Path) -> sqlite3.Connection:
        key = str(path)
        if key not in self._connections:
            self._connections[key] = connect_readonly(path, self.max_value_bytes)
        return self._connections[key]

    def run(self, path: str | Path, sql: str) -> QueryResult:
        """The rows of `sql` on the database, or the reason it was refused or failed."""
        connection = self.connection(path)
        deadline = time.monotonic() + self.timeout_s
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 2000)
        timer = threading.Timer(self.timeout_s, connection.interrupt)
        timer.daemon = True
        timer.start()
        try:
            cursor = connection.execute(sql)
            try:
                return QueryResult(self._fetch(cursor))
            finally:
                cursor.close()
        except ResultTooLarge as error:
            return QueryResult(None, str(error))
        except (sqlite3.Error, ValueError, OverflowError) as error:  # ValueError: NUL characters in the text
            message = str(error)
            if message == "interrupted":
                message = f"interrupted: the query ran longer than {self.timeout_s:g} s"
            return QueryResult(None, message)
        finally:
            timer.cancel()
            timer.join()  # a late interrupt() has landed, on no statement: the next query starts clean
            connection.set_progress_handler(None, 0)

    def _fetch(self, cursor: sqlite3.Cursor) -> list[tuple]:
        """All rows, counted one at a time (a fetchmany chunk of large rows would overshoot the cap)."""
        rows, size = [], 0
        for row in cursor:
            rows.append(row)
            size += sys.getsizeof(row) + sum(map(sys.getsizeof, row))
            if len(rows) > self.max_rows:
                raise ResultTooLarge(f"result exceeds {self.max_rows} rows")
            if size > self.max_result_bytes:
                raise ResultTooLarge(f"result exceeds {self.max_result_bytes} bytes")
        return rows

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def __getstate__(self):  # connections are per process: a pickled executor reopens them
        return {**self.__dict__, "_connections": {}}
