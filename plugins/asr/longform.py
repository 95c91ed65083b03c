"""Long recordings: split into segments the model can take, and stitch their transcripts back.

Two ways to cut a recording longer than `max_seconds`:

- "fixed": windows of `max_seconds` that overlap by `overlap_seconds`. A word near a cut is
  heard whole by one of the two windows; each window *owns* the time from the middle of its
  overlap with the previous window to the middle of its overlap with the next one, and keeps
  only the words whose midpoint it owns. Every word is then kept once, by the window that
  heard it with the most context on both sides (as NeMo's buffered inference does with frames).
- "silence": windows end at the quietest 20 ms frame of their last `overlap_seconds`, so a
  cut falls in a pause rather than in a word; windows do not overlap and own all their time.

`plan_segments` cuts, `words_with_times` turns a hypothesis' tokens and frame timestamps into
timed words, and `owned_words` keeps those a segment owns (times relative to the recording).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch

ENERGY_FRAME_SECONDS = 0.02


@dataclass(frozen=True)
class Segment:
    start: int  # first sample of the window
    end: int  # one past its last sample
    own_start: float  # seconds: the segment keeps the words whose midpoint lies in [own_start, own_end)
    own_end: float


def plan_segments(waveform: torch.Tensor, sample_rate: int, max_seconds: float, overlap_seconds: float,
                  mode: str = "fixed") -> list[Segment]:
    """Windows covering the whole waveform [samples]; one window when it is short enough."""
    total, window = waveform.shape[-1], int(max_seconds * sample_rate)
    if mode not in ("fixed", "silence"):
        raise ValueError(f"task.long_audio.split must be fixed or silence, got {mode!r}")
    if not 0 <= overlap_seconds < max_seconds / 2:
        raise ValueError(f"task.long_audio.overlap_seconds={overlap_seconds} must be within [0, max_seconds / 2)")
    if total <= window:
        return [Segment(0, total, 0.0, float("inf"))]
    overlap = int(overlap_seconds * sample_rate)
    bounds = _fixed_windows(total, window, overlap) if mode == "fixed" else _silence_windows(
        waveform, sample_rate, window, max(overlap, int(ENERGY_FRAME_SECONDS * sample_rate)))
    segments = []
    for k, (start, end) in enumerate(bounds):
        own_start = 0.0 if k == 0 else (start + bounds[k - 1][1]) / 2 / sample_rate
        own_end = float("inf") if k == len(bounds) - 1 else (bounds[k + 1][0] + end) / 2 / sample_rate
        segments.append(Segment(start, end, own_start, own_end))
    return segments


def _fixed_windows(total: int, window: int, overlap: int) -> list[tuple[int, int]]:
    step, bounds, start = window - overlap, [], 0
    while True:
        bounds.append((start, min(start + window, total)))
        if start + window >= total:
            return bounds
        start += step


def _silence_windows(waveform: torch.Tensor, sample_rate: int, window: int, search: int) -> list[tuple[int, int]]:
    frame = int(ENERGY_FRAME_SECONDS * sample_rate)
    bounds, start, total = [], 0, waveform.shape[-1]
    while total - start > window:
        zone = waveform[start + window - search:start + window]
        energy = zone[: len(zone) // frame * frame].reshape(-1, frame).pow(2).mean(1)
        cut = start + window - search + int(energy.argmin()) * frame + frame // 2
        bounds.append((start, cut))
        start = cut
    bounds.append((start, total))
    return bounds


def words_with_times(tokens: Sequence[int], frames: Sequence[int], decode: Callable[[Sequence[int]], str],
                     frame_seconds: float, offset: float = 0.0) -> list[dict]:
    """[{"word", "start", "end"}] from tokens and the encoder frame of each (CTC / transducer
    timestamps). A word spans the frames of its first to its last token; `decode` renders
    token ids as text (the task's tokenizer), so any tokenizer's word boundaries work."""
    words: list[dict] = []
    for count in range(1, len(tokens) + 1):
        text = decode(tokens[:count])
        pieces = text.split()
        if not pieces:
            continue
        time = offset + frames[count - 1] * frame_seconds
        if len(pieces) > len(words):  # this token starts a new word
            words.append({"word": pieces[-1], "start": round(time, 3), "end": round(time + frame_seconds, 3)})
        elif pieces[-1] != words[-1]["word"]:  # it continues the last word (a space changes nothing)
            words[-1].update(word=pieces[-1], end=round(time + frame_seconds, 3))
    return words


def owned_words(words: list[dict], own_start: float, own_end: float) -> list[dict]:
    """The words (times relative to the recording) whose midpoint lies in a segment's [own_start, own_end)."""
    return [w for w in words if own_start <= (w["start"] + w["end"]) / 2 < own_end]
