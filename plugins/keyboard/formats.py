"""The keyboard task's data files: clean text (one sentence per line, noise made on the fly)
and TSV pairs (`noisy<TAB>clean`, one per line, e.g. real typos with their corrections)."""
from __future__ import annotations

import logging

from plugins.textio import read_lines
from seqcore.errors import DataError

log = logging.getLogger(__name__)


def read_clean_text(path: str) -> list[str]:
    """Sentences of a clean-text file; blank lines are skipped and counted."""
    lines = [line.strip() for line in read_lines(path, "clean text")]
    kept = [line for line in lines if line]
    if len(kept) < len(lines):
        log.warning("%s: skipped %d blank lines", path, len(lines) - len(kept))
    return kept


def read_pairs(path: str) -> list[tuple[str, str]]:
    """(noisy, clean) pairs of a TSV file; blank lines are skipped and counted, a line without
    exactly one tab or with an empty clean side fails naming the file and line."""
    pairs, blank = [], 0
    for number, line in enumerate(read_lines(path, "noisy/clean TSV"), 1):
        if not line.strip():
            blank += 1
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise DataError(f"{path}:{number}: expected 'noisy<TAB>clean', got {len(fields)} tab-separated fields")
        noisy, clean = fields[0].strip(), fields[1].strip()
        if not clean:
            raise DataError(f"{path}:{number}: the clean side is empty")
        pairs.append((noisy, clean))
    if blank:
        log.warning("%s: skipped %d blank lines", path, blank)
    return pairs
