"""The record that a batch job finished: `<output>.done.json`, beside the output.

Why: a batch job writes over no file it did not write. An existing output or errors file is
accepted only when this record says that the same job (the arguments in `job.json`) wrote it
and that it still has the size the job gave it; otherwise the job is refused before it
decodes anything. A rerun of a finished job finds the record and reports the job done
without decoding it again.

The record is written once both files are complete on disk and before they are renamed into
place (`merge.py`): it never vouches for a file that another program wrote, and a kill
between the record and the renames leaves it vouching for files not there yet, which a rerun
then writes.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from seqcore.batch.merge import MergeCounts
from seqcore.atomic_files import atomic_write_text
from seqcore.errors import ConfigError


def record_path(output: Path) -> Path:
    return Path(f"{output}.done.json")


def write_record(output: Path, errors: Path, job: dict, counts: MergeCounts, sizes: dict[str, int]) -> None:
    """Record that `output` and `errors`, of `sizes` bytes, are the finished outputs of `job`."""
    files = {role: {"path": str(path.resolve()), "bytes": sizes[role]}
             for role, path in (("output", output), ("errors", errors))}
    record = {"job": job, "files": files, "counts": vars(counts)}
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    atomic_write_text(record_path(output), text)


def finished_counts(output: Path, errors: Path, job: dict) -> MergeCounts | None:
    """The counts of `job` when `output` and `errors` are its finished outputs; None when the job
    has work to do. ConfigError when an existing output or errors file is not `job`'s."""
    record = _read(record_path(output))
    present = [(role, path) for role, path in (("output", output), ("errors", errors)) if os.path.lexists(path)]
    for role, path in present:
        if record is None or record["files"][role]["path"] != str(path.resolve()):
            raise ConfigError(f"{role} file {path} already exists and was not written by this batch job: delete it "
                              f"or choose another {role} (a batch job never writes over a file it did not write)")
        if record["job"] != job:
            changed = sorted(k for k in set(job) | set(record["job"]) if job.get(k) != record["job"].get(k))
            raise ConfigError(f"{path} is the finished {role} of a batch job with other arguments "
                              f"({', '.join(changed)}): delete it or choose another {role}")
        if record["files"][role]["bytes"] != path.lstat().st_size:
            raise ConfigError(f"{path} has changed since the batch job that wrote it finished: delete it or "
                              f"choose another {role}")
    if len(present) < 2:
        return None
    return MergeCounts(**record["counts"])


def _read(path: Path) -> dict | None:
    """The record, or None when there is none (or it is unreadable: then nothing is vouched for)."""
    try:
        record = json.loads(path.read_text())
        files, counts = record["files"], record["counts"]
        if isinstance(record["job"], dict) and all(isinstance(files[role], dict) for role in ("output", "errors")):
            MergeCounts(**counts)  # (a TypeError when it is not the record of a batch job)
            return record
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None
