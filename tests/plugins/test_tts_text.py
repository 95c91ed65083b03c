"""Text normalization for TTS: numbers, abbreviations, currency, punctuation, unsupported characters."""
import pytest

from plugins.tts.text import normalize, number_to_words, ordinal_to_words, split_sentences, year_or_number


@pytest.mark.parametrize("number, words", [
    (0, "zero"), (13, "thirteen"), (40, "forty"), (99, "ninety nine"), (100, "one hundred"),
    (115, "one hundred fifteen"), (2000, "two thousand"), (1234567, "one million two hundred thirty four thousand five hundred sixty seven"),
])
def test_cardinals(number, words):
    assert number_to_words(number) == words


def test_ordinals_and_years():
    assert [ordinal_to_words(n) for n in (1, 2, 3, 5, 12, 20, 21, 103)] == [
        "first", "second", "third", "fifth", "twelfth", "twentieth", "twenty first", "one hundred third"]
    assert year_or_number(1984) == "nineteen eighty four"
    assert year_or_number(1905) == "nineteen oh five"
    assert year_or_number(2007) == "two thousand seven"
    assert year_or_number(1900) == "one thousand nine hundred"


@pytest.mark.parametrize("text, spoken", [
    ("Dr. Smith paid $3.50 on the 2nd.", "doctor smith paid three dollars, fifty cents on the second."),
    ("It costs 1,000 dollars or 45%!", "it costs one thousand dollars or forty five percent!"),
    ("Pi is 3.14; $1 buys one.", "pi is three point one four; one dollar buys one."),
    ("In 1984, Mr. Brown  met   Mrs. Green.", "in nineteen eighty four, mister brown met missus green."),
    ("Caf\u00e9 na\u00efve \u201cquotes\u201d \u2013 dash", "cafe naive quotes - dash"),
])
def test_normalize(text, spoken):
    assert normalize(text) == (spoken, 0)


def test_unsupported_characters_are_dropped_and_counted():
    assert normalize("hello \u4e2d\u6587 world \U0001F600") == ("hello world", 3)
    assert normalize("   \t ") == ("", 0)


def test_split_sentences_keeps_pieces_under_the_limit():
    text = "one two three. four five six seven eight, nine ten eleven twelve. short! tiny."
    pieces = split_sentences(text, 30)
    assert " ".join(pieces) == text
    assert all(len(p) <= 30 for p in pieces) and len(pieces) >= 3
    assert split_sentences("a b c", 30) == ["a b c"]
