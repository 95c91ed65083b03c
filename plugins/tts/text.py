"""English text normalization for speech synthesis (after Keith Ito's Tacotron "english_cleaners").

A speech model reads what is said, not what is written: "Dr. Smith paid $3.50 on the 2nd" is
read as "doctor smith paid three dollars, fifty cents on the second". `normalize` expands
abbreviations, currency, percentages, ordinals, decimals, years and cardinals into words,
folds accents and typographic punctuation to ASCII, lowercases, and drops any character outside
`SYMBOLS` (returning how many it dropped, so callers can count them). `split_sentences` cuts long
text into sentences (and over-long sentences at commas or word boundaries) for synthesis in parts.
"""
from __future__ import annotations

import re
import unicodedata

SYMBOLS = frozenset("abcdefghijklmnopqrstuvwxyz '.,;:?!-")

ABBREVIATIONS = {
    "mrs": "missus", "mr": "mister", "dr": "doctor", "st": "saint", "co": "company", "jr": "junior",
    "maj": "major", "gen": "general", "drs": "doctors", "rev": "reverend", "lt": "lieutenant", "hon": "honorable",
    "sgt": "sergeant", "capt": "captain", "esq": "esquire", "ltd": "limited", "col": "colonel", "ft": "fort",
    "prof": "professor", "vs": "versus", "etc": "et cetera", "no": "number",
}
TYPOGRAPHY = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": ", ", "\u2026": "...",
              "&": " and ", "@": " at ", "+": " plus ", "=": " equals ", "/": " slash ", "#": " number "}
ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ((10 ** 12, "trillion"), (10 ** 9, "billion"), (10 ** 6, "million"), (1000, "thousand"), (100, "hundred"))
ORDINAL_WORDS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                 "nine": "ninth", "twelve": "twelfth"}

_ABBREVIATION = re.compile(r"\b(" + "|".join(ABBREVIATIONS) + r")\.", re.IGNORECASE)
_COMMA_NUMBER = re.compile(r"(?<=\d),(?=\d{3}\b)")
_CURRENCY = re.compile(r"([$£€])(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_DECIMAL = re.compile(r"(\d+)\.(\d+)")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
CURRENCY_NAMES = {"$": ("dollar", "cent"), "£": ("pound", "penny"), "€": ("euro", "cent")}


def number_to_words(n: int) -> str:
    """Cardinal in words: 0..999 trillion (larger numbers are read digit by digit)."""
    if n >= 10 ** 15:
        return " ".join(ONES[int(d)] for d in str(n))
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    for size, name in SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            return f"{number_to_words(head)} {name}" + (f" {number_to_words(rest)}" if rest else "")
    raise AssertionError(n)


def ordinal_to_words(n: int) -> str:
    words = number_to_words(n).split()
    last = words[-1]
    if last in ORDINAL_WORDS:
        words[-1] = ORDINAL_WORDS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def year_or_number(n: int) -> str:
    """Four-digit numbers between 1100 and 2099 that are not whole hundreds read as years
    ("nineteen eighty four", "two thousand seven"); everything else as a cardinal."""
    if 1100 <= n < 2100 and n % 100 and not 2000 <= n < 2010:
        high, low = divmod(n, 100)
        return f"{number_to_words(high)} {'oh ' + ONES[low] if low < 10 else number_to_words(low)}"
    return number_to_words(n)


def _currency(match: re.Match) -> str:
    unit, cent = CURRENCY_NAMES[match.group(1)]
    whole, _, fraction = match.group(2).partition(".")
    amount, cents = int(whole), int((fraction + "00")[:2]) if fraction else 0
    parts = []
    if amount or not cents:
        parts.append(f"{number_to_words(amount)} {unit}{'' if amount == 1 else 's'}")
    if cents:
        plural = "pence" if cent == "penny" else "cents"
        parts.append(f"{number_to_words(cents)} {cent if cents == 1 else plural}")
    return " " + ", ".join(parts) + " "


def _decimal(match: re.Match) -> str:
    return f"{number_to_words(int(match.group(1)))} point {' '.join(ONES[int(d)] for d in match.group(2))}"


def normalize(text: str) -> tuple[str, int]:
    """(normalized text, number of characters dropped as unsupported)."""
    for written, spoken in TYPOGRAPHY.items():
        text = text.replace(written, spoken)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], text)
    text = _COMMA_NUMBER.sub("", text)
    text = _CURRENCY.sub(_currency, text)
    text = _PERCENT.sub(lambda m: f"{m.group(1)} percent", text)
    text = _DECIMAL.sub(_decimal, text)
    text = _ORDINAL.sub(lambda m: ordinal_to_words(int(m.group(1))), text)
    text = _NUMBER.sub(lambda m: year_or_number(int(m.group(0))), text)
    text = text.lower().replace('"', "")
    kept = "".join(c if c in SYMBOLS else (" " if c.isspace() else "") for c in text)
    dropped = sum(1 for c in text if c not in SYMBOLS and not c.isspace())
    kept = _SPACES.sub(" ", kept).strip()
    return re.sub(r" ([.,;:?!])", r"\1", kept), dropped


def split_sentences(text: str, max_chars: int) -> list[str]:
    """Pieces of at most `max_chars` characters where possible: sentences, neighbours merged while
    they fit; a longer sentence is cut after commas, then at spaces."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        for part in _fit(sentence, max_chars):
            if pieces and len(pieces[-1]) + 1 + len(part) <= max_chars:
                pieces[-1] += " " + part
            else:
                pieces.append(part)
    return [p for p in pieces if p]


def _fit(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    parts, current = [], ""
    for word in sentence.split(" "):
        if current and len(current) + 1 + len(word) > max_chars:
            parts.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
        if current.endswith((",", ";", ":")) and len(current) > max_chars // 2:
            parts.append(current)
            current = ""
    return parts + ([current] if current else [])
