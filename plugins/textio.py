"""Reading user text files for plugins: strict UTF-8 with file:line errors, JSONL with item errors.

Shared by every text plugin so that bad input is reported the same way everywhere.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from seqcore.errors import DataError


def existing_file(path: str, what: str) -> Path:
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataError(f"{what}: file not found: {file}")
    return file


def read_lines(path: str, what: str = "input") -> Iterator[str]:
    """Lines without their newline; a non-UTF-8 line fails naming the file and line number."""
    with existing_file(path, what).open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                yield raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise DataError(f"{path}:{number}: not valid UTF-8 ({error.reason} at byte {error.start})") from None


def read_jsonl(path: str, what: str = "input") -> Iterator[tuple[int, dict]]:
    """(line number, object) for every non-empty line; malformed JSON fails naming file and line."""
    for number, line in enumerate(read_lines(path, what), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{path}:{number}: invalid JSON ({error.msg})") from None
        if not isinstance(item, dict):
            raise DataError(f"{path}:{number}: expected a JSON object, got {type(item).__name__}")
        yield number, item
