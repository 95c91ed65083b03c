"""Execution-accuracy comparison semantics and exact match of normalized SQL."""
import sqlite3

import pytest

from plugins.text2sql.compare import exact_match, has_order_by, normalize_sql, results_match


def test_multisets_ignore_order_but_count_duplicates():
    assert results_match([(1,), (2,)], [(2,), (1,)], ordered=False)
    assert not results_match([(1,), (1,), (2,)], [(1,), (2,), (2,)], ordered=False)
    assert not results_match([(1,), (1,)], [(1,)], ordered=False)


def test_order_matters_only_when_asked():
    assert not results_match([(1,), (2,)], [(2,), (1,)], ordered=True)
    assert results_match([(1,), (2,)], [(1,), (2,)], ordered=True)


def test_nulls_equal_nulls_and_nothing_else():
    assert results_match([(None, "a")], [(None, "a")], ordered=False)
    assert not results_match([(None,)], [(0,)], ordered=False)
    assert not results_match([(None,)], [("",)], ordered=False)


def test_floats_agree_to_six_significant_digits_and_ints_equal_floats():
    # AVG computed two ways: the sum order changes the last bits, not the answer
    values = [0.1] * 7 + [0.7]
    one_way, other_way = sum(values) / 8, sum(reversed(values)) / 8
    assert one_way != other_way
    assert results_match([(one_way,)], [(other_way,)], ordered=False)
    assert results_match([(3,)], [(3.0,)], ordered=False)
    assert not results_match([(3.0001,)], [(3.0,)], ordered=False)
    assert not results_match([("3",)], [(3,)], ordered=False)  # text is not a number


def test_results_from_sqlite_compare_as_the_queries_mean():
    connection = sqlite3.connect(":memory:")
    connection.executescript("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (2, 'x'), (1, 'y'), (2, NULL);")
    ascending = connection.execute("SELECT a FROM t ORDER BY a").fetchall()
    descending = connection.execute("SELECT a FROM t ORDER BY a DESC").fetchall()
    assert results_match(ascending, descending, ordered=False)
    assert not results_match(ascending, descending, ordered=has_order_by("SELECT a FROM t ORDER BY a"))


def test_has_order_by_reads_the_outer_query_only():
    assert has_order_by("select a from t order by a desc limit 1")
    assert not has_order_by("SELECT a FROM t WHERE a IN (SELECT a FROM u ORDER BY a LIMIT 3)")
    assert not has_order_by("SELECT a FROM t")


@pytest.mark.parametrize("predicted, gold", [
    ("select name from employees where salary>5", "SELECT name FROM employees WHERE salary > 5"),
    ("SELECT T1.name AS n FROM employees AS T1 JOIN departments AS T2 ON T1.dept_id = T2.id",
     "SELECT a.name FROM employees a JOIN departments b ON a.dept_id = b.id"),
    ("SELECT Name FROM Employees WHERE city = \"Paris\"", "SELECT name FROM employees WHERE city = 'Paris'"),
    ("SELECT COUNT ( * ) FROM t GROUP BY c", "select count(*) from t group by c"),
])
def test_exact_match_ignores_formatting_case_and_alias_names(predicted, gold):
    assert exact_match(predicted, gold)


@pytest.mark.parametrize("predicted, gold", [
    ("SELECT name FROM employees WHERE salary > 6", "SELECT name FROM employees WHERE salary > 5"),
    ("SELECT name FROM employees WHERE city = 'paris'", "SELECT name FROM employees WHERE city = 'Paris'"),
    ("SELECT name FROM", "SELECT name FROM employees"),
])
def test_exact_match_sees_real_differences_and_malformed_sql(predicted, gold):
    assert not exact_match(predicted, gold)


def test_malformed_sql_normalizes_to_none():
    assert normalize_sql("SELECT ( FROM") is None
    assert normalize_sql("SELECT 1; SELECT 2") is None
