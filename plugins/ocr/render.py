"""Synthetic handwriting-like text lines: Pillow rendering with the irregularity of a hand.

A line is drawn character by character so each one can wander: the baseline drifts from word
to word and jitters per character, spacing varies, strokes get thicker or thinner. The whole
line is then slanted (shear), rotated a few degrees and elastically distorted (a smooth random
displacement field, Simard et al. 2003), cropped to its ink, scaled to the line height with a
random aspect change, blurred, and given a background and ink level plus pixel noise.
Everything is drawn from the `random.Random` passed in, so a line is a function of its seed.
"""
from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
FONT_SUFFIXES = (".ttf", ".otf")
PROBE_SIZE = 32
MISSING_GLYPH = "\ue000"  # a private-use code point: fonts draw it as their "missing glyph" box


@lru_cache(maxsize=256)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=65536)
def advance(path: str, size: int, char: str) -> float:
    """The pen advance of `char` (Pillow's getlength is slow enough to matter per character)."""
    return load_font(path, size).getlength(char)


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    mask = font.getmask(char)
    return bytes(mask) + bytes(str(mask.size), "ascii")


def font_covers(path: str, charset: Iterable[str]) -> bool:
    """Whether the font draws every character of `charset` (other than space) as its own glyph,
    not as the missing-glyph box and not as nothing."""
    try:
        font = load_font(path, PROBE_SIZE)
    except OSError:
        return False
    missing = _glyph(font, MISSING_GLYPH)
    for char in charset:
        if char.isspace():
            continue
        if font.getbbox(char)[2] <= font.getbbox(char)[0] or _glyph(font, char) == missing:
            return False
    return True


def find_fonts(charset: Iterable[str], directories: Sequence[str] = FONT_DIRS) -> list[str]:
    """Every TrueType/OpenType font under `directories` that covers `charset`, sorted by file name."""
    charset = sorted(set(charset))
    found = {}
    for directory in directories:
        root = Path(directory).expanduser()
        if root.is_dir():
            for path in root.rglob("*"):
                if path.suffix.lower() in FONT_SUFFIXES:
                    found.setdefault(path.name, str(path))
    return [found[name] for name in sorted(found) if font_covers(found[name], charset)]


def _draw_text(text: str, font_path: str, rng: random.Random) -> Image.Image:
    """Black-on-white text drawn per character with baseline drift, jitter and spacing changes."""
    size = rng.randint(22, 30)
    font = load_font(font_path, size)
    stroke = 1 if rng.random() < 0.15 else 0  # thicker strokes (the fonts range from extra light to bold)
    width = int(sum(advance(font_path, size, c) for c in text) * 1.3) + 4 * size
    image = Image.new("L", (width, 4 * size), 255)
    draw = ImageDraw.Draw(image)
    x, baseline, drift = float(size), 2.0 * size, 0.0
    spacing = rng.uniform(-0.04, 0.12) * size
    for char in text:
        if char == " ":
            drift = max(-0.12 * size, min(0.12 * size, drift + rng.gauss(0, 0.05 * size)))
            x += advance(font_path, size, " ") * rng.uniform(0.7, 1.5)
            continue
        y = baseline + drift + rng.gauss(0, 0.025 * size)
        draw.text((x, y), char, font=font, fill=0, anchor="ls", stroke_width=stroke, stroke_fill=0)
        x += advance(font_path, size, char) + spacing + rng.gauss(0, 0.03 * size)
    left, top, right, bottom = Image.eval(image, lambda v: 255 - v).getbbox() or (0, 0, 1, 1)
    margin = size // 2  # room for the slant and rotation that follow
    return image.crop((left - margin, top - margin, right + margin, bottom + margin))


def _slant_and_rotate(image: Image.Image, rng: random.Random) -> Image.Image:
    shear = rng.uniform(-0.35, 0.35)
    width, height = image.size
    # output (x, y) reads input (x + shear * (y - height / 2), y): letters lean right for shear > 0
    image = image.transform((width, height), Image.Transform.AFFINE, (1, shear, -shear * height / 2, 0, 1, 0),
                            resample=Image.Resampling.BILINEAR, fillcolor=255)
    return image.rotate(rng.uniform(-2.5, 2.5), resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)


def _elastic(pixels: np.ndarray, rng: random.Random, alpha: float, grid: int = 12) -> np.ndarray:
    """Bilinear resampling through a smooth random displacement field of up to ~`alpha` pixels."""
    height, width = pixels.shape
    state = np.random.default_rng(rng.getrandbits(64))
    coarse = state.normal(0, alpha, size=(2, height // grid + 2, width // grid + 2)).astype(np.float32)
    dy, dx = (np.asarray(Image.fromarray(c).resize((width, height), Image.Resampling.BICUBIC)) for c in coarse)
    ys = np.clip(np.arange(height, dtype=np.float32)[:, None] + dy, 0, height - 1.001)
    xs = np.clip(np.arange(width, dtype=np.float32)[None, :] + dx, 0, width - 1.001)
    y0, x0 = ys.astype(np.int32), xs.astype(np.int32)
    fy, fx = ys - y0, xs - x0
    p = pixels.astype(np.float32)
    top = p[y0, x0] * (1 - fx) + p[y0, x0 + 1] * fx
    bottom = p[y0 + 1, x0] * (1 - fx) + p[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def _crop_to_ink(pixels: np.ndarray, rng: random.Random) -> np.ndarray:
    rows, columns = np.nonzero(pixels < (pixels.min() + 255.0) / 2)
    if not len(rows):
        return pixels
    margin = [rng.randint(1, 4) for _ in range(4)]
    top, bottom = max(rows.min() - margin[0], 0), min(rows.max() + 1 + margin[1], pixels.shape[0])
    left, right = max(columns.min() - margin[2], 0), min(columns.max() + 1 + margin[3], pixels.shape[1])
    return pixels[top:bottom, left:right]


def render_line(text: str, font_path: str, rng: random.Random, height: int) -> np.ndarray:
    """uint8 [height, W] picture of `text` (dark ink on a light background), W by the text's aspect."""
    image = _slant_and_rotate(_draw_text(text, font_path, rng), rng)
    pixels = _crop_to_ink(np.asarray(image), rng)
    aspect = pixels.shape[1] / pixels.shape[0] * rng.uniform(0.85, 1.15)
    line = Image.fromarray(pixels).resize((max(8, round(height * aspect)), height), Image.Resampling.BILINEAR)
    if rng.random() < 0.7:
        distorted = _elastic(np.asarray(line), rng, alpha=rng.uniform(0.3, 0.9) * height / 32, grid=max(4, height // 2))
        line = Image.fromarray(distorted.round().astype(np.uint8))
    if rng.random() < 0.4:
        line = line.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.9)))
    ink, background = rng.uniform(0, 90), rng.uniform(170, 255)
    pixels = ink + (background - ink) * (np.asarray(line, dtype=np.float32) / 255.0)
    noise = np.random.default_rng(rng.getrandbits(64)).normal(0, rng.uniform(0, 12), pixels.shape)
    return np.clip(pixels + noise, 0, 255).round().astype(np.uint8)

