"""Text normalization of transcripts: what the recognizer learns to write and is scored against.

Speech carries no case and little punctuation, so by default transcripts are lower-cased and
punctuation is dropped (apostrophes inside words stay: "don't" is one word), the LibriSpeech
convention. Both are configurable (`task.text.lowercase`, `task.text.punctuation`) for data
whose references keep them. Unicode is NFKC-normalized and whitespace collapsed first, so the
same sentence always gives the same target. References are normalized like training targets,
so WER compares words, not typography.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")


@dataclass(frozen=True)
class TextNormalizer:
    lowercase: bool = True
    punctuation: str = "remove"  # remove | keep

    def __post_init__(self):
        if self.punctuation not in ("remove", "keep"):
            raise ValueError(f"task.text.punctuation must be remove or keep, got {self.punctuation!r}")

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text)
        if self.lowercase:
            text = text.lower()
        if self.punctuation == "remove":
            text = _INNER_APOSTROPHE.sub("\0", text)  # protect word-internal apostrophes
            text = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in text).replace("\0", "'")
        return _SPACES.sub(" ", text).strip()
