"""Generated English text lines for the embedded OCR data: words, numbers, punctuation, capitals.

Words come from the keyboard plugin's English lexicon (about 1,300 everyday words), drawn
uniformly over word types so rare letters (j, q, x, z) show up; lines mix lower case,
capitalized and all-caps words, numbers in everyday shapes (prices, times, years, dates,
percentages), codes of random capitals and digits (so every capital letter is seen), and
punctuation around and between words, so a recognizer must read characters, not guess words.
"""
from __future__ import annotations

import random
import re
import string
from functools import lru_cache

from plugins.keyboard.corpus import lexicon

PUNCTUATION_AFTER = ",,,..;:!?"
# every character a generated line can contain (the renderer checks fonts against it)
CHARSET = frozenset(string.ascii_letters + string.digits + " " + PUNCTUATION_AFTER + "'\"()-&/%$#+*")


@lru_cache(maxsize=1)
def words() -> tuple[str, ...]:
    """The lexicon's distinct words (multi-word entries and verb forms split), sorted."""
    found = set()
    for name, entries in vars(lexicon).items():
        if name.isupper() and isinstance(entries, list):
            found.update(w.lower() for entry in entries for w in re.split(r"[:_ ]", entry) if w.isalpha())
    return tuple(sorted(found))


def _number(rng: random.Random) -> str:
    kind = rng.randrange(7)
    if kind == 0:
        return f"${rng.randrange(1, 500)}.{rng.randrange(100):02d}"
    if kind == 1:
        return f"{rng.randrange(1, 13)}:{rng.randrange(60):02d}"
    if kind == 2:
        return str(rng.randrange(1800, 2100))
    if kind == 3:
        return f"{rng.randrange(1, 32)}/{rng.randrange(1, 13)}"
    if kind == 4:
        return f"{rng.randrange(101)}%"
    if kind == 5:
        return f"#{rng.randrange(1, 100)}"
    return str(rng.randrange(10 ** rng.randrange(1, 6)))


def _code(rng: random.Random) -> str:
    letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randrange(1, 4)))
    digits = "".join(rng.choice(string.digits) for _ in range(rng.randrange(1, 4)))
    return f"{letters}-{digits}" if rng.random() < 0.5 else letters + digits


def _word(rng: random.Random, first: bool) -> str:
    word = rng.choice(words())
    roll = rng.random()
    if roll < 0.05:
        word = word.upper()
    elif roll < 0.25 or (first and roll < 0.6):
        word = word.capitalize()
    roll = rng.random()
    if roll < 0.03:
        word = f"({word})"
    elif roll < 0.06:
        word = f'"{word}"'
    elif roll < 0.09:
        word = word + "'s"
    elif roll < 0.12:
        word = f"{word}-{rng.choice(words())}"
    return word


def text_line(rng: random.Random, min_chars: int = 12, max_chars: int = 40) -> str:
    """One line of `min_chars`..`max_chars` characters (whole tokens; a line never ends in a space)."""
    target = rng.randint(min_chars, max_chars)
    tokens: list[str] = []
    while len(" ".join(tokens)) < target:
        roll = rng.random()
        token = _number(rng) if roll < 0.1 else _code(rng) if roll < 0.13 else _word(rng, not tokens)
        if rng.random() < 0.12:
            token += rng.choice(PUNCTUATION_AFTER)
        elif rng.random() < 0.02:
            tokens.append(token)
            token = rng.choice("&-+*")
        candidate = " ".join([*tokens, token])
        if len(candidate) > max_chars and tokens:
            break
        tokens.append(token)
    return " ".join(tokens)[:max_chars].strip()
