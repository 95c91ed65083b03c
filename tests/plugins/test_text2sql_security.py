"""Safe execution: writes, ATTACH, PRAGMA changes, extensions and runaway queries are refused or
stopped, and the database file is byte-for-byte unchanged afterwards."""
import pytest

from plugins.text2sql.execute import SafeExecutor, check_database
from seqcore.errors import DataError
from tests.plugins.text2sql_fixtures import checksum, make_database

RUNAWAY = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "


@pytest.fixture
def database(tmp_path):
    return make_database(tmp_path)


@pytest.mark.parametrize("sql", [
    "DROP TABLE employees",
    "DELETE FROM employees",
    "UPDATE employees SET salary = 0",
    "INSERT INTO departments VALUES (9, 'x', 1)",
    "CREATE TABLE evil (x)",
    "ATTACH DATABASE '{other}' AS other",
    "PRAGMA writable_schema=1",
    "PRAGMA query_only=0",
    "SELECT load_extension('/tmp/evil.so')",
    "BEGIN",
    "VACUUM",
    "SELECT 1; DROP TABLE employees",
])
def test_writes_and_escapes_are_refused_and_the_file_is_unchanged(database, tmp_path, sql):
    before = checksum(database)
    executor = SafeExecutor()
    result = executor.run(database, sql.format(other=tmp_path / "other.sqlite"))
    assert not result.ok and result.rows is None
    assert executor.run(database, "SELECT COUNT(*) FROM employees").rows == [(3,)]  # still usable, still intact
    executor.close()
    assert checksum(database) == before
    assert not (tmp_path / "other.sqlite").exists()


def test_a_runaway_recursive_cte_is_stopped_by_the_time_limit(database):
    before = checksum(database)
    result = SafeExecutor(timeout_s=0.2).run(database, RUNAWAY + "SELECT COUNT(*) FROM c")
    assert result.error == "interrupted: the query ran longer than 0.2 s"
    assert checksum(database) == before


def test_a_runaway_result_is_stopped_by_the_row_cap(database):
    result = SafeExecutor(timeout_s=5, max_rows=1000).run(database, RUNAWAY + "SELECT x FROM c")
    assert result.error == "result exceeds 1000 rows"


def test_reads_and_bounded_recursive_ctes_work(database):
    executor = SafeExecutor()
    assert executor.run(database, "SELECT name FROM employees WHERE salary > 3500 ORDER BY salary").rows == [
        ("New York",), ("Alice",)]
    assert executor.run(database, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) "
                        "SELECT x FROM c").rows == [(1,), (2,), (3,)]


def test_bad_database_paths_have_clear_messages(tmp_path):
    with pytest.raises(DataError, match="database not found: .*missing.sqlite"):
        check_database(tmp_path / "missing.sqlite")
    (tmp_path / "notes.txt").write_text("not a database")
    with pytest.raises(DataError, match="not an SQLite database: .*notes.txt"):
        SafeExecutor().run(tmp_path / "notes.txt", "SELECT 1")
