"""Fault suite for the text-to-SQL sandbox (plugins/text2sql/execute.py): hostile or runaway SQL is
refused or stopped with a clear error, the executor stays usable, and the user's database is
byte-for-byte unchanged with nothing written beside it. (Ordinary reads: tests/plugins/test_text2sql_security.py.)"""
import pickle
import sqlite3
import tempfile

import pytest

from plugins.text2sql.execute import SafeExecutor
from tests.plugins.text2sql_fixtures import checksum, make_database

RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
needs_setlimit = pytest.mark.skipif(not hasattr(sqlite3.Connection, "setlimit"), reason="Connection.setlimit: Python >= 3.11")


@pytest.fixture
def database(tmp_path):
    return make_database(tmp_path)


def files_beside(database):
    return sorted(path.name for path in database.parent.iterdir())


def refused(database, sql, **limits):
    """The error of `sql`, after checking that the executor still answers and the file is intact."""
    before, files = checksum(database), files_beside(database)
    executor = SafeExecutor(**limits)
    result = executor.run(database, sql)
    assert not result.ok and result.rows is None
    assert executor.run(database, "SELECT COUNT(*) FROM employees").rows == [(3,)]  # still usable
    executor.close()
    assert checksum(database) == before and files_beside(database) == files
    return result.error


@pytest.mark.parametrize("sql", [
    "DROP TABLE employees",
    "DELETE FROM employees",
    "WITH x AS (SELECT 1) DELETE FROM employees",
    "UPDATE employees SET salary = 0",
    "INSERT INTO departments VALUES (9, 'x', 1)",
    "REPLACE INTO departments VALUES (1, 'x', 1)",
    "CREATE TABLE evil (x)",
    "CREATE TEMP TABLE evil (x)",
    "ATTACH DATABASE '{other}' AS other",
    "PRAGMA writable_schema=1",
    "PRAGMA query_only=0",
    "PRAGMA journal_mode=WAL",
    "SELECT load_extension('/tmp/evil.so')",
    "BEGIN",
    "SAVEPOINT s",
    "VACUUM",
    "VACUUM INTO '{other}'",
    "ANALYZE",
    "CREATE INDEX i ON employees (name)",
    "SELECT 1; DROP TABLE employees",
])
def test_writes_and_escapes_are_refused(database, tmp_path, sql):
    refused(database, sql.format(other=tmp_path / "other.sqlite"))
    assert not (tmp_path / "other.sqlite").exists()


def test_a_runaway_recursive_cte_is_stopped_by_the_time_limit(database):
    assert refused(database, RUNAWAY + "SELECT COUNT(*) FROM c", timeout_s=0.2) == \
        "interrupted: the query ran longer than 0.2 s"


def test_few_steps_each_a_long_function_call_are_interrupted_by_the_timer(database):
    # ~25 VDBE steps per row: the progress handler (every 2000 steps) would not run before all
    # 50 rows (~0.4 s of memcmp each, ~20 s in all) were done; the timer stops it after one row.
    slow = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50) "
            "SELECT sum(instr(zeroblob(300000 + x), zeroblob(150000) || x'01')) FROM c")
    assert refused(database, slow, timeout_s=0.3) == "interrupted: the query ran longer than 0.3 s"


@needs_setlimit
@pytest.mark.parametrize("sql", [
    "SELECT randomblob(2e8)",
    " UNION ALL ".join(["SELECT zeroblob(8e8)"] * 5),
    "SELECT length(zeroblob(8e8))",
], ids=["randomblob(2e8)", "zeroblob(8e8) x5", "length(zeroblob(8e8))"])
def test_a_huge_value_fails_at_once_under_the_length_limit(database, sql):
    assert refused(database, sql, timeout_s=2) == "string or blob too big"


def test_a_runaway_result_is_stopped_by_the_row_cap(database):
    assert refused(database, RUNAWAY + "SELECT x FROM c", timeout_s=5, max_rows=1000) == "result exceeds 1000 rows"


def test_many_large_rows_are_stopped_by_the_byte_cap(database):
    large_rows = RUNAWAY.replace("FROM c)", "FROM c WHERE x < 100)") + "SELECT zeroblob(1e7) FROM c"  # 1 GB
    assert refused(database, large_rows) == f"result exceeds {64 * 2**20} bytes"
    assert refused(database, large_rows, max_result_bytes=10**6) == "result exceeds 1000000 bytes"


@needs_setlimit
def test_a_pickled_executor_keeps_its_limits(database):  # as a data-loader worker gets it
    executor = SafeExecutor(timeout_s=0.5, max_rows=7, max_result_bytes=1000, max_value_bytes=2000)
    executor.run(database, "SELECT 1")
    copy = pickle.loads(pickle.dumps(executor))
    assert vars(copy) == {**vars(executor), "_connections": {}}
    assert copy.run(database, "SELECT zeroblob(3000)").error == "string or blob too big"
    assert copy.run(database, RUNAWAY + "SELECT x FROM c").error == "result exceeds 7 rows"
    executor.close()
    copy.close()


def _wal_database(directory):
    directory.mkdir()
    database = make_database(directory)
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    return database


def _committed_in_wal(database):
    """A writer, still open, whose last commit is only in the -wal (no checkpoint)."""
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("INSERT INTO employees VALUES (4, 'Dan', 1000, NULL, 2)")
    writer.commit()
    return writer


@pytest.mark.parametrize("state", ["clean", "live writer", "crashed writer"])
def test_a_wal_database_is_read_correctly_with_nothing_written_beside_it(tmp_path, monkeypatch, state):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "private"))
    (tmp_path / "private").mkdir()
    database = _wal_database(tmp_path / "user")
    writer, expected = None, [(3,)]
    if state != "clean":
        writer, expected = _committed_in_wal(database), [(4,)]
    if state == "crashed writer":  # the -wal stays behind, with its commit: what a killed writer leaves
        crashed = tmp_path / "crashed"
        crashed.mkdir()
        for name in (database.name, f"{database.name}-wal"):
            (crashed / name).write_bytes((database.parent / name).read_bytes())
        writer.close()
        writer, database = None, crashed / database.name
    files = {path.name: checksum(path) for path in database.parent.iterdir()}
    executor = SafeExecutor()
    assert executor.run(database, "SELECT COUNT(*) FROM employees").rows == expected
    assert executor.run(database, "DELETE FROM employees").error == "not authorized"
    executor.close()
    assert {path.name: checksum(path) for path in database.parent.iterdir()} == files
    assert not any((tmp_path / "private").iterdir())  # the private copy is gone
    if writer:
        writer.close()
