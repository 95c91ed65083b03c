"""Readers of batch-job inputs (`TaskPlugin.read_inputs`) that every plugin, built-in or not, can share.

They live in the core so that a third-party plugin reads a user's files as robustly as the built-in
ones, without copying them.

Every reader is lazy (a 10-million-line file is never held in memory) and reports a bad item
as an item with "error" rather than raising, so a batch job records it and goes on. Only a
path that does not exist, or matches nothing, raises.
"""
from __future__ import annotations

import glob
import json
from pathlib import Path
from typing import Iterator, Sequence

from seqcore.errors import DataError


def read_text_items(path: str, field: str = "source", aliases: Sequence[str] = ()) -> Iterator[dict]:
    """Items of a plain-text file (one per line, id = line number, "input" = the line) or, for a
    `.jsonl` path, of a JSONL manifest (one object per non-blank line: the text under `field` or
    one of `aliases`, an optional "id", default the line number)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataError(f"input file not found: {file}")
    manifest = file.suffix == ".jsonl"
    with file.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                yield {"id": number, "input": f"{file}:{number}", field: "",
                       "error": f"{file}:{number}: not valid UTF-8 ({error.reason} at byte {error.start})"}
                continue
            if not manifest:
                yield {"id": number, "input": line, field: line.strip()}
            elif line.strip():
                yield _manifest_item(line, number, file, field, aliases)


def _manifest_item(line: str, number: int, file: Path, field: str, aliases: Sequence[str]) -> dict:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as error:
        return {"id": number, "input": f"{file}:{number}", field: "", "error": f"{file}:{number}: invalid JSON ({error.msg})"}
    if not isinstance(item, dict):
        return {"id": number, "input": f"{file}:{number}", field: "", "error": f"{file}:{number}: not a JSON object"}
    text = next((item[key] for key in (field, *aliases) if isinstance(item.get(key), str)), None)
    identifier = item.get("id", number)
    if text is None:
        names = " or ".join(f'"{key}"' for key in (field, *aliases))
        return {"id": identifier, "input": f"{file}:{number}", field: "", "error": f"{file}:{number}: no string field {names}"}
    return {**item, "id": identifier, "input": text, field: text.strip()}


def list_input_files(path: str, suffixes: Sequence[str]) -> list[Path]:
    """The files a batch job reads: a folder (searched recursively for `suffixes`, case-insensitive),
    a glob pattern, or one file. Sorted, so ids and outputs are in a stable order. Paths only: the
    files are opened later, one at a time, by the task's `encode_source`."""
    wanted = {suffix.lower() for suffix in suffixes}
    root = Path(path).expanduser()
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in wanted)
    elif root.is_file():
        files = [root]
    else:
        files = sorted(Path(p) for p in glob.glob(str(root), recursive=True) if Path(p).is_file())
    if not files:
        raise DataError(f"no input files at {path} (looked for {', '.join(sorted(wanted))})")
    return files
