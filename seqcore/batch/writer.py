"""The output side of a batch job: a Lightning prediction writer that commits one part per window.

Each rank turns its decoded batches into records (the task's `write_output` decides the
fields, e.g. text and score, or the path of a written wav) and holds them until the
window's last batch has passed; then the window's records are committed as one part.
Records carry the input `index`, because batches are length-sorted: outputs are put back in
input order by index when the parts are merged, never by position.
"""
from __future__ import annotations

from pathlib import Path

from pytorch_lightning.callbacks import BasePredictionWriter

from seqcore.batch.parts import PartsDirectory
from seqcore.batch.stream import JobBatch
from seqcore.plugins import TaskPlugin


def failure_record(index: int, sample: dict, reason: str) -> dict:
    return {"index": index, "id": sample.get("id", index), "input": sample.get("input"), "output": None, "error": reason}


class PartWriter(BasePredictionWriter):
    def __init__(self, task: TaskPlugin, parts: PartsDirectory, nbest: int, files_dir: Path):
        super().__init__(write_interval="batch")
        self.task, self.parts, self.nbest, self.files_dir = task, parts, nbest, files_dir
        self.pending: dict[int, list[dict]] = {}  # window -> records not yet committed

    def write_on_batch_end(self, trainer, pl_module, prediction, batch_indices, batch: JobBatch, batch_idx,
                           dataloader_idx=0):
        records = self.pending.setdefault(batch.window, [])
        for index, hypotheses in prediction:
            sample = batch.samples[index]
            record = {"index": index, "id": sample.get("id", index), "input": sample.get("input"),
                      **self.task.write_output(sample, hypotheses, self.nbest, self.files_dir)}
            if index in batch.truncated:
                record["truncated"] = True
            records.append(record)
        records.extend(failure_record(index, sample, reason) for index, sample, reason in batch.failed)
        if batch.closes_window:
            self.parts.commit(batch.window, trainer.global_rank, trainer.world_size, self.pending.pop(batch.window))
