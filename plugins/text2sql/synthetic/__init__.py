"""The embedded default of text2sql: generated SQLite databases and questions with gold SQL.

`build_databases(directory, seed)` writes one `<domain>.sqlite` per domain (plausible rows from
the domains' word pools and ranges, foreign keys pointing at existing rows); `generate_split`
asks template questions of a split's databases. Everything is a function of the seed, so the
same seed always gives the same databases and questions. Test and valid databases are never
seen in training (`SPLIT_DOMAINS`), as in Spider.
"""
from __future__ import annotations

import os
import random
import sqlite3
import tempfile
from pathlib import Path

from plugins.text2sql.synthetic.domains import DOMAINS, SPLIT_DOMAINS, Domain
from plugins.text2sql.synthetic.questions import TableView, generate_question

SQL_TYPES = {"text": "TEXT", "number": "INTEGER", "fk": "INTEGER"}


def _rows(rng: random.Random, domain: Domain) -> dict[str, list[dict]]:
    rows = {}
    for spec in domain.tables:
        table = []
        for key in range(1, spec.rows + 1):
            row = {"id": key}
            for name, kind, values in spec.columns:
                if kind == "text":
                    row[name] = rng.choice(values)
                elif kind == "number":
                    row[name] = rng.randint(*values)
                else:
                    row[name] = rng.randint(1, len(rows[values]))
            table.append(row)
        rows[spec.name] = table
    return rows


def _write(path: Path, domain: Domain, rows: dict[str, list[dict]]) -> None:
    """Write atomically (a temporary file renamed), so concurrent runs never see half a database."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    connection = sqlite3.connect(temporary)
    for spec in domain.tables:
        columns = ["id INTEGER PRIMARY KEY"]
        columns += [f"{name} {SQL_TYPES[kind]}" for name, kind, _ in spec.columns]
        columns += [f"FOREIGN KEY ({name}) REFERENCES {values} (id)" for name, kind, values in spec.columns if kind == "fk"]
        connection.execute(f"CREATE TABLE {spec.name} ({', '.join(columns)})")
        names = ["id", *(name for name, _, _ in spec.columns)]
        connection.executemany(f"INSERT INTO {spec.name} VALUES ({', '.join('?' * len(names))})",
                               [tuple(row[n] for n in names) for row in rows[spec.name]])
    connection.commit()
    connection.close()
    os.replace(temporary, path)


def _views(domain: Domain, rows: dict[str, list[dict]]) -> dict[str, TableView]:
    return {spec.name: TableView(spec.name, [n for n, k, _ in spec.columns if k == "text"],
                                 [n for n, k, _ in spec.columns if k == "number"], rows[spec.name],
                                 [(n, v) for n, k, v in spec.columns if k == "fk"])
            for spec in domain.tables}


def _domain_rows(domain: Domain, seed: int) -> dict[str, list[dict]]:
    return _rows(random.Random(f"{seed}-{domain.name}-rows"), domain)


def build_databases(directory: str | Path, seed: int) -> dict[str, Path]:
    """The path of every domain's database under `directory`, written when absent."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for domain in DOMAINS:
        path = directory / f"{domain.name}.sqlite"
        if not path.is_file():
            _write(path, domain, _domain_rows(domain, seed))
        paths[domain.name] = path
    return paths


def generate_split(split: str, size: int, seed: int, paths: dict[str, Path]) -> list[dict]:
    """`size` questions spread evenly over the split's databases: {"question", "sql", "db"}."""
    domains = [d for d in DOMAINS if d.name in SPLIT_DOMAINS[split]]
    samples = []
    for index, domain in enumerate(domains):
        views = _views(domain, _domain_rows(domain, seed))
        rng = random.Random(f"{seed}-{domain.name}-{split}-questions")
        count = size // len(domains) + (index < size % len(domains))
        for _ in range(count):
            question, sql = generate_question(rng, views)
            samples.append({"question": question, "sql": sql, "db": str(paths[domain.name])})
    return samples
