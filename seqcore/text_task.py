"""TextToTextTask: the TaskPlugin half that every text-in/text-out task shares.

Source and target tokenizers (char, word or SentencePiece) are trained on the training
split and saved in the checkpoint. With `shared_vocabulary` one tokenizer is trained on the
source and target texts together and serves both sides, so a word has the same id on either
side (related languages, copy-heavy tasks); the task state then holds it once
("shared_tokenizer"). A text task adds only what is its own: where its data comes from
(`load_split`, `read_inputs`) and how outputs are scored (`metrics`).

For a pointer-generator head (`copy_extras=True`), examples also carry their ids in the
*extended* target vocabulary: the source pieces the target vocabulary lacks (`oov_pieces`)
get ids vocab_size + j, j their place in that list, so the head can copy them; `postprocess`
renders such ids as those source pieces.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch

from seqcore.data import UNK_ID, Tokenizer, build_tokenizer, tokenizer_from_state_dict
from seqcore.errors import DataError
from seqcore.plugins import TaskPlugin, embedded_corpus


class TextToTextTask(TaskPlugin):
    def __init__(self, tokenizer: str = "word", tokenizer_options: dict | None = None, copy_extras: bool = False,
                 shared_vocabulary: bool = False, embedded_seed: int = 1234, embedded_sizes: dict | None = None):
        """embedded_seed, embedded_sizes: the seed and split sizes of the task's generated corpus
        (`embedded_split`), the data of every split left at null."""
        self.tokenizer_kind = tokenizer
        self.tokenizer_options = dict(tokenizer_options or {})  # null in a config: Hydra lets '{...}' replace it
        self.copy_extras = copy_extras
        self.shared_vocabulary = shared_vocabulary
        self.source_tokenizer = self.target_tokenizer = None
        self.embedded_seed = embedded_seed
        self.embedded_sizes = dict(embedded_sizes) if embedded_sizes else None

    def embedded_split(self, generate: Callable[..., dict], split: str) -> list:
        """`split` of the corpus `generate(seed, sizes)` makes (cached per process: `embedded_corpus`)."""
        return embedded_corpus(generate, self.embedded_seed, self.embedded_sizes)[split]

    def fit(self, train_samples: Sequence[dict]) -> None:
        if not train_samples:
            raise DataError(f"{self.name}: the training split is empty")
        sources, targets = [s["source"] for s in train_samples], [s["target"] for s in train_samples]
        if self.shared_vocabulary:
            self.source_tokenizer = self.target_tokenizer = self._train_tokenizer(sources + targets)
        else:
            self.source_tokenizer, self.target_tokenizer = map(self._train_tokenizer, (sources, targets))

    def _train_tokenizer(self, texts: list[str]) -> Tokenizer:
        return build_tokenizer(self.tokenizer_kind, texts, **self.tokenizer_options)

    def encode_source(self, sample: dict) -> torch.Tensor:
        return torch.tensor(self.source_tokenizer.encode(sample["source"]), dtype=torch.long)

    def encode_target(self, sample: dict) -> torch.Tensor:
        return torch.tensor(self.target_tokenizer.encode(sample["target"]), dtype=torch.long)

    def encode_extras(self, sample: dict) -> dict[str, torch.Tensor]:
        """With `copy_extras`: "source_copy_ids" and (when the sample has a target) "target_copy_ids",
        the extended-vocabulary ids aligned with `encode_source` and `encode_target`. A target piece
        the target vocabulary lacks gets its extended id when the source has it, else UNK_ID."""
        if not self.copy_extras:
            return {}
        oovs = self.oov_pieces(sample)
        extras = {"source_copy_ids": self._extended_ids(self.source_tokenizer.pieces(sample["source"]), oovs)}
        if "target" in sample:
            extras["target_copy_ids"] = self._extended_ids(self.target_tokenizer.pieces(sample["target"]), oovs)
        return extras

    def oov_pieces(self, sample: dict) -> list[str]:
        """The sample's source pieces that the target vocabulary lacks, distinct, in order of appearance."""
        pieces = self.source_tokenizer.pieces(sample["source"])
        return list(dict.fromkeys(piece for piece in pieces if self.target_tokenizer.id_of(piece) == UNK_ID))

    def _extended_ids(self, pieces: list[str], oovs: list[str]) -> torch.Tensor:
        extended = {piece: self.target_vocab_size + index for index, piece in enumerate(oovs)}
        ids = [self.target_tokenizer.id_of(piece) for piece in pieces]
        return torch.tensor([extended.get(piece, UNK_ID) if index == UNK_ID else index
                             for piece, index in zip(pieces, ids)], dtype=torch.long)

    def frontend_args(self) -> dict:
        return {"vocab_size": self.source_tokenizer.vocab_size}

    def vocabularies(self) -> dict:
        return {"source": self.source_tokenizer, "target": self.target_tokenizer}

    @property
    def target_vocab_size(self) -> int:
        return self.target_tokenizer.vocab_size

    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        """Text of the output; ids from the target vocabulary size on are copied source pieces."""
        copies = max(map(int, tokens), default=0) >= self.target_vocab_size
        return self.target_tokenizer.decode(tokens, self.oov_pieces(sample) if copies else ())

    def state_dict(self) -> dict:
        if self.source_tokenizer is self.target_tokenizer:
            return {"shared_tokenizer": self.source_tokenizer.state_dict()}
        return {"source_tokenizer": self.source_tokenizer.state_dict(),
                "target_tokenizer": self.target_tokenizer.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        """The tokenizers of the state, shared or not, whatever this task's own config says."""
        if "shared_tokenizer" in state:
            self.source_tokenizer = self.target_tokenizer = tokenizer_from_state_dict(state["shared_tokenizer"])
            return
        self.source_tokenizer = tokenizer_from_state_dict(state["source_tokenizer"])
        self.target_tokenizer = tokenizer_from_state_dict(state["target_tokenizer"])
