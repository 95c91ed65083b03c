"""Line images from files and arrays into the image frontend's input: FloatTensor [W, H].

Files of any mode Pillow reads are made 8-bit grayscale: transparency is composited on white,
palette, CMYK and colour images are converted, 16- and 32-bit images are scaled by their
value range. Lines are scaled to the model's fixed height with their aspect ratio kept; a
line wider than `max_width` after scaling is squeezed to it (the caller counts and warns).
Pixels are contrast-stretched per image and inverted, so ink is 1, background 0 and batch
padding (zeros) looks like background.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from seqcore.errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pgm", ".pbm", ".ppm")
MIN_WIDTH = 16  # narrower lines are padded: the frontend needs some columns per output frame


def to_grayscale(image: Image.Image) -> np.ndarray:
    """uint8 [h, w] of any Pillow image (RGBA/LA/P with transparency on white, CMYK, 16-bit, float)."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        return ((values - low) * (255.0 / max(high - low, 1e-9))).round().astype(np.uint8)
    if image.mode == "P" and "transparency" in image.info or image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("L"))


def load_image(path: str | Path) -> tuple[np.ndarray, str]:
    """uint8 [h, w] grayscale of an image file and the file's Pillow mode; DataError naming the
    file if it is missing, unreadable, truncated or empty."""
    try:
        with Image.open(path) as image:
            image.load()
            pixels, mode = to_grayscale(image), image.mode
    except FileNotFoundError:
        raise DataError(f"{path}: image file not found") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise DataError(f"{path}: unreadable image ({error})") from None
    if pixels.size == 0 or min(pixels.shape) == 0:
        raise DataError(f"{path}: zero-size image {pixels.shape[1]}x{pixels.shape[0]}")
    return pixels, mode


def fit_height(pixels: np.ndarray, height: int, max_width: int) -> tuple[np.ndarray, bool]:
    """The line scaled to `height` px with its aspect ratio kept, at least MIN_WIDTH and at most
    `max_width` wide, and whether it had to be squeezed to `max_width`."""
    rows, columns = pixels.shape
    width = max(1, round(columns * height / rows))
    capped = width > max_width
    width = min(width, max_width)
    if (rows, columns) != (height, width):
        pixels = np.asarray(Image.fromarray(pixels).resize((width, height), Image.Resampling.BILINEAR))
    if width < MIN_WIDTH:
        pixels = np.pad(pixels, ((0, 0), (0, MIN_WIDTH - width)), constant_values=int(pixels.max()))
    return pixels, capped


def to_columns(pixels: np.ndarray) -> torch.Tensor:
    """FloatTensor [W, H] of a uint8 [H, W] line: contrast-stretched, inverted (ink 1, background 0)."""
    values = torch.from_numpy(np.array(pixels, dtype=np.float32))
    low, high = values.min(), values.max()
    return ((high - values) / (high - low).clamp(min=1.0)).t().contiguous()
