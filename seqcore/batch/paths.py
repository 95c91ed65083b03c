"""Which paths a batch job may write: never its input, and never one file for two purposes.

Why: `output=` and `errors=` are typed by hand, and a slip (`output=lines.txt` for
`input=lines.txt`, `errors=out.jsonl`) used to write over the user's data at the end of a
long job. These checks run before anything is read or written. Paths are compared resolved
(symbolic links followed) and, for files that exist, by identity (a hard link is the same
file). An input folder or glob also forbids outputs inside it or matching it: a rerun would
read them as inputs.
"""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from seqcore.errors import ConfigError


def check_paths(input: str, output: Path, errors: Path) -> None:
    """ConfigError, naming the setting, when `output` or `errors` would overwrite the input or
    each other, or is a folder."""
    if _same(output, errors):
        raise ConfigError(f"errors={errors} is the output file: the errors need a file of their own")
    for name, path in (("output", output), ("errors", errors)):
        if path.is_dir():
            raise ConfigError(f"{name}={path} is a folder: name a file")
        overlap = _overlap_with_input(path, input)
        if overlap:
            raise ConfigError(f"{name}={path} {overlap}: choose a path outside the input")


def _same(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    return a.exists() and b.exists() and os.path.samefile(a, b)


def _overlap_with_input(path: Path, input: str) -> str | None:
    """How `path` meets the input (a file, a folder or a glob), or None."""
    source = Path(input).expanduser()
    if source.is_dir():
        if source.resolve() in (path.resolve(), *path.resolve().parents):
            return f"is inside the input folder {input} (a rerun would read it)"
        return None
    if source.exists():
        return f"is the input {input}" if _same(path, source) else None
    if any(character in input for character in "*?["):
        pattern = os.path.abspath(source)
        if any(fnmatch.fnmatch(candidate, pattern) for candidate in (os.path.abspath(path), str(path.resolve()))):
            return f"matches the input pattern {input} (it would be read as an input)"
    return None
