"""Scoring predicted SQL: execution accuracy, exact match of normalized SQL, valid-SQL rate.

Execution accuracy compares result *multisets* (duplicates count, row order does not), or
ordered lists when the gold query has an ORDER BY, as in Spider's and WikiSQL's execution
evaluation. Values are normalized so that 3 == 3.0, floats agree to 6 significant digits
(AVG over the same rows may differ in the last bits) and NULL equals NULL.
Exact match parses both queries with sqlglot and compares a normalized form: formatting,
keyword case, identifier case and alias names do not matter.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import sqlglot
from sqlglot import exp

from plugins.text2sql.serialize import detokenize_sql, sql_tokens

SIGNIFICANT_DIGITS = 6


def _value(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        number = float(value)
        return float(f"{number:.{SIGNIFICANT_DIGITS}g}") if number == number else "NaN"
    if isinstance(value, bytes):
        return value.hex()
    return value  # str or None


def _row(row: Sequence) -> tuple:
    return tuple(_value(value) for value in row)


def results_match(gold: Sequence[Sequence], predicted: Sequence[Sequence], ordered: bool) -> bool:
    """Do two query results agree (as lists when `ordered`, else as multisets of rows)?"""
    gold_rows, predicted_rows = [_row(r) for r in gold], [_row(r) for r in predicted]
    if ordered:
        return gold_rows == predicted_rows
    return Counter(gold_rows) == Counter(predicted_rows)


def parse(sql: str) -> exp.Expression | None:
    """sqlglot's tree of one SQLite statement, or None when it does not parse."""
    try:
        trees = sqlglot.parse(sql, read="sqlite")
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError):
        return None
    return trees[0] if len(trees) == 1 and trees[0] is not None else None


def has_order_by(sql: str) -> bool:
    tree = parse(sql)
    if tree is None:
        return " order by " in f" {' '.join(sql.lower().split())} "
    return tree.args.get("order") is not None  # the outer query's ORDER BY only


def normalize_sql(sql: str) -> str | None:
    """A canonical text of the query (None when it does not parse): table aliases replaced by
    their tables, column aliases dropped, identifiers lower-cased, sqlglot's formatting. Double-quoted
    strings count as string literals (SQLite reads "Sales" so when no column has that name)."""
    tree = parse(detokenize_sql(" ".join(sql_tokens(sql))))
    if tree is None:
        return None
    tables = {}
    for table in tree.find_all(exp.Table):
        if table.alias:
            tables[table.alias.lower()] = table.name.lower()
            table.set("alias", None)
    for column in tree.find_all(exp.Column):
        if column.table:
            column.set("table", exp.to_identifier(tables.get(column.table.lower(), column.table.lower())))
    for alias in list(tree.find_all(exp.Alias)):
        alias.replace(alias.this)
    for identifier in tree.find_all(exp.Identifier):
        identifier.set("this", identifier.this.lower())
        identifier.set("quoted", False)
    return tree.sql(dialect="sqlite", normalize=True)


def exact_match(predicted: str, gold: str) -> bool:
    gold_form = normalize_sql(gold)
    return gold_form is not None and normalize_sql(predicted) == gold_form
