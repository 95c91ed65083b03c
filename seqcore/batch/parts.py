"""Where a batch job keeps its committed work: `<output>.parts/`, one file per (window, rank).

A part is committed atomically: written to a `.tmp` file, flushed and fsync'ed, then renamed
into place. A kill at any moment leaves each part either complete or absent (a stray `.tmp`
is ignored), so rerunning the same command skips exactly the items whose part exists and
every input ends up in the output exactly once. `job.json` records the arguments that shape
the outputs; a rerun with different ones is refused instead of mixing two jobs' outputs.
Part names carry the number of ranks, so a job may be resumed on a different number of
devices without two runs writing the same name.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from seqcore.errors import ConfigError

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
        self.path.mkdir(parents=True, exist_ok=True)
        job_file = self.path / JOB_FILE
        if job_file.exists():
            recorded = json.loads(job_file.read_text())
            if recorded != job:
                changed = sorted(key for key in set(job) | set(recorded) if job.get(key) != recorded.get(key))
                raise ConfigError(f"{self.path} holds the parts of a job with other arguments ({', '.join(changed)}); "
                                  f"rerun with the same arguments to resume it, or delete that folder to start over")
        else:
            temporary = self.path / f"{JOB_FILE}.{rank}.tmp"
            temporary.write_text(json.dumps(job, indent=1, sort_keys=True) + "\n")
            os.replace(temporary, job_file)
        return self.done_map()

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
        temporary = path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
