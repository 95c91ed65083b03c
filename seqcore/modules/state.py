"""What flows between the model stages: the encoder's output and reorderable decoding state.

Every decoding state in seqcore is a nest of dicts/lists/tuples whose tensors have the batch
(or batch x beam) on dim 0. That one convention lets any search reorder, expand or shrink
the state of any head with `select_rows`, without knowing what is inside.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import torch


class EncoderOutput(NamedTuple):
    states: torch.Tensor  # [B, S, D]
    mask: torch.Tensor  # [B, S] True at real frames
    extras: dict[str, torch.Tensor] | None = None  # the batch's per-example extras (Batch.extras), rows as in states

    @property
    def lengths(self) -> torch.Tensor:
        return self.mask.sum(1)


def select_rows(state: Any, index: torch.Tensor) -> Any:
    """Apply `index_select(0, index)` to every tensor in a nested state."""
    if isinstance(state, torch.Tensor):
        return state.index_select(0, index)
    if isinstance(state, dict):
        return {key: select_rows(value, index) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        selected = [select_rows(value, index) for value in state]
        return type(state)(*selected) if hasattr(state, "_fields") else type(state)(selected)
    return state
