"""Warmup + cosine schedule, and its end set by the time budget when the clock runs out first."""
import math
from types import SimpleNamespace

import pytest
import torch
from omegaconf import OmegaConf
from pytorch_lightning.callbacks import Timer

from seqcore.lightning import Seq2SeqModule
from seqcore.optim import build_optimizer, lr_multiplier


def _cosine(progress: float, floor: float) -> float:
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress))


def test_warmup_then_cosine_by_steps():
    assert lr_multiplier(0, "cosine", 10, 110, 0.1) == pytest.approx(0.1)   # first update: 1/10 of warmup
    assert lr_multiplier(9, "cosine", 10, 110, 0.1) == pytest.approx(1.0)
    assert lr_multiplier(59, "cosine", 10, 110, 0.1) == pytest.approx(_cosine(0.5, 0.1))
    assert lr_multiplier(500, "cosine", 10, 110, 0.1) == pytest.approx(0.1)


def test_the_time_budget_ends_the_cosine_when_it_runs_out_before_the_steps():
    # step 59 of 110 is half way by steps; with 80% of the time spent, the clock leads
    assert lr_multiplier(59, "cosine", 10, 110, 0.0, time_spent=0.8) == pytest.approx(_cosine(0.8, 0.0))
    assert lr_multiplier(59, "cosine", 10, 110, 0.0, time_spent=0.2) == pytest.approx(_cosine(0.5, 0.0))
    assert lr_multiplier(20, "cosine", 10, 110, 0.05, time_spent=1.0) == pytest.approx(0.05)
    # inverse square root ignores the clock
    assert lr_multiplier(39, "inverse_sqrt", 10, 110, 0.0, time_spent=0.9) == pytest.approx(0.5)


def test_the_optimizer_reads_the_clock_at_every_step():
    spent = [0.0]
    cfg = OmegaConf.create({"_target_": "torch.optim.AdamW", "lr": 1.0, "betas": [0.9, 0.98], "weight_decay": 0.0,
                            "no_weight_decay": [], "schedule": "cosine", "warmup_steps": 0, "min_lr_ratio": 0.0})
    optimizer, scheduler = build_optimizer(torch.nn.Linear(1, 1), cfg, 1000, lambda: spent[0])
    spent[0] = 0.5
    optimizer.step()
    scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.5)  # half the time: half way down the cosine


def test_time_spent_is_the_fraction_of_max_time_from_lightnings_timer(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("pytorch_lightning.callbacks.timer.time.monotonic", lambda: clock[0])
    timer = Timer(duration="00:00:10:00")
    broadcast = []
    trainer = SimpleNamespace(callbacks=[timer], strategy=SimpleNamespace(
        broadcast=lambda value: broadcast.append(value) or value))
    module = SimpleNamespace(trainer=trainer)
    timer.on_train_start(trainer, module)
    clock[0] += 150.0
    assert Seq2SeqModule._time_spent(module) == pytest.approx(0.25) and broadcast  # 150 s of 600, rank 0's value
    assert Seq2SeqModule._time_spent(SimpleNamespace(trainer=SimpleNamespace(callbacks=[]))) == 0.0
