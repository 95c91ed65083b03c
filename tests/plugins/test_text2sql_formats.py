"""WikiSQL structured-query conversion (hand-checked), and reading WikiSQL, Spider and JSONL files."""
import json
import shutil

import pytest

from plugins.text2sql.formats import read_questions, wikisql_to_sql
from plugins.text2sql.execute import SafeExecutor
from seqcore.errors import DataError
from tests.plugins.text2sql_fixtures import make_database


@pytest.mark.parametrize("query, table_id, sql", [
    # WikiSQL dev, "What position does the player who played for butler cc (ks) play?"
    ({"sel": 3, "agg": 0, "conds": [[5, 0, "Butler CC (KS)"]]}, "1-10015132-11",
     "SELECT col3 FROM table_1_10015132_11 WHERE col5 = 'butler cc (ks)'"),
    ({"sel": 0, "agg": 3, "conds": [[2, 1, 10], [1, 0, "O'Neal"]]}, "2-1-3",
     "SELECT COUNT(col0) FROM table_2_1_3 WHERE col2 > 10 AND col1 = 'o''neal'"),
    ({"sel": 1, "agg": 5, "conds": []}, "1-5",
     "SELECT AVG(col1) FROM table_1_5"),
    ({"sel": 2, "agg": 2, "conds": [[0, 2, 2.5]]}, "1-5",
     "SELECT MIN(col2) FROM table_1_5 WHERE col0 < 2.5"),
])
def test_wikisql_structured_query_to_sql(query, table_id, sql):
    assert wikisql_to_sql(query, table_id) == sql


def test_read_wikisql_files_and_run_the_converted_query(tmp_path):
    import sqlite3
    connection = sqlite3.connect(tmp_path / "dev.db")
    connection.execute("CREATE TABLE table_1_5 (col0 TEXT, col1 REAL)")
    connection.executemany("INSERT INTO table_1_5 VALUES (?, ?)", [("ajax", 3.0), ("psv", 5.0)])
    connection.commit()
    connection.close()
    (tmp_path / "dev.tables.jsonl").write_text(json.dumps({"id": "1-5", "header": ["Team", "Points"],
                                                           "types": ["text", "real"], "rows": []}) + "\n")
    (tmp_path / "dev.jsonl").write_text(json.dumps({"question": "Points of Ajax?", "table_id": "1-5",
                                                    "sql": {"sel": 1, "agg": 0, "conds": [[0, 0, "Ajax"]]}}) + "\n")
    [sample] = read_questions(str(tmp_path / "dev.jsonl"))
    assert sample["sql"] == "SELECT col1 FROM table_1_5 WHERE col0 = 'ajax'"
    assert [(c.name, c.type, c.description) for c in sample["schema"].tables[0].columns] == [
        ("col0", "text", "Team"), ("col1", "number", "Points")]
    assert SafeExecutor().run(sample["db"], sample["sql"]).rows == [(3.0,)]


def test_read_spider_layout(tmp_path):
    (tmp_path / "database" / "company").mkdir(parents=True)
    shutil.copy(make_database(tmp_path), tmp_path / "database" / "company" / "company.sqlite")
    (tmp_path / "tables.json").write_text(json.dumps([{
        "db_id": "company", "table_names_original": ["departments"], "column_names_original": [[-1, "*"], [0, "id"]],
        "column_types": ["text", "number"], "primary_keys": [1], "foreign_keys": []}]))
    (tmp_path / "dev.json").write_text(json.dumps([{"db_id": "company", "question": "How many?",
                                                    "query": "SELECT count(*) FROM departments"}]))
    [sample] = read_questions(str(tmp_path / "dev.json"))
    assert sample["db"] == str(tmp_path / "database" / "company" / "company.sqlite")
    assert sample["schema"].tables[0].name == "departments"


def test_simple_jsonl_resolves_relative_database_paths(tmp_path):
    make_database(tmp_path)
    (tmp_path / "q.jsonl").write_text('{"question": "q", "sql": "SELECT 1", "db": "company.sqlite"}\n'
                                      '{"question": "q", "sql": 3, "db": "company.sqlite"}\n')
    with pytest.raises(DataError, match=r"q.jsonl:2: expected string fields"):
        read_questions(str(tmp_path / "q.jsonl"))


def test_unknown_format_and_wikisql_table_errors(tmp_path):
    (tmp_path / "q.csv").write_text("x")
    with pytest.raises(DataError, match="expected WikiSQL/JSONL"):
        read_questions(str(tmp_path / "q.csv"))
    (tmp_path / "d.db").write_bytes(b"")
    (tmp_path / "d.tables.jsonl").write_text('{"id": "1-1", "header": ["A"], "types": ["text"]}\n')
    (tmp_path / "d.jsonl").write_text('{"question": "q", "table_id": "9-9", "sql": {"sel": 0, "agg": 0, "conds": []}}\n')
    with pytest.raises(DataError, match=r"d.jsonl:1: table_id '9-9' is not in"):
        read_questions(str(tmp_path / "d.jsonl"))
