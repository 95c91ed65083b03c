"""The embedded keyboard corpus: generated everyday English messages (`grammar.py`, `lexicon.py`)."""
from __future__ import annotations

import random

from plugins.keyboard.corpus.grammar import sentences

DEFAULT_SIZES = {"train": 60000, "valid": 300, "test": 1000}


def generate_corpus(seed: int, sizes: dict | None = None) -> dict[str, list[str]]:
    """Clean sentences per split; no sentence is in two splits (evaluation is on unseen sentences)."""
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    stream, held_out, corpus = sentences(random.Random(seed)), set(), {}
    for split in ("test", "valid", "train"):  # evaluation splits first: distinct sentences, kept out of train
        chosen = []
        while len(chosen) < sizes[split]:
            text = next(stream)
            if text not in held_out:
                chosen.append(text)
                if split != "train":
                    held_out.add(text)
        corpus[split] = chosen
    return corpus
