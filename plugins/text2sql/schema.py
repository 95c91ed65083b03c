"""A database's schema as the model sees it: tables, typed columns, primary and foreign keys.

Read from the SQLite file itself (through the read-only connection of `execute.py`), or
from a Spider `tables.json` entry, so both paths give the same structure to `serialize.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from plugins.text2sql.execute import connect_readonly


@dataclass
class Column:
    name: str
    type: str  # "text" | "number" | "other"
    primary: bool = False
    references: tuple[str, str] | None = None  # (table, column) of a foreign key
    description: str = ""  # what the column holds when its name does not say (WikiSQL: col0 = "Player")


@dataclass
class Table:
    name: str
    columns: list[Column] = field(default_factory=list)


@dataclass
class Schema:
    tables: list[Table]

    def column_names(self) -> set[str]:
        return {column.name.lower() for table in self.tables for column in table.columns}

    def table_names(self) -> set[str]:
        return {table.name.lower() for table in self.tables}


def column_type(declared: str) -> str:
    """SQLite's type affinity rules, reduced to what a question can ask of a column."""
    declared = (declared or "").upper()
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "text"
    if any(word in declared for word in ("INT", "REAL", "FLOA", "DOUB", "NUM", "DEC", "BOOL")):
        return "number"
    return "other"


def read_schema(path: str) -> Schema:
    """The schema of an SQLite file (user tables only, in file order)."""
    connection = connect_readonly(path)
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
        tables = []
        for name in names:
            quoted = name.replace('"', '""')
            foreign = {row[3]: (row[2], row[4]) for row in connection.execute(f'PRAGMA foreign_key_list("{quoted}")')}
            columns = [Column(row[1], column_type(row[2]), bool(row[5]), foreign.get(row[1]))
                       for row in connection.execute(f'PRAGMA table_info("{quoted}")')]
            tables.append(Table(name, columns))
        return Schema(tables)
    finally:
        connection.close()


def spider_schema(entry: dict) -> Schema:
    """A Spider `tables.json` entry (column_names_original, column_types, primary/foreign keys)."""
    tables = [Table(name) for name in entry["table_names_original"]]
    primary = set(entry.get("primary_keys", []))
    foreign = {child: parent for child, parent in entry.get("foreign_keys", [])}
    columns = entry["column_names_original"]
    for index, (table_index, name) in enumerate(columns):
        if table_index < 0:  # the "*" pseudo-column
            continue
        parent = foreign.get(index)
        reference = (entry["table_names_original"][columns[parent][0]], columns[parent][1]) if parent is not None else None
        kind = entry["column_types"][index]
        tables[table_index].columns.append(Column(name, kind if kind in ("text", "number") else "other",
                                                  index in primary, reference))
    return Schema(tables)
