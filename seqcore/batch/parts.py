"""Where a batch job keeps its committed work: `<output>.parts/`, one file per (window, rank).

A part is committed atomically (`atomic_write`): written to a temporary file named with the
writing process's id, flushed and fsync'ed, then renamed into place. A kill at any moment
leaves each part either complete or absent (a stray temporary is ignored, and removed by the
next run of the job), so rerunning the same command skips exactly the items whose part exists
and every input ends up in the output exactly once. `job.json` records the arguments that
change the output's bytes; a rerun with different ones is refused, naming them, instead of
mixing two jobs' outputs. Part names carry the number of ranks, so a job may be resumed on a
different number of devices without two runs writing the same name.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from seqcore.atomic_files import atomic_write_text
from seqcore.errors import ConfigError, DataError

JOB_FILE = "job.json"


class PartsDirectory:
    def __init__(self, output: str | Path, durable: bool = True):
        self.path = Path(f"{output}.parts")
        self.durable = durable  # False: plain writes, no fsync/rename, no resume (the benchmark's baseline)

    def prepare(self, job: dict, rank: int) -> bytearray:
        """Check or record the job's arguments and return the done-map (done[index] == 1).
        Without `durable`, earlier parts are discarded: the job starts over."""
        if not self.durable and self.path.exists() and rank == 0:
            shutil.rmtree(self.path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DataError(f"could not create {self.path}: {error.strerror or error}") from None
        job_file = self.path / JOB_FILE
        if job_file.exists():
            recorded = self.recorded_job() or {}
            if recorded != job:
                changed = sorted(key for key in set(job) | set(recorded) if job.get(key) != recorded.get(key))
                raise ConfigError(f"{self.path} holds the parts of a job with other arguments ({', '.join(changed)}); "
                                  f"rerun with the same arguments to resume it, or delete that folder to start over")
        elif rank == 0:  # other ranks write nothing before the process group is up (see lock.py)
            text = json.dumps(job, indent=1, sort_keys=True) + "\n"
            atomic_write_text(job_file, text)
        return self.done_map()

    def recorded_job(self) -> dict | None:
        """The arguments of the job whose parts these are (None: no parts, or unreadable)."""
        try:
            return json.loads((self.path / JOB_FILE).read_text())
        except (OSError, ValueError):
            return None

    def remove_stale_temporaries(self) -> None:
        """Remove the temporary files of killed commits. Only for the job holding the output's
        lock (`lock.py`), before it decodes: then no live process is committing here."""
        for stale in self.path.glob("*.tmp"):
            stale.unlink(missing_ok=True)
        for stale in self.path.glob(".*.tmp"):
            stale.unlink(missing_ok=True)

    def part_files(self) -> list[Path]:
        return sorted(self.path.glob("w*-r*.jsonl"))

    def done_map(self) -> bytearray:
        """One byte per input index, 1 where a committed part holds that item (compact for millions)."""
        done = bytearray()
        for part in self.part_files():
            with part.open(encoding="utf-8") as handle:
                for line in handle:
                    index = json.loads(line)["index"]
                    if index >= len(done):
                        done.extend(bytes(index + 1 - len(done)))
                    done[index] = 1
        return done

    def commit(self, window: int, rank: int, world_size: int, records: list[dict]) -> None:
        """Write one window's records of one rank, sorted by index, atomically when durable."""
        if not records:
            return
        path = self.path / f"w{window:09d}-r{rank:04d}of{world_size:04d}.jsonl"
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sorted(records, key=lambda r: r["index"]))
        if not self.durable:
            path.write_text(lines, encoding="utf-8")
            return
        atomic_write_text(path, lines)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
