"""Progress of a batch job in items (not batches, whose size varies): a bar with items/s and ETA
on a terminal, a plain line every `log_every_s` seconds in a log file. Rank 0 reports its own
share; ranks get equal shares of the input, so its ETA is the job's."""
from __future__ import annotations

import logging
import sys
import time

import pytorch_lightning as pl
from tqdm import tqdm

log = logging.getLogger("seqcore")


class ItemProgress(pl.Callback):
    def __init__(self, expected_items: int, log_every_s: float = 30.0, terminal: bool | None = None):
        self.expected = expected_items  # this rank's share of the items left to do
        self.log_every_s = log_every_s
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.items, self.started, self.last_log, self.bar = 0, 0.0, 0.0, None

    def on_predict_start(self, trainer, pl_module):
        self.started = self.last_log = time.monotonic()
        if trainer.is_global_zero and self.terminal:
            self.bar = tqdm(total=self.expected, unit="item", desc="batch")

    def on_predict_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        self.items += len(batch)
        if not trainer.is_global_zero:
            return
        if self.bar is not None:
            self.bar.update(len(batch))
            return
        now = time.monotonic()
        if now - self.last_log >= self.log_every_s:
            self.last_log = now
            rate = self.items / max(now - self.started, 1e-9)
            eta = (self.expected - self.items) / rate if rate > 0 else float("nan")
            log.info("batch: %d/%d items  %.1f items/s  eta %.1f min", self.items, self.expected, rate, eta / 60)

    def on_predict_end(self, trainer, pl_module):
        if self.bar is not None:
            self.bar.close()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started
