"""Question templates with gold SQL, asked of one generated database.

Each template picks tables, columns and values of the database (values from its rows, so
most queries return something) and one of several phrasings. Questions name tables and
columns literally, as users of their own databases tend to; foreign keys never appear in
questions, the model finds them in the serialized schema. SQL is written in the spaced
token form of `serialize.sql_tokens`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

COMPARISONS = {">": ("more than", "above", "greater than", "over"), "<": ("less than", "below", "under"),
               ">=": ("at least",), "<=": ("at most",)}
AGGREGATES = {"AVG": ("average", "mean"), "SUM": ("total",), "MAX": ("maximum", "largest", "highest"),
              "MIN": ("minimum", "smallest", "lowest")}


@dataclass
class TableView:
    name: str
    text: list[str]
    number: list[str]
    rows: list[dict]
    links: list[tuple[str, str]] = field(default_factory=list)  # (foreign key column, parent table)


def _value(rng, table: TableView, column: str):
    return rng.choice(table.rows)[column]


def _condition(rng, table: TableView, prefix: str = "") -> tuple[str, str] | None:
    """(words, SQL) of one WHERE condition on a text or a number column."""
    if table.text and (not table.number or rng.random() < 0.5):
        column = rng.choice(table.text)
        value = _value(rng, table, column)
        words = rng.choice((f"{column} is {value}", f"{column} {value}", f"{column} equal to {value}"))
        return words, f"{prefix}{column} = ' {value} '"
    if not table.number:
        return None
    column = rng.choice(table.number)
    operator = rng.choice(tuple(COMPARISONS))
    value = _value(rng, table, column)
    return f"{column} {rng.choice(COMPARISONS[operator])} {value}", f"{prefix}{column} {operator} {value}"


def _shown(rng, table: TableView, avoid: str | None = None) -> str:
    columns = [c for c in table.text + table.number if c != avoid] or table.text + table.number
    return rng.choice(columns)


def select(rng, t: TableView, _):
    a = _shown(rng, t)
    if rng.random() < 0.3:
        b = _shown(rng, t, avoid=a)
        if b != a:
            return rng.choice((f"show the {a} and {b} of all {t.name} .", f"list the {a} and the {b} of the {t.name} .")), \
                f"SELECT {a} , {b} FROM {t.name}"
    if t.text and rng.random() < 0.2:
        c = rng.choice(t.text)
        return rng.choice((f"list the different {c} of the {t.name} .", f"what are the distinct {c} of {t.name} ?")), \
            f"SELECT DISTINCT {c} FROM {t.name}"
    return rng.choice((f"show the {a} of all {t.name} .", f"list the {a} of every one of the {t.name} .",
                       f"what are the {a} of the {t.name} ?")), f"SELECT {a} FROM {t.name}"


def where(rng, t: TableView, _):
    words, sql = _condition(rng, t)
    a = _shown(rng, t)
    extra = rng.random()
    if extra < 0.4:
        words2, sql2 = _condition(rng, t)
        joiner = rng.choice(("and", "or"))
        words, sql = f"{words} {joiner} {words2}", f"{sql} {joiner.upper()} {sql2}"
    question = rng.choice((f"show the {a} of {t.name} whose {words} .", f"which {t.name} have {words} ? list their {a} .",
                           f"find the {a} of the {t.name} with {words} ."))
    return question, f"SELECT {a} FROM {t.name} WHERE {sql}"


def order(rng, t: TableView, _):
    if not t.number:
        return None
    n, a = rng.choice(t.number), _shown(rng, t)
    kind = rng.random()
    if kind < 0.4:
        high = rng.random() < 0.5
        word = rng.choice(("highest", "largest") if high else ("lowest", "smallest"))
        return rng.choice((f"which of the {t.name} has the {word} {n} ? give its {a} .",
                           f"show the {a} of the {t.name} with the {word} {n} .")), \
            f"SELECT {a} FROM {t.name} ORDER BY {n} {'DESC' if high else 'ASC'} LIMIT 1"
    if kind < 0.7:
        k = rng.randint(2, 5)
        return rng.choice((f"show the {a} of the top {k} {t.name} by {n} .", f"list the {a} of the {k} {t.name} with the most {n} .")), \
            f"SELECT {a} FROM {t.name} ORDER BY {n} DESC LIMIT {k}"
    direction = rng.choice(("ASC", "DESC"))
    word = "ascending" if direction == "ASC" else "descending"
    return rng.choice((f"list the {a} of all {t.name} sorted by {n} in {word} order .",
                       f"show the {a} of the {t.name} ordered by {n} , {word} .")), \
        f"SELECT {a} FROM {t.name} ORDER BY {n} {direction}"


def aggregate(rng, t: TableView, _):
    condition = _condition(rng, t) if rng.random() < 0.4 else None
    suffix_sql = f" WHERE {condition[1]}" if condition else ""
    if not t.number or rng.random() < 0.35:
        if condition:
            return rng.choice((f"how many {t.name} have {condition[0]} ?", f"count the {t.name} whose {condition[0]} .")), \
                f"SELECT COUNT ( * ) FROM {t.name}{suffix_sql}"
        return rng.choice((f"how many {t.name} are there ?", f"count the {t.name} .", f"what is the number of {t.name} ?")), \
            f"SELECT COUNT ( * ) FROM {t.name}"
    n = rng.choice(t.number)
    function = rng.choice(tuple(AGGREGATES))
    word = rng.choice(AGGREGATES[function])
    scope = f"{t.name} whose {condition[0]}" if condition else rng.choice((f"all {t.name}", f"the {t.name}"))
    return rng.choice((f"what is the {word} {n} of {scope} ?", f"give the {word} {n} of {scope} .")), \
        f"SELECT {function} ( {n} ) FROM {t.name}{suffix_sql}"


def group(rng, t: TableView, _):
    if not t.text:
        return None
    c = rng.choice(t.text)
    kind = rng.random()
    if kind < 0.4:
        return rng.choice((f"for each {c} , how many {t.name} are there ?", f"count the {t.name} for each {c} .",
                           f"how many {t.name} are there per {c} ?")), f"SELECT {c} , COUNT ( * ) FROM {t.name} GROUP BY {c}"
    if kind < 0.7 and t.number:
        n = rng.choice(t.number)
        function = rng.choice(tuple(AGGREGATES))
        word = rng.choice(AGGREGATES[function])
        return rng.choice((f"what is the {word} {n} of the {t.name} for each {c} ?", f"show each {c} and the {word} {n} of its {t.name} .")), \
            f"SELECT {c} , {function} ( {n} ) FROM {t.name} GROUP BY {c}"
    k = rng.randint(1, 4)
    if rng.random() < 0.5:
        return rng.choice((f"which {c} have more than {k} {t.name} ?", f"list the {c} shared by more than {k} {t.name} .")), \
            f"SELECT {c} FROM {t.name} GROUP BY {c} HAVING COUNT ( * ) > {k}"
    return rng.choice((f"which {c} have at least {k} {t.name} ?", f"list the {c} with at least {k} {t.name} .")), \
        f"SELECT {c} FROM {t.name} GROUP BY {c} HAVING COUNT ( * ) >= {k}"


def join(rng, child: TableView, tables: dict):
    if not child.links:
        return None
    fk, parent_name = rng.choice(child.links)
    parent = tables[parent_name]
    on = f"FROM {child.name} JOIN {parent.name} ON {child.name} . {fk} = {parent.name} . id"
    pc = _shown(rng, parent)
    kind = rng.random()
    if kind < 0.4 and parent.text:
        a, c = _shown(rng, child), rng.choice(parent.text)
        v = _value(rng, parent, c)
        return rng.choice((f"show the {a} of {child.name} in {parent.name} with {c} {v} .",
                           f"list the {a} of the {child.name} whose {parent.name} have {c} {v} .",
                           f"which {child.name} belong to {parent.name} whose {c} is {v} ? give their {a} .")), \
            f"SELECT {child.name} . {a} {on} WHERE {parent.name} . {c} = ' {v} '"
    if kind < 0.7:
        a = _shown(rng, child)
        return rng.choice((f"show the {a} of each of the {child.name} and the {pc} of its {parent.name} .",
                           f"list the {child.name} {a} together with the {parent.name} {pc} .")), \
            f"SELECT {child.name} . {a} , {parent.name} . {pc} {on}"
    return rng.choice((f"how many {child.name} are there for each {parent.name} {pc} ?",
                       f"for each of the {parent.name} , show its {pc} and the number of {child.name} .")), \
        f"SELECT {parent.name} . {pc} , COUNT ( * ) {on} GROUP BY {parent.name} . {pc}"


def nested(rng, child: TableView, tables: dict):
    if not child.links:
        return None
    fk, parent_name = rng.choice(child.links)
    parent = tables[parent_name]
    pa = _shown(rng, parent)
    if rng.random() < 0.3:
        return rng.choice((f"show the {pa} of {parent.name} that have no {child.name} .",
                           f"which {parent.name} have no {child.name} ? give their {pa} .")), \
            f"SELECT {pa} FROM {parent.name} WHERE id NOT IN ( SELECT {fk} FROM {child.name} )"
    words, sql = _condition(rng, child)
    return rng.choice((f"show the {pa} of {parent.name} that have {child.name} with {words} .",
                       f"which {parent.name} have any {child.name} whose {words} ? list their {pa} .")), \
        f"SELECT {pa} FROM {parent.name} WHERE id IN ( SELECT {fk} FROM {child.name} WHERE {sql} )"


TEMPLATES = ((select, 1.0), (where, 2.0), (order, 1.2), (aggregate, 1.5), (group, 1.2), (join, 1.8), (nested, 1.0))


def generate_question(rng: random.Random, tables: dict[str, TableView]) -> tuple[str, str]:
    """One (question, spaced gold SQL) pair about a database."""
    functions, weights = zip(*TEMPLATES)
    while True:
        template = rng.choices(functions, weights)[0]
        table = rng.choice(list(tables.values()))
        made = template(rng, table, tables)
        if made is not None:
            return made
