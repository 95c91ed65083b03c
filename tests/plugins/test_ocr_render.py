"""The embedded OCR data: generated lines, deterministic rendering, fonts, the held-out test font, the cache."""
import random
import string

import numpy as np
import pytest

from plugins.ocr.corpus import CHARSET, text_line
from plugins.ocr.embedded import embedded_samples, split_fonts
from plugins.ocr.render import find_fonts, font_covers, render_line
from seqcore.errors import ConfigError


@pytest.fixture(scope="module")
def fonts():
    found = find_fonts(CHARSET)
    assert len(found) >= 2, "the test machine needs TrueType fonts (fonts-dejavu)"
    return found


def test_text_lines_stay_in_bounds_and_charset_and_cover_the_alphabet():
    rng = random.Random(3)
    lines = [text_line(rng) for _ in range(2000)]
    assert all(12 <= len(line) <= 40 and line == line.strip() for line in lines)
    used = set("".join(lines))
    assert used <= CHARSET
    assert set(string.ascii_letters + string.digits) <= used  # capitals via codes and ALL CAPS words
    assert len(set(lines)) > 1990


def test_rendering_is_deterministic_by_seed(fonts):
    first = render_line("Quick brown fox, 12:30!", fonts[0], random.Random(7), 32)
    again = render_line("Quick brown fox, 12:30!", fonts[0], random.Random(7), 32)
    other = render_line("Quick brown fox, 12:30!", fonts[0], random.Random(8), 32)
    assert first.dtype == np.uint8 and first.shape[0] == 32 and first.shape[1] > 100
    np.testing.assert_array_equal(first, again)
    assert first.shape != other.shape or not np.array_equal(first, other)
    assert first.min() < 100 and np.median(first) > first.min() + 60  # dark ink on a lighter background


def test_font_coverage_rejects_fonts_lacking_a_character(fonts):
    assert font_covers(fonts[0], "abcXYZ019,.")
    assert not font_covers(fonts[0], "abc\u4e2d")  # DejaVu has no CJK ideographs
    assert not font_covers("/nonexistent/font.ttf", "abc")


def test_held_out_font_is_the_only_font_of_the_test_split(fonts, tmp_path):
    held = fonts[1].rsplit("/", 1)[1].rsplit(".", 1)[0]
    train_fonts, test_font = split_fonts(fonts, held)
    assert test_font == fonts[1] and test_font not in train_fonts and len(train_fonts) == len(fonts) - 1
    with pytest.raises(ConfigError, match="not among the usable fonts"):
        split_fonts(fonts, "NoSuchFont")
    sizes = {"train": 30, "valid": 4, "test": 6}
    train = embedded_samples("train", 5, sizes, 32, held, str(tmp_path), workers=1)
    test = embedded_samples("test", 5, sizes, 32, held, str(tmp_path), workers=1)
    assert len(train) == 30 and len(test) == 6
    assert {s["font"] for s in test} == {held} and held not in {s["font"] for s in train}
    assert all(s["pixels"].shape == (32, s["pixels"].shape[1]) for s in train)
    # the second call reads the cache file and gets exactly the same lines
    cached = list(tmp_path.glob("*train30*.npz"))
    assert len(cached) == 1
    again = embedded_samples("train", 5, sizes, 32, held, str(tmp_path), workers=2)
    assert [s["target"] for s in again] == [s["target"] for s in train]
    np.testing.assert_array_equal(again[7]["pixels"], train[7]["pixels"])
