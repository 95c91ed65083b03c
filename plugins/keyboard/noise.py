"""Typing noise: turns clean text into what a thumb on a phone keyboard produces.

Each operation has a rate: the probability that it happens at a position where it can
(its *eligible* positions, counted in the clean text):

| operation      | eligible position                      | effect                              |
| substitution   | a letter                               | a QWERTY neighbour key instead      |
| vowel_substitution | a vowel                            | another vowel, not a neighbour key: |
|                |                                        | spelling by sound (independant)     |
| omission       | a letter                               | the letter is dropped               |
| insertion      | a letter                               | a neighbour key is typed after it   |
| doubling       | a letter                               | the letter is typed twice           |
| case           | a letter                               | upper/lower case flipped            |
| transposition  | a letter followed by a different one   | the two are swapped                 |
| extra_space    | a letter followed by a letter          | a space is typed between them       |
| missing_space  | a single space between two characters  | the space is dropped                |

At most one operation happens per position: a uniform draw is compared with the rates of
the operations eligible there laid end to end, so each keeps its own rate exactly (rates at
one position must add up to at most 1). A swapped pair is not visited again. Besides,
`clean_fraction` of all sentences are left untouched, so that a corrector also learns to
leave correct text alone. Rates can be fitted from real (typo, correct) pairs (`noise_fit.py`).
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields

from plugins.keyboard.qwerty import is_key, neighbours
from seqcore.errors import ConfigError

LETTER_OPERATIONS = ("substitution", "omission", "insertion", "doubling", "case")
OPERATIONS = (*LETTER_OPERATIONS, "vowel_substitution", "transposition", "extra_space", "missing_space")
VOWELS = "aeiou"


@dataclass(frozen=True)
class NoiseRates:
    """Per-position rates of each operation (see the module docstring), and untouched sentences."""

    substitution: float = 0.015
    omission: float = 0.01
    insertion: float = 0.006
    doubling: float = 0.005
    case: float = 0.004
    vowel_substitution: float = 0.0
    transposition: float = 0.006
    extra_space: float = 0.003
    missing_space: float = 0.02
    clean_fraction: float = 0.2

    def __post_init__(self):
        for field in fields(self):
            value = getattr(self, field.name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"noise rate {field.name}={value} must be between 0 and 1")
        letter_total = sum(getattr(self, name) for name in OPERATIONS if name != "missing_space")
        if letter_total > 1.0:
            raise ConfigError(f"noise rates at a letter add up to {letter_total:.3f} > 1")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def eligible_operations(text: str, position: int) -> tuple[str, ...]:
    """The operations that can happen at `position` of `text`."""
    char = text[position]
    following = text[position + 1] if position + 1 < len(text) else ""
    if char == " ":
        inner = 0 < position < len(text) - 1 and text[position - 1] != " " and following != " "
        return ("missing_space",) if inner else ()
    if not is_key(char):
        return ()
    operations = LETTER_OPERATIONS + (("vowel_substitution",) if char.lower() in VOWELS else ())
    if is_key(following):
        operations += ("transposition",) if following.lower() != char.lower() else ()
        operations += ("extra_space",)
    return operations


def corrupt(text: str, rates: NoiseRates, rng: random.Random) -> str:
    """`text` as typed with noise (left untouched with probability `rates.clean_fraction`)."""
    if rng.random() < rates.clean_fraction:
        return text
    out, position = [], 0
    while position < len(text):
        char, operation = text[position], _draw(eligible_operations(text, position), rates, rng)
        position += 1
        if operation is None:
            out.append(char)
        elif operation == "substitution":
            out.append(rng.choice(neighbours(char)))
        elif operation == "vowel_substitution":
            out.append(rng.choice(sound_alike_vowels(char)))
        elif operation == "insertion":
            out += [char, rng.choice(neighbours(char))]
        elif operation == "doubling":
            out += [char, char]
        elif operation == "case":
            out.append(char.swapcase())
        elif operation == "transposition":
            out += [text[position], char]
            position += 1
        elif operation == "extra_space":
            out += [char, " "]
        # omission and missing_space drop the character
    return "".join(out)


def sound_alike_vowels(vowel: str) -> str:
    """The vowels a speller may write for `vowel`, in its case: the others but its neighbour keys
    (a neighbour is the substitution operation's, which keeps the two apart when fitting)."""
    found = "".join(v for v in VOWELS if v != vowel.lower() and v not in neighbours(vowel.lower()))
    return found.upper() if vowel.isupper() else found


def _draw(operations: tuple[str, ...], rates: NoiseRates, rng: random.Random) -> str | None:
    if not operations:
        return None
    draw = rng.random()
    for operation in operations:
        draw -= getattr(rates, operation)
        if draw < 0:
            return operation
    return None
