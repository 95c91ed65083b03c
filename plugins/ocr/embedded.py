"""The embedded OCR data set: generated text lines rendered in every usable font, cached on disk.

Train and valid lines are drawn in all usable fonts but one; the test split is drawn in that
held-out font alone, so the test CER measures reading an unseen hand. Line i of a split is a
function of (seed, split, i) only, so the data is the same however it is generated (in
parallel here) and on any machine with the same fonts. A split is stored as one uint8 array
of all its lines side by side (they share the height), their widths and their texts, under
`~/.cache/seqcore/ocr/` (or `$XDG_CACHE_HOME`, or `task.embedded_dir`), keyed by everything
that changes it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from plugins.ocr.corpus import CHARSET, text_line
from plugins.ocr.render import find_fonts, render_line
from seqcore.errors import ConfigError

log = logging.getLogger(__name__)
VERSION = "v1"
DEFAULT_SIZES = {"train": 12000, "valid": 300, "test": 600}
CHUNK = 250


def default_cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "seqcore" / "ocr"


def split_fonts(fonts: list[str], test_font: str) -> tuple[list[str], str]:
    """(training fonts, held-out font): `test_font` is a file name stem (e.g. DejaVuSansCondensed-Oblique)."""
    by_stem = {Path(path).stem: path for path in fonts}
    if len(fonts) < 2:
        raise ConfigError(f"the embedded OCR data needs at least 2 usable fonts (one is held out), found {len(fonts)}; "
                          f"install TrueType fonts (e.g. fonts-dejavu) or give task.train/valid/test")
    if test_font not in by_stem:
        raise ConfigError(f"task.test_font={test_font} is not among the usable fonts: {', '.join(sorted(by_stem))}")
    return [path for path in fonts if path != by_stem[test_font]], by_stem[test_font]


def _render_chunk(args: tuple) -> list[tuple[str, str, np.ndarray]]:
    seed, split, start, stop, fonts, height = args
    lines = []
    for index in range(start, stop):
        rng = random.Random(f"{seed}-{split}-{index}")
        text, font = text_line(rng), fonts[rng.randrange(len(fonts))]
        lines.append((text, Path(font).stem, render_line(text, font, rng, height)))
    return lines


def _generate(seed: int, split: str, size: int, fonts: list[str], height: int, workers: int) -> dict:
    jobs = [(seed, split, start, min(start + CHUNK, size), fonts, height) for start in range(0, size, CHUNK)]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            lines = [line for chunk in pool.map(_render_chunk, jobs) for line in chunk]
    else:
        lines = [line for job in jobs for line in _render_chunk(job)]
    return {"pixels": np.concatenate([image for _, _, image in lines], axis=1),
            "widths": np.array([image.shape[1] for _, _, image in lines], dtype=np.int64),
            "texts": [text for text, _, _ in lines], "fonts": [font for _, font, _ in lines]}


def _save(data: dict, path: Path) -> None:
    temporary = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(temporary, pixels=data["pixels"], widths=data["widths"],
             meta=np.frombuffer(json.dumps({"texts": data["texts"], "fonts": data["fonts"]}).encode(), np.uint8))
    temporary.replace(path)  # atomic: a concurrent reader sees the whole file or none


def _load(path: Path) -> dict:
    with np.load(path) as stored:
        meta = json.loads(stored["meta"].tobytes().decode())
        return {"pixels": stored["pixels"], "widths": stored["widths"], **meta}


def embedded_samples(split: str, seed: int, sizes: dict, height: int, test_font: str,
                     cache_root: str | None = None, workers: int = 2) -> list[dict]:
    """Samples {"source": where the line is, "pixels": uint8 [height, W], "target", "font"} of one
    embedded split, generated on first use."""
    fonts = find_fonts(CHARSET)
    train_fonts, held_out = split_fonts(fonts, test_font)
    split_font_list = [held_out] if split == "test" else train_fonts
    fingerprint = hashlib.sha1("\n".join(Path(f).name for f in fonts).encode()).hexdigest()[:8]
    key = f"{VERSION}-seed{seed}-h{height}-{split}{sizes[split]}-test_{test_font}-fonts{fingerprint}"
    path = Path(cache_root).expanduser() if cache_root else default_cache_root()
    file = path / f"{key}.npz"
    if not file.is_file():
        log.info("rendering %d embedded %s lines (%d fonts) into %s", sizes[split], split, len(split_font_list), file)
        path.mkdir(parents=True, exist_ok=True)
        _save(_generate(seed, split, int(sizes[split]), split_font_list, height, workers), file)
    data = _load(file)
    offsets = np.concatenate([[0], np.cumsum(data["widths"])])
    return [{"source": f"{file.name}#{i} ({font})", "pixels": data["pixels"][:, offsets[i]:offsets[i + 1]],
             "target": text, "font": font} for i, (text, font) in enumerate(zip(data["texts"], data["fonts"]))]
