"""Loading seqcore checkpoints safely (`weights_only=True`) with one clear error when they are missing."""
from __future__ import annotations

from pathlib import Path

import torch

from seqcore.errors import DataError
from seqcore.lightning import Seq2SeqModule


def _existing(path: str) -> Path:
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataError(f"checkpoint not found: {file}")
    return file


def load_module(path: str, map_location: str = "cpu") -> Seq2SeqModule:
    """The trained module, rebuilt from the config and task state stored in the checkpoint."""
    module = Seq2SeqModule.load_from_checkpoint(_existing(path), map_location=map_location, weights_only=True)
    return module.eval()


def load_task_state(path: str) -> dict:
    """Just the task state (tokenizers) of a checkpoint, e.g. to resume training with the same vocabulary."""
    checkpoint = torch.load(_existing(path), map_location="cpu", weights_only=True)
    return checkpoint["hyper_parameters"]["task_state"]
