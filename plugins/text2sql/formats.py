"""Text-to-SQL data formats: WikiSQL, Spider and a simple JSONL, all read into samples
{"question", "sql", "db"[, "schema"]} (the SQL as text, the database as a file path).

- WikiSQL (Zhong et al. 2017): `<split>.jsonl` lines {"question", "table_id", "sql": {"sel",
  "agg", "conds": [[column, operator, value]]}}, beside `<split>.tables.jsonl` (headers, types)
  and `<split>.db`, whose tables are `table_<id>` with columns col0, col1, ... The structured
  query becomes SQL text as the WikiSQL library builds it (string values lower-cased, as the
  library compares them; numbers bare). Each sample's schema is its one table, columns
  described by their headers.
- Spider (Yu et al. 2018): `train_spider.json` / `dev.json` (a JSON list of {"db_id",
  "question", "query"}) with `tables.json` and `database/<db_id>/<db_id>.sqlite` beside it.
- JSONL: lines {"question", "sql", "db"}; a relative `db` path is relative to the JSONL file.
"""
from __future__ import annotations

import json
from pathlib import Path

from plugins.text2sql.schema import Column, Schema, Table, spider_schema
from plugins.textio import existing_file, read_jsonl
from seqcore.errors import DataError

WIKISQL_AGGREGATES = ("", "MAX", "MIN", "COUNT", "SUM", "AVG")
WIKISQL_OPERATORS = ("=", ">", "<", "OP")


def _literal(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).lower().replace("'", "''") + "'"


def wikisql_table_name(table_id: str) -> str:
    return "table_" + table_id.replace("-", "_")


def wikisql_to_sql(query: dict, table_id: str) -> str:
    """SQL text of a WikiSQL structured query (as the WikiSQL library's `Query` renders it)."""
    try:
        column = f"col{int(query['sel'])}"
        aggregate = WIKISQL_AGGREGATES[int(query["agg"])]
        selected = f"{aggregate}({column})" if aggregate else column
        conditions = [f"col{int(c)} {WIKISQL_OPERATORS[int(o)]} {_literal(v)}" for c, o, v in query.get("conds", [])]
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise ValueError(f"malformed WikiSQL query {query!r} ({error})") from None
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"SELECT {selected} FROM {wikisql_table_name(table_id)}{where}"


def wikisql_schema(table: dict) -> Schema:
    columns = [Column(f"col{i}", "number" if kind == "real" else "text", description=header)
               for i, (header, kind) in enumerate(zip(table["header"], table["types"]))]
    return Schema([Table(wikisql_table_name(table["id"]), columns)])


def read_wikisql(path: str) -> list[dict]:
    file = existing_file(path, "WikiSQL questions")
    stem = file.name[: -len(".jsonl")]
    tables_path, database = file.with_name(f"{stem}.tables.jsonl"), file.with_name(f"{stem}.db")
    tables = {item["id"]: wikisql_schema(item) for _, item in read_jsonl(str(tables_path), "WikiSQL tables")}
    existing_file(str(database), "WikiSQL database")
    samples = []
    for number, item in read_jsonl(path, "WikiSQL questions"):
        table_id = item.get("table_id")
        if table_id not in tables:
            raise DataError(f"{path}:{number}: table_id {table_id!r} is not in {tables_path}")
        try:
            sql = wikisql_to_sql(item["sql"], table_id)
        except (KeyError, ValueError) as error:
            raise DataError(f"{path}:{number}: {error}") from None
        samples.append({"question": str(item.get("question", "")), "sql": sql, "db": str(database),
                        "schema": tables[table_id], "line": number})
    return samples


def read_spider(path: str) -> list[dict]:
    file = existing_file(path, "Spider questions")
    root = file.parent
    try:
        items = json.loads(file.read_text(encoding="utf-8"))
        entries = json.loads(existing_file(str(root / "tables.json"), "Spider tables").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(f"{file}: not a Spider JSON file ({error})") from None
    schemas = {entry["db_id"]: spider_schema(entry) for entry in entries}
    samples = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not {"db_id", "question", "query"} <= item.keys():
            raise DataError(f"{file}: item {number}: expected keys db_id, question, query")
        database = root / "database" / item["db_id"] / f"{item['db_id']}.sqlite"
        samples.append({"question": item["question"], "sql": item["query"], "db": str(database),
                        "schema": schemas.get(item["db_id"]), "line": number})
    return samples


def read_simple_jsonl(path: str) -> list[dict]:
    base = Path(path).expanduser().parent
    samples = []
    for number, item in read_jsonl(path, "text-to-SQL JSONL"):
        if not all(isinstance(item.get(key), str) for key in ("question", "sql", "db")):
            raise DataError(f'{path}:{number}: expected string fields "question", "sql" and "db"')
        database = Path(item["db"]).expanduser()
        samples.append({"question": item["question"], "sql": item["sql"],
                        "db": str(database if database.is_absolute() else base / database), "line": number})
    return samples


def read_questions(path: str) -> list[dict]:
    """Samples of a data file, the format told by its name and content (see the module docstring)."""
    file = existing_file(path, "text-to-SQL data")
    if file.suffix == ".json":
        return read_spider(path)
    if file.suffix != ".jsonl":
        raise DataError(f"{file}: expected WikiSQL/JSONL (.jsonl) or Spider (.json) questions")
    if file.with_name(file.name[: -len(".jsonl")] + ".tables.jsonl").is_file():
        return read_wikisql(path)
    return read_simple_jsonl(path)
