"""TextToTextTask: the TaskPlugin half that every text-in/text-out task shares.

Source and target tokenizers (char, word or SentencePiece) are trained on the training
split and saved in the checkpoint. A text task adds only what is its own: where its data
comes from (`load_split`, `read_inputs`) and how outputs are scored (`metrics`).
"""
from __future__ import annotations

from typing import Sequence

import torch

from seqcore.data import build_tokenizer, tokenizer_from_state_dict
from seqcore.errors import DataError
from seqcore.plugins import TaskPlugin


class TextToTextTask(TaskPlugin):
    def __init__(self, tokenizer: str = "word", tokenizer_options: dict | None = None):
        self.tokenizer_kind = tokenizer
        self.tokenizer_options = dict(tokenizer_options or {})
        self.source_tokenizer = self.target_tokenizer = None

    def fit(self, train_samples: Sequence[dict]) -> None:
        if not train_samples:
            raise DataError(f"{self.name}: the training split is empty")
        self.source_tokenizer = build_tokenizer(self.tokenizer_kind, [s["source"] for s in train_samples],
                                                **self.tokenizer_options)
        self.target_tokenizer = build_tokenizer(self.tokenizer_kind, [s["target"] for s in train_samples],
                                                **self.tokenizer_options)

    def encode_source(self, sample: dict) -> torch.Tensor:
        return torch.tensor(self.source_tokenizer.encode(sample["source"]), dtype=torch.long)

    def encode_target(self, sample: dict) -> torch.Tensor:
        return torch.tensor(self.target_tokenizer.encode(sample["target"]), dtype=torch.long)

    def frontend_args(self) -> dict:
        return {"vocab_size": self.source_tokenizer.vocab_size}

    @property
    def target_vocab_size(self) -> int:
        return self.target_tokenizer.vocab_size

    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        return self.target_tokenizer.decode(tokens)

    def state_dict(self) -> dict:
        return {"source_tokenizer": self.source_tokenizer.state_dict(),
                "target_tokenizer": self.target_tokenizer.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.source_tokenizer = tokenizer_from_state_dict(state["source_tokenizer"])
        self.target_tokenizer = tokenizer_from_state_dict(state["target_tokenizer"])
