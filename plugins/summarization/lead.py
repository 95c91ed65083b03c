"""Sentence splitting, for the Lead-3 baseline (the first three sentences of the article) and for
ROUGE-Lsum (which scores sentence by sentence: one sentence per line).

Lead-3 is the standard extractive baseline of news summarization (See et al. 2017 report it
beside every model): a model that cannot beat it has learnt nothing an editor's first
paragraph does not already say. The splitter is rule-based, so it needs no downloaded model:
a sentence ends at ".", "!" or "?" (with any closing quotes or brackets) before whitespace,
unless the word is a known abbreviation ("Mr.", "U.S.") or an initial ("J."); a paragraph
break always ends a sentence.
"""
from __future__ import annotations

import re

_ABBREVIATIONS = frozenset("""mr mrs ms dr prof sr jr st mt gen gov sen rep lt col capt sgt rev inc ltd co corp
jan feb mar apr jun jul aug sep sept oct nov dec no vs etc e.g i.e u.s u.k u.n a.m p.m""".split())
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"""[.!?]+['"’”)\]]*$""")


def split_sentences(text: str) -> list[str]:
    """Sentences of a document, in order, each with single spaces between its words."""
    sentences = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        current: list[str] = []
        for word in paragraph.split():
            current.append(word)
            if _SENTENCE_END.search(word) and not _is_abbreviation(word):
                sentences.append(" ".join(current))
                current = []
        if current:
            sentences.append(" ".join(current))
    return sentences


def _is_abbreviation(word: str) -> bool:
    stem = word.rstrip(".").lower()
    return word.endswith(".") and (stem in _ABBREVIATIONS or re.fullmatch(r"[a-z]", stem) is not None)


def lead(text: str, sentences: int = 3) -> str:
    """The first `sentences` sentences of a document, joined by spaces."""
    return " ".join(split_sentences(text)[:sentences])


def sentence_lines(text: str) -> str:
    """The text with one sentence per line: the form `rouge-score`'s rougeLsum reads."""
    return "\n".join(split_sentences(text))
