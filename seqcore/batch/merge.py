"""Merging a batch job's parts into its final output, in input order, with bounded memory.

Every part is sorted by input index and parts of different windows do not overlap, so a
k-way merge that opens a part only when the merge reaches its first index keeps just a
few files open and one record per open file in memory, whatever the input size. The merge
also proves the job complete: indices must run 0..total-1 with no gap; a duplicate (which
the commit protocol rules out) is dropped and counted rather than written twice.
"""
from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from seqcore.atomic_files import AtomicFile
from seqcore.errors import DataError


@dataclass
class MergeCounts:
    done: int = 0
    failed: int = 0
    truncated: int = 0
    duplicates: int = 0

    @property
    def total(self) -> int:
        return self.done + self.failed


def _records(part: Path) -> Iterator[dict]:
    with part.open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _first_index(part: Path) -> int:
    with part.open(encoding="utf-8") as handle:
        return json.loads(handle.readline())["index"]


def records_in_order(parts: list[Path]) -> Iterator[dict]:
    """All records of `parts` by increasing index (each part sorted by index)."""
    starts = sorted((_first_index(part), part) for part in parts)
    heap: list[tuple[int, int, dict, Iterator[dict]]] = []
    opened = 0
    while heap or opened < len(starts):
        while opened < len(starts) and (not heap or starts[opened][0] <= heap[0][0]):
            records = _records(starts[opened][1])
            first = next(records)
            heapq.heappush(heap, (first["index"], opened, first, records))
            opened += 1
        index, order, record, records = heapq.heappop(heap)
        yield record
        following = next(records, None)
        if following is not None:
            heapq.heappush(heap, (following["index"], order, following, records))


def merge_parts(parts: list[Path], total: int, output: Path, errors: Path, text: bool,
                before_commit: Callable[[MergeCounts, dict[str, int]], None] | None = None,
                hint: str = "") -> MergeCounts:
    """Write `output` (JSONL records, or with `text` one output line per input) and `errors`
    (JSONL of id, input, error) atomically (`AtomicFile`): both are written and fsync'ed beside
    their targets, `before_commit(counts, {"output": bytes, "errors": bytes})` runs (the job
    records that it finished), then errors and output are renamed into place. A failure at
    any point before the renames leaves both previous files as they were, and raises a
    DataError naming the file (`hint` says what to do next)."""
    with AtomicFile(output, hint) as out, AtomicFile(errors, hint) as err:
        counts, expected = _merge(parts, out, err, text)
        if expected != total:
            raise DataError(f"{output}: the parts hold {expected} of {total} items in a row (item {expected} is "
                            f"missing); rerun the same command to finish the job")
        out.finish()
        err.finish()
        if before_commit is not None:
            before_commit(counts, {"output": out.size, "errors": err.size})
        err.commit()
        out.commit()
    return counts


def _merge(parts: list[Path], out: AtomicFile, err: AtomicFile, text: bool) -> tuple[MergeCounts, int]:
    """Write the records in index order while they run 0, 1, 2, ...: (counts, first missing index)."""
    counts, expected = MergeCounts(), 0
    for record in records_in_order(parts):
        index = record.pop("index")
        if index < expected:
            counts.duplicates += 1
            continue
        if index > expected:
            break
        expected += 1
        if "error" in record:
            counts.failed += 1
            err.write(json.dumps({k: record[k] for k in ("id", "input", "error")}, ensure_ascii=False) + "\n")
        else:
            counts.done += 1
            counts.truncated += bool(record.get("truncated"))
        if text:
            out.write(" ".join(str(record["output"] or "").split("\n")) + "\n")
        else:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return counts, expected
