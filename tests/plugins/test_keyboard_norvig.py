"""The Norvig baseline against hand-checked corrections and a brute-force edit distance."""
from plugins.keyboard.norvig import NorvigCorrector, edits1

CORPUS = ["the cat sat on the mat", "The spelling of the word", "a spelling test", "cats and hats", "the hat"]


def levenshtein_with_swaps(a: str, b: str) -> int:
    """Optimal string alignment distance, by the textbook table."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_edits1_is_every_string_at_distance_one():
    from itertools import product
    letters = "abcdefghijklmnopqrstuvwxyz"
    brute = {"".join(chars) for n in (1, 2, 3) for chars in product(letters, repeat=n)}
    assert edits1("ab") - {"ab"} == {s for s in brute if levenshtein_with_swaps("ab", s) == 1}


def test_corrections_prefer_known_closer_then_more_frequent_words():
    corrector = NorvigCorrector(CORPUS)
    assert corrector.correct("speling") == "spelling"      # one insertion away
    assert corrector.correct("thw") == "the"               # one replacement: "the" (4) over nothing else
    assert corrector.correct("hte") == "the"               # a transposition
    assert corrector.correct("cta") == "cat"
    assert corrector.correct("spellign") == "spelling"
    assert corrector.correct("sat") == "sat"                # known words stay
    assert corrector.correct("xqzvw") == "xqzvw"           # nothing within two edits: unchanged
    assert corrector.correct("at") == "a"  # unknown; a, cat, hat, mat, sat are one edit away, once each: ties go alphabetically
    assert corrector.correct("thr") == "the"  # the (4) beats every other known word one edit away
    assert corrector.correct_text("The speling tset of Anna") == "The spelling test of Anna"
