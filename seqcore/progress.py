"""Plain progress lines for logs: a terminal gets Lightning's progress bar, a log file gets this.

A tqdm bar written to a file or a CI log is one enormous line of carriage returns; this
callback prints a short line every `every_n_steps` optimizer steps instead (step, loss,
steps/s, ETA), and one line per validation.
"""
from __future__ import annotations

import logging
import time

import pytorch_lightning as pl
from pytorch_lightning.utilities import rank_zero_only

log = logging.getLogger("seqcore")
rank_zero_info = rank_zero_only(log.info)  # into the run's log file too, once per job


class LogProgress(pl.Callback):
    def __init__(self, every_n_steps: int = 50):
        self.every_n_steps = every_n_steps
        self.started = 0.0

    def on_train_start(self, trainer, pl_module):
        self.started, self.first_step = time.monotonic(), trainer.global_step

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        step = trainer.global_step
        if step % self.every_n_steps:
            return
        rate = (step - self.first_step) / max(time.monotonic() - self.started, 1e-9)
        remaining = (trainer.max_steps - step) / rate if trainer.max_steps > 0 and rate > 0 else float("nan")
        loss = trainer.callback_metrics.get("train/loss")
        rank_zero_info(f"step {step}/{trainer.max_steps if trainer.max_steps > 0 else '?'}  "
                       f"loss {float(loss) if loss is not None else float('nan'):.3f}  "
                       f"{rate:.2f} steps/s  eta {remaining / 60:.1f} min")

    def on_validation_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("valid/")}
        rank_zero_info(f"step {trainer.global_step} validation: " +
                       "  ".join(f"{k.split('/', 1)[1]}={v:.3f}" for k, v in sorted(metrics.items())))
