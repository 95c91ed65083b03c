"""Norvig's spelling corrector, the classical baseline a learned corrector has to beat.

From "How to Write a Spelling Corrector" (norvig.com/spell-correct.html): the candidates of a
word are the word itself if the corpus knows it, else the known words one edit away (a
deletion, transposition, replacement or insertion of a letter), else those two edits away,
else the word unchanged; the most frequent candidate in the corpus wins. It knows only the
corpus' words and their counts, which is why the keyboard benchmark trains both on one corpus.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORD = re.compile(r"[a-z]+")


class NorvigCorrector:
    def __init__(self, texts: Iterable[str]):
        self.counts = Counter(word for text in texts for word in WORD.findall(text.lower()))

    def __contains__(self, word: str) -> bool:
        return word.lower() in self.counts

    def correct(self, word: str) -> str:
        """The most frequent known word among the closest candidates of `word` (lower case)."""
        word = word.lower()
        candidates = (self._known([word]) or self._known(edits1(word))
                      or self._known(far for near in edits1(word) for far in edits1(near)))
        return max(sorted(candidates), key=self.counts.__getitem__) if candidates else word

    def correct_text(self, text: str) -> str:
        """`text` with each lower-case word the corpus does not know replaced by its correction
        (capitalized words, names and numbers are left alone, as a sentence corrector would)."""
        return re.sub(r"\b[a-z]+\b", lambda match: match[0] if match[0] in self.counts else self.correct(match[0]), text)

    def _known(self, words: Iterable[str]) -> set[str]:
        return {word for word in words if word in self.counts}


def edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion of a letter away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [left + right[1:] for left, right in splits if right]
    transposes = [left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1]
    replaces = [left + letter + right[1:] for left, right in splits if right for letter in LETTERS]
    inserts = [left + letter + right for left, right in splits for letter in LETTERS]
    return set(deletes + transposes + replaces + inserts)
