"""The QWERTY layout as a neighbour table: which keys a finger aiming at one key can hit instead.

Neighbours are the keys that touch a key on a standard staggered keyboard: left and right in
its row, and the two keys above and two below that overlap it (rows are offset by about half
a key, so row r's key i touches row r-1's keys i and i+1 and row r+1's keys i-1 and i).
The relation is symmetric by construction, which the tests check.
"""
from __future__ import annotations

from functools import lru_cache

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


@lru_cache(maxsize=1)
def neighbour_table() -> dict[str, str]:
    """Lower-case letter -> its neighbouring letters, in keyboard order."""
    touching: dict[str, set[str]] = {key: set() for row in ROWS for key in row}
    for r, row in enumerate(ROWS):
        for i, key in enumerate(row):
            candidates = [(r, i - 1), (r, i + 1), (r - 1, i), (r - 1, i + 1), (r + 1, i - 1), (r + 1, i)]
            for rr, ii in candidates:
                if 0 <= rr < len(ROWS) and 0 <= ii < len(ROWS[rr]):
                    touching[key].add(ROWS[rr][ii])
                    touching[ROWS[rr][ii]].add(key)
    order = {key: n for n, key in enumerate(key for row in ROWS for key in row)}
    return {key: "".join(sorted(keys, key=order.get)) for key, keys in touching.items()}


def neighbours(char: str) -> str:
    """Neighbouring keys of `char`, in its case ("" for a character not on the letter keys)."""
    found = neighbour_table().get(char.lower(), "")
    return found.upper() if char.isupper() else found


def is_key(char: str) -> bool:
    """A letter on the QWERTY letter keys (the characters the typing noise acts on)."""
    return char.lower() in neighbour_table()
