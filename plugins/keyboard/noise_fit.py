"""Fitting typing-noise rates from (typo, correct) pairs by counting edit operations.

Each pair is aligned by an optimal-string-alignment (Damerau-Levenshtein) edit distance
with typing-aware substitution costs (`_substitution_cost`); the edits of the cheapest
alignment are named by the operations of `noise.py` (a dropped space is a missing space, an inserted copy of the letter before it is
a doubling, a substitution by the same letter in the other case is a case error, ...), and
each count is divided by its eligible positions in the correct text. Identical pairs give
`clean_fraction`, less those that are noisy draws which happened to get no edit.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

import numpy as np

from plugins.keyboard.noise import OPERATIONS, NoiseRates, eligible_operations, sound_alike_vowels
from plugins.keyboard.qwerty import is_key, neighbours


def edit_operations(typo: str, correct: str) -> list[str]:
    """Names of the edits that turn `correct` into `typo` (an optimal alignment; "other" for
    edits that are none of the noise operations, e.g. a changed digit)."""
    start = 0
    while start < min(len(typo), len(correct)) and typo[start] == correct[start]:
        start += 1
    end = 0  # common suffix, not overlapping the prefix
    while (end < min(len(typo), len(correct)) - start and typo[len(typo) - 1 - end] == correct[len(correct) - 1 - end]):
        end += 1
    a, b = correct[start:len(correct) - end], typo[start:len(typo) - end]
    return [_name(kind, correct, typo, start + i, start + j) for kind, i, j in _alignment(a, b)]


def _alignment(a: str, b: str) -> list[tuple[str, int, int]]:
    """Edits (kind, position in a, position in b) of a cheapest alignment of a to b."""
    rows, cols = len(a) + 1, len(b) + 1
    cost = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = i
    for j in range(cols):
        cost[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            substitution = cost[i - 1][j - 1] + _substitution_cost(a[i - 1], b[j - 1])
            best = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, substitution)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and a[i - 1] != a[i - 2]:
                best = min(best, cost[i - 2][j - 2] + 1)
            cost[i][j] = best
    edits, i, j = [], len(a), len(b)
    while i or j:  # prefer match/substitution, then transposition, then deletion, then insertion
        if i and j and cost[i][j] == cost[i - 1][j - 1] + _substitution_cost(a[i - 1], b[j - 1]):
            if a[i - 1] != b[j - 1]:
                edits.append(("substitute", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif (i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and a[i - 1] != a[i - 2]
              and cost[i][j] == cost[i - 2][j - 2] + 1):
            edits.append(("transpose", i - 2, j - 2))
            i, j = i - 2, j - 2
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            edits.append(("delete", i - 1, j))
            i -= 1
        else:
            edits.append(("insert", i, j - 1))
            j -= 1
    return edits[::-1]


def _substitution_cost(x: str, y: str) -> float:
    """Typing-aware costs break the ties of plain edit distance the way typos happen: a
    neighbour key or a case slip is cheaper than another letter, and a space never stands in
    for a letter (a dropped space next to an extra letter is two edits, not one substitution)."""
    if x == y:
        return 0.0
    if (x == " ") != (y == " "):
        return 3.0
    return 0.9 if y in neighbours(x) or y == x.swapcase() else 1.0


def _name(kind: str, correct: str, typo: str, i: int, j: int) -> str:
    """The noise operation an edit is: at correct[i] (or before it, for an insertion) / typo[j]."""
    if kind == "transpose":
        return "transposition"
    if kind == "delete":
        return "missing_space" if correct[i] == " " else "omission" if is_key(correct[i]) else "other"
    if kind == "substitute":
        if typo[j] == correct[i].swapcase() and typo[j] != correct[i]:
            return "case"
        if typo[j] in sound_alike_vowels(correct[i]):
            return "vowel_substitution"
        return "substitution" if is_key(correct[i]) and is_key(typo[j]) else "other"
    inserted = typo[j]
    if inserted == " ":
        return "extra_space"
    around = {typo[k].lower() for k in (j - 1, j + 1) if 0 <= k < len(typo)}
    if inserted.lower() in around:
        return "doubling"
    return "insertion" if is_key(inserted) else "other"


def eligible_counts(text: str) -> Counter:
    """How many positions of `text` each operation could happen at."""
    counts = Counter()
    for position in range(len(text)):
        counts.update(eligible_operations(text, position))
    return counts


def fit_rates(pairs: Iterable[tuple[str, str]], max_iterations: int = 500, tolerance: float = 1e-7) -> NoiseRates:
    """Noise rates that explain (typo, correct) pairs (see the module docstring).

    Some identical pairs are noisy draws that happened to get no edit: each gets the posterior
    weight w = (1 - c) p0 / (c + (1 - c) p0) of being one (p0: its chance of no edit under the
    current rates, c: the clean fraction), which adds w times its eligible positions to the
    rates' denominators and takes w from the clean count. Repeating this (an EM algorithm for
    the mixture of clean and noisy sentences) until c settles gives the rates and c.
    """
    pairs = list(pairs)
    if not pairs:
        raise ValueError("fit_rates needs at least one (typo, correct) pair")
    counts, eligible, identical = Counter(), Counter(), []
    for typo, correct in pairs:
        if typo == correct:
            identical.append([eligible_counts(correct)[name] for name in OPERATIONS])
        else:
            counts.update(edit_operations(typo, correct))
            eligible.update(eligible_counts(correct))
    positions = np.array(identical, dtype=np.float64).reshape(len(identical), len(OPERATIONS))
    numerators = np.array([counts[name] for name in OPERATIONS], dtype=np.float64)
    noisy_positions = np.array([eligible[name] for name in OPERATIONS], dtype=np.float64)
    clean_fraction = len(identical) / len(pairs)
    rates = _ratio(numerators, noisy_positions)
    for _ in range(max_iterations):
        unchanged = np.exp(positions @ np.log1p(-np.minimum(rates, 1 - 1e-12)))
        noisy = (1.0 - clean_fraction) * unchanged
        weights = np.divide(noisy, clean_fraction + noisy, out=np.zeros_like(noisy), where=clean_fraction + noisy > 0)
        rates = _ratio(numerators, noisy_positions + weights @ positions)
        previous, clean_fraction = clean_fraction, (len(identical) - weights.sum()) / len(pairs)
        if abs(clean_fraction - previous) < tolerance:
            break
    return NoiseRates(**dict(zip(OPERATIONS, rates.tolist())), clean_fraction=float(clean_fraction))


def _ratio(numerators: np.ndarray, denominators: np.ndarray) -> np.ndarray:
    return np.divide(numerators, denominators, out=np.zeros_like(numerators), where=denominators > 0)
