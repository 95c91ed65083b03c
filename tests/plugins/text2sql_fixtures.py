"""A small hand-made SQLite database shared by the text2sql tests."""
import hashlib
import sqlite3
from pathlib import Path

SCHEMA_SQL = """
CREATE TABLE departments (id INTEGER PRIMARY KEY, name TEXT, budget REAL);
CREATE TABLE employees (id INTEGER PRIMARY KEY, name VARCHAR(40), salary INTEGER, note BLOB,
                        dept_id INTEGER, FOREIGN KEY (dept_id) REFERENCES departments (id));
INSERT INTO departments VALUES (1, 'Sales', 100.5), (2, 'Research', 250.0);
INSERT INTO employees VALUES (1, 'Alice', 5000, NULL, 1), (2, 'Bob', 3000, NULL, 2), (3, 'New York', 4000, NULL, 1);
"""


def make_database(directory: Path) -> Path:
    path = directory / "company.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA_SQL)
    connection.commit()
    connection.close()
    return path


def checksum(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
