"""Text forms the model reads and writes: the question + schema source, and spaced SQL tokens.

Source: the question's tokens, then each table with its typed columns, key markers and the
cell values that literally occur in the question (schema linking by string match):

    how many employees earn more than 5000 ? | employees : id number pk , name text ,
    salary number , dept_id number -> departments . id | departments : id number pk , name text = Sales

Every identifier and value is one whitespace token the pointer head can copy. Target SQL is
written as spaced tokens too (`SELECT name FROM employees WHERE city = ' Paris '`), string
literals opened up so their words can be copied from the question; `detokenize_sql` closes
them again into runnable SQL.
"""
from __future__ import annotations

import re
import sqlite3

from plugins.text2sql.schema import Schema

QUESTION_TOKEN = re.compile(r"[\w$]+(?:[.'\-:][\w]+)*|[^\w\s]")
SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`[^`]*`|\[[^\]]*\]|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
                       r"|[A-Za-z_][\w$]*|<>|!=|>=|<=|==|\|\||\S")
KEYWORDS = frozenset("""select from where and or not in like between is null order by group having limit offset
    asc desc distinct join inner left outer cross on as count sum avg min max union intersect except all exists
    case when then else end cast""".split())
MAX_VALUES_PER_COLUMN = 2
MAX_VALUE_WORDS = 3


def question_tokens(question: str) -> list[str]:
    """Words, numbers and punctuation marks, in order (`O'Brien`, `3.5`, `2020-01-02` stay whole)."""
    return QUESTION_TOKEN.findall(question)


def matching_values(connection: sqlite3.Connection, schema: Schema, tokens: list[str]) -> dict[tuple[str, str], list[str]]:
    """Text cells equal to a span of 1-3 question tokens, by (table, column): at most a few each."""
    spans = sorted({" ".join(tokens[i:i + n]) for n in range(1, MAX_VALUE_WORDS + 1)
                    for i in range(len(tokens) - n + 1) if re.search(r"\w", tokens[i])})
    if not spans:
        return {}
    marks = ", ".join("?" * len(spans))
    found = {}
    for table in schema.tables:
        for column in table.columns:
            if column.type != "text":
                continue
            t, c = table.name.replace('"', '""'), column.name.replace('"', '""')
            rows = connection.execute(f'SELECT DISTINCT "{c}" FROM "{t}" WHERE "{c}" IN ({marks}) LIMIT ?',
                                      (*spans, MAX_VALUES_PER_COLUMN)).fetchall()
            if rows:
                found[(table.name, column.name)] = [str(row[0]) for row in rows]
    return found


def serialize(tokens: list[str], schema: Schema, values: dict[tuple[str, str], list[str]] | None = None) -> str:
    """The source sequence of a question (its tokens) over a schema (see the module docstring)."""
    values = values or {}
    parts = [" ".join(tokens)]
    for table in schema.tables:
        columns = []
        for column in table.columns:
            words = [column.name, *(["(", column.description, ")"] if column.description else []), column.type]
            if column.primary:
                words.append("pk")
            if column.references:
                words += ["->", column.references[0], ".", column.references[1]]
            for value in values.get((table.name, column.name), ()):
                words += ["=", value]
            columns.append(" ".join(words))
        parts.append(f"{table.name} : " + " , ".join(columns))
    return " | ".join(parts)


def sql_tokens(sql: str) -> list[str]:
    """SQL as spaced tokens: keywords upper-cased, string literals opened into ' word ... '."""
    tokens = []
    for token in SQL_TOKEN.findall(sql.strip().rstrip(";")):
        if token[0] in "'\"" and len(token) >= 2:
            inner = token[1:-1].replace(token[0] * 2, token[0])
            tokens += ["'", *inner.split(), "'"]
        elif token.lower() in KEYWORDS:
            tokens.append(token.upper())
        else:
            tokens.append(token)
    return tokens


def detokenize_sql(text: str) -> str:
    """Runnable SQL from spaced tokens: the words between two ' tokens become one string literal."""
    out, literal = [], None
    for token in text.split():
        if token == "'":
            if literal is None:
                literal = []
            else:
                out.append("'" + " ".join(literal).replace("'", "''") + "'")
                literal = None
        elif literal is not None:
            literal.append(token)
        else:
            out.append(token)
    if literal is not None:  # an unclosed literal: keep it visible (it will not parse)
        out += ["'", *literal]
    return " ".join(out)
