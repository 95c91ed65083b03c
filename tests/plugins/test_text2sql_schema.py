"""Schema reading and serialization of a fixture database, and the spaced SQL token form."""
import pytest

from plugins.text2sql.schema import Column, read_schema, spider_schema
from plugins.text2sql.serialize import detokenize_sql, matching_values, question_tokens, serialize, sql_tokens
from plugins.text2sql.execute import connect_readonly
from tests.plugins.text2sql_fixtures import make_database


@pytest.fixture
def database(tmp_path):
    return make_database(tmp_path)


def test_read_schema_finds_tables_types_and_keys(database):
    schema = read_schema(str(database))
    assert [t.name for t in schema.tables] == ["departments", "employees"]
    employees = schema.tables[1].columns
    assert [(c.name, c.type, c.primary, c.references) for c in employees] == [
        ("id", "number", True, None), ("name", "text", False, None), ("salary", "number", False, None),
        ("note", "other", False, None), ("dept_id", "number", False, ("departments", "id"))]


def test_serialization_of_the_fixture_database_with_matching_cell_values(database):
    schema = read_schema(str(database))
    tokens = question_tokens("Who in Sales earns more than 4000, or lives in New York?")
    assert tokens == ["Who", "in", "Sales", "earns", "more", "than", "4000", ",", "or", "lives", "in", "New",
                      "York", "?"]
    values = matching_values(connect_readonly(database), schema, tokens)
    assert values == {("departments", "name"): ["Sales"], ("employees", "name"): ["New York"]}
    assert serialize(tokens, schema, values) == (
        "Who in Sales earns more than 4000 , or lives in New York ? | "
        "departments : id number pk , name text = Sales , budget number | "
        "employees : id number pk , name text = New York , salary number , note other , "
        "dept_id number -> departments . id")


def test_spider_schema_entry():
    entry = {"db_id": "x", "table_names_original": ["a", "b"],
             "column_names_original": [[-1, "*"], [0, "id"], [0, "title"], [1, "a_id"]],
             "column_types": ["text", "number", "text", "number"], "primary_keys": [1], "foreign_keys": [[3, 1]]}
    schema = spider_schema(entry)
    assert schema.tables[0].columns == [Column("id", "number", True), Column("title", "text")]
    assert schema.tables[1].columns == [Column("a_id", "number", False, ("a", "id"))]


@pytest.mark.parametrize("sql, tokens, runnable", [
    ("select T1.name from employees as T1 where T1.city = 'New York';",
     "SELECT T1 . name FROM employees AS T1 WHERE T1 . city = ' New York '",
     "SELECT T1 . name FROM employees AS T1 WHERE T1 . city = 'New York'"),
    ('SELECT count(*) FROM t WHERE a >= 2.5 AND b != "O\'Neil"',
     "SELECT COUNT ( * ) FROM t WHERE a >= 2.5 AND b != ' O'Neil '",
     "SELECT COUNT ( * ) FROM t WHERE a >= 2.5 AND b != 'O''Neil'"),
    ("SELECT x FROM t WHERE y = ''", "SELECT x FROM t WHERE y = ' '", "SELECT x FROM t WHERE y = ''"),
])
def test_sql_tokens_open_literals_and_detokenize_closes_them(sql, tokens, runnable):
    assert " ".join(sql_tokens(sql)) == tokens
    assert detokenize_sql(tokens) == runnable
