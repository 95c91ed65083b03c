"""Typing noise: the QWERTY table, each operation's rate against its configuration, and the
fitting of rates from (typo, correct) pairs, all measured on the outputs themselves."""
import random

import pytest

from plugins.keyboard.noise import NoiseRates, corrupt
from plugins.keyboard.noise_fit import edit_operations, fit_rates
from plugins.keyboard.qwerty import ROWS, neighbour_table, neighbours
from seqcore.errors import ConfigError

OFF = dict.fromkeys(["substitution", "omission", "insertion", "doubling", "case", "vowel_substitution", "transposition",
                     "extra_space", "missing_space"], 0.0)
SENTENCES = ["The quick brown fox jumps over the lazy dog", "Please call me when you get home",
             "We are going to the beach tomorrow", "I think the meeting starts at noon",
             "She bought three yellow umbrellas in Paris", "My phone charger is broken again"]


def noisy_pairs(rates: NoiseRates, count: int, texts=SENTENCES, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(corrupt(text, rates, rng), text) for text in (texts[i % len(texts)] for i in range(count))]


def within(measured: float, rate: float, trials: int, sigmas: float = 4.5) -> bool:
    """Is `measured` a plausible binomial frequency of `rate` over `trials`?"""
    return abs(measured - rate) <= sigmas * (rate * (1 - rate) / trials) ** 0.5


def test_qwerty_neighbours_are_symmetric_and_match_the_keyboard():
    table = neighbour_table()
    assert set(table) == set("".join(ROWS))
    for key, near in table.items():
        assert key not in near
        for other in near:
            assert key in table[other], (key, other)
    assert set(table["g"]) == set("tyfhvb") and set(table["q"]) == set("wa") and set(table["m"]) == set("njk")
    assert set(table["s"]) == set("weadzx") and neighbours("S") == neighbours("s").upper() and neighbours("1") == ""


def letters(text: str) -> int:
    return sum(char.isalpha() for char in text)


@pytest.mark.parametrize("operation", ["substitution", "case", "vowel_substitution", "omission", "insertion",
                                       "doubling"])
def test_letter_operation_rates_match_their_configuration(operation):
    rate = 0.08
    pairs = noisy_pairs(NoiseRates(**{**OFF, operation: rate}, clean_fraction=0.0), 1500)
    eligible = sum(letters(clean) if operation != "vowel_substitution" else sum(c in "aeiouAEIOU" for c in clean)
                   for _, clean in pairs)
    if operation in ("substitution", "case", "vowel_substitution"):  # same length: count the changed letters
        changed = [(a, b) for noisy, clean in pairs for a, b in zip(clean, noisy) if a != b]
        assert all(len(noisy) == len(clean) for noisy, clean in pairs)
        if operation == "substitution":
            assert all(b in neighbours(a) for a, b in changed)
        elif operation == "vowel_substitution":  # e.g. independant: a vowel for a vowel off its neighbour keys
            assert changed and all(a.lower() in "aeiou" and b.lower() in "aeiou" and b not in neighbours(a)
                                   for a, b in changed)
        else:
            assert all(b == a.swapcase() for a, b in changed)
        events = len(changed)
    else:  # one letter less or more per event
        events = sum(abs(len(noisy) - len(clean)) for noisy, clean in pairs)
    assert within(events / eligible, rate, eligible), (events / eligible, rate)


def test_transposition_rate_over_letter_pairs():
    words = " ".join(["ab", "cd", "ef", "gh", "ij", "kl", "mn", "op"] * 3)  # one eligible pair per word
    pairs = noisy_pairs(NoiseRates(**{**OFF, "transposition": 0.1}, clean_fraction=0.0), 800, [words])
    swapped = sum(a != b for noisy, clean in pairs for a, b in zip(noisy.split(), clean.split()))
    assert all(sorted(a) == sorted(b) for noisy, clean in pairs for a, b in zip(noisy.split(), clean.split()))
    trials = 800 * 24
    assert within(swapped / trials, 0.1, trials)


def test_space_operation_rates():
    pairs = noisy_pairs(NoiseRates(**{**OFF, "missing_space": 0.1}, clean_fraction=0.0), 1500)
    spaces = sum(clean.count(" ") for _, clean in pairs)
    dropped = sum(clean.count(" ") - noisy.count(" ") for noisy, clean in pairs)
    assert within(dropped / spaces, 0.1, spaces)
    pairs = noisy_pairs(NoiseRates(**{**OFF, "extra_space": 0.05}, clean_fraction=0.0), 1500)
    inner = sum(a.isalpha() and b.isalpha() for _, clean in pairs for a, b in zip(clean, clean[1:]))
    added = sum(noisy.count(" ") - clean.count(" ") for noisy, clean in pairs)
    assert all(noisy.replace(" ", "") == clean.replace(" ", "") for noisy, clean in pairs)
    assert within(added / inner, 0.05, inner)


def test_clean_fraction_leaves_sentences_untouched():
    pairs = noisy_pairs(NoiseRates(**{**OFF, "substitution": 0.5}, clean_fraction=0.3), 2000)
    assert within(sum(noisy == clean for noisy, clean in pairs) / 2000, 0.3, 2000)


def test_rates_are_validated():
    with pytest.raises(ConfigError, match="substitution"):
        NoiseRates(substitution=1.5)
    with pytest.raises(ConfigError, match="add up"):
        NoiseRates(**{**OFF, "substitution": 0.6, "omission": 0.6})


@pytest.mark.parametrize("typo, correct, expected", [
    ("hte cat", "the cat", ["transposition"]), ("thhe cat", "the cat", ["doubling"]),
    ("thecat", "the cat", ["missing_space"]), ("tge cat", "the cat", ["substitution"]),
    ("The cat", "the cat", ["case"]), ("th cat", "the cat", ["omission"]),
    ("the c at", "the cat", ["extra_space"]), ("thge cat", "the cat", ["insertion"]),
    ("ThEdinner", "The dinner", ["case", "missing_space"]), ("the cat", "the cat", []),
    ("independant", "independent", ["vowel_substitution"]), ("indepwndent", "independent", ["substitution"]),
])
def test_edit_operations_name_hand_made_typos(typo, correct, expected):
    assert sorted(edit_operations(typo, correct)) == sorted(expected)


def test_fitting_recovers_known_rates():
    truth = NoiseRates(substitution=0.03, omission=0.02, insertion=0.015, doubling=0.01, case=0.01, vowel_substitution=0.02,
                       transposition=0.015, extra_space=0.01, missing_space=0.05, clean_fraction=0.2)
    fitted = fit_rates(noisy_pairs(truth, 2500, seed=1))
    for name, rate in truth.as_dict().items():
        if name == "clean_fraction":
            assert abs(fitted.clean_fraction - rate) < 0.04, fitted
        else:
            assert abs(getattr(fitted, name) - rate) < 0.2 * rate, (name, getattr(fitted, name), rate)
