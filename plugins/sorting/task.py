"""Sorting task: a sequence of numbers in, the positions of its numbers in ascending order out.

The classic pointer network benchmark (Vinyals et al. 2015; "Order Matters", 2016): the answer
is a permutation of the input, so the model points at input positions rather than emitting
words. The embedded data are 5 to 12 distinct two-decimal numbers in [0, 1), written as text
("0.37 0.12 0.90"); the target is their argsort ([1, 0, 2]), output as pointer ids
(FIRST_POSITION_ID + position). Each number is one input position, featurized by its value
scaled to [0, 1] by the sequence's own minimum and maximum: sorting does not change under an
increasing affine map, so a trained model sorts numbers of any range, not only the generator's,
as long as neighbours differ by about 1% of the sequence's span or more, as in its training data.
Own data: `task.train=numbers.txt` (likewise valid, test), one sequence per line.
"""
from __future__ import annotations

import math
import random
from typing import Iterator, Sequence

import torch

from seqcore.data.vocab import SPECIAL_TOKENS
from seqcore.errors import ConfigError, DataError
from seqcore.heads.pointer_network import FIRST_POSITION_ID
from seqcore.inputs import read_text_items
from seqcore.plugins import TaskPlugin, embedded_corpus

DEFAULT_SIZES = {"train": 50000, "valid": 500, "test": 1000}


def generate_corpus(seed: int, sizes: dict[str, int], min_length: int, max_length: int) -> dict[str, list[dict]]:
    """Samples of each split; no two share a set of numbers. Held-out splits are drawn first, each
    from its own seeded stream, so the test set does not change with the training set's size."""
    if not 1 <= min_length <= max_length <= 100:
        raise ConfigError(f"task: need 1 <= min_length <= max_length <= 100 (distinct two-decimal numbers), "
                          f"got min_length={min_length}, max_length={max_length}")
    available = sum(math.comb(100, length) for length in range(min_length, max_length + 1))
    if sum(sizes.values()) > available // 2:
        raise ConfigError(f"task.sizes={sizes} asks for too many of the {available} distinct sets of "
                          f"{min_length} to {max_length} numbers")
    seen: set[tuple[int, ...]] = set()
    corpus = {}
    for split in ("test", "valid", "train"):
        rng, samples = random.Random(f"{seed}/{split}"), []
        while len(samples) < sizes[split]:
            hundredths = rng.sample(range(100), rng.randint(min_length, max_length))
            if tuple(sorted(hundredths)) not in seen:
                seen.add(tuple(sorted(hundredths)))
                samples.append({"source": " ".join(f"{h / 100:.2f}" for h in hundredths),
                                "target": ascending_positions(hundredths)})
        corpus[split] = samples
    return corpus


def ascending_positions(values: Sequence[float]) -> list[int]:
    return sorted(range(len(values)), key=values.__getitem__)


def parse_numbers(text: str) -> list[float]:
    """The whitespace-separated numbers of a line; ValueError names the first that is not a finite number."""
    numbers = []
    for token in text.split():
        try:
            value = float(token)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError(f"expected whitespace-separated finite numbers, got {token!r}")
        numbers.append(value)
    return numbers


class SortingTask(TaskPlugin):
    name = "sorting"
    supported_heads = ("pointer_network",)
    main_metric = "exact"

    def __init__(self, train: str | None = None, valid: str | None = None, test: str | None = None,
                 seed: int = 1234, sizes: dict | None = None, min_length: int = 5, max_length: int = 12):
        self.paths = {"train": train, "valid": valid, "test": test}
        self.seed, self.min_length, self.max_length = seed, min_length, max_length
        self.sizes = {**DEFAULT_SIZES, **(sizes or {})}

    def load_split(self, split: str) -> list[dict]:
        """A split's file (one sequence per line, empty lines skipped), or the embedded data when None."""
        path = self.split_path(split)
        if path is not None:
            # blank lines are skipped; a line that cannot be read (invalid UTF-8, not numbers) is an error
            return [self._with_target(sample) for sample in self.read_inputs(path)
                    if sample["source"] or "error" in sample]
        corpus = embedded_corpus(generate_corpus, self.seed, self.sizes, min_length=self.min_length,
                                 max_length=self.max_length)
        return [dict(sample) for sample in corpus[split]]

    @staticmethod
    def _with_target(sample: dict) -> dict:
        """A training/evaluation sample from a read item; a bad line in a data split is an error."""
        if "error" in sample:
            raise DataError(sample["error"])
        return {"source": sample["source"], "line": sample["id"],
                "target": ascending_positions(parse_numbers(sample["source"]))}

    def fit(self, train_samples: Sequence[dict]) -> None:
        """Nothing to learn from the data: numbers are featurized by value."""
        if not train_samples:
            raise DataError(f"{self.name}: the training split is empty")

    def encode_source(self, sample: dict) -> torch.Tensor:
        """FloatTensor [S, 1]: each number min-max scaled within its sequence (all 0 when all are equal)."""
        values = parse_numbers(sample["source"])
        low, high = min(values, default=0.0), max(values, default=0.0)
        return torch.tensor([(value - low) / (high - low) if high > low else 0.0 for value in values]).view(-1, 1)

    def encode_target(self, sample: dict) -> torch.Tensor:
        return torch.tensor(sample["target"], dtype=torch.long) + FIRST_POSITION_ID

    def reference(self, sample: dict) -> str:
        numbers = sample["source"].split()
        return " ".join(numbers[position] for position in sample["target"])

    def frontend_args(self) -> dict:
        return {"input_dim": 1}

    @property
    def target_vocab_size(self) -> int:
        return len(SPECIAL_TOKENS)  # positions are not vocabulary: the pointer head scores the input

    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        """Pointer ids -> the pointed numbers, as written in the input."""
        numbers = sample["source"].split()
        return " ".join(numbers[token - FIRST_POSITION_ID] for token in tokens)

    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        """exact: % of outputs equal to the sorted input; token_accuracy: % of numbers in their place,
        over the longer of output and reference (so missing and extra numbers both count as errors)."""
        pairs = [(h.split(), r.split()) for h, r in zip(hypotheses, references)]
        exact = sum(h == r for h, r in pairs)
        in_place = sum(a == b for h, r in pairs for a, b in zip(h, r))
        slots = sum(max(len(h), len(r)) for h, r in pairs)
        return {"exact": 100.0 * exact / max(1, len(pairs)), "token_accuracy": 100.0 * in_place / max(1, slots)}

    def read_inputs(self, path: str) -> Iterator[dict]:
        """One sequence of whitespace-separated numbers per line (or "source" in a JSONL manifest);
        a line that is not numbers becomes a failed item."""
        for item in read_text_items(path, "source"):
            if "error" not in item:
                try:
                    parse_numbers(item["source"])
                except ValueError as error:
                    item["error"] = f"{path}:{item['id']}: {error}"
            yield item

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Stateless: there is no tokenizer or featurizer to restore."""

