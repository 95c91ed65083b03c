"""An external seqcore task: spell a random word backwards (character level, exact-match accuracy).

Everything a plugin author writes: a TaskPlugin subclass, an entry point in pyproject.toml,
`conf/task/reverse.yaml` and its recipe beside this module, and a test calling seqcore's
conformance kit (tests/test_reverse.py). No seqcore file is touched.
"""
from __future__ import annotations

import random

from seqcore import metrics
from seqcore.inputs import read_text_items
from seqcore.text_task import TextToTextTask


class ReverseTask(TextToTextTask):
    name = "reverse"
    main_metric = "accuracy"

    def __init__(self, sizes: dict, seed: int = 0, tokenizer: str = "char"):
        super().__init__(tokenizer)
        self.sizes, self.seed = dict(sizes), seed

    def load_split(self, split: str) -> list[dict]:
        rng = random.Random(f"{self.seed}-{split}")
        words = ("".join(rng.choice("abcdefgh") for _ in range(rng.randint(3, 8))) for _ in range(self.sizes[split]))
        return [{"source": word, "target": word[::-1]} for word in words]

    def metrics(self, hypotheses, references) -> dict[str, float]:
        return {"accuracy": metrics.sequence_accuracy(hypotheses, references)}

    def read_inputs(self, path: str):
        return read_text_items(path, "source")
