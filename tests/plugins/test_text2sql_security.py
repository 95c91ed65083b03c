"""Safe execution, the ordinary side: reads and bounded recursive CTEs work, bad database paths get a
clear message. Hostile and runaway SQL (writes, ATTACH, PRAGMA changes, extensions, time, row,
byte and length limits, WAL databases) is the fault suite: tests/faults/test_sql_limits.py."""
import pytest

from plugins.text2sql.execute import SafeExecutor, check_database
from seqcore.errors import DataError
from tests.plugins.text2sql_fixtures import make_database


@pytest.fixture
def database(tmp_path):
    return make_database(tmp_path)


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
