"""Long recordings: split into segments and stitched back, every word kept exactly once."""
import random

import pytest
import torch

from plugins.asr.longform import owned_words, plan_segments, words_with_times
from seqcore.data import build_tokenizer

RATE = 1000  # samples per second: enough for the arithmetic, small for the test


def _concatenation(seed: int, count: int) -> tuple[torch.Tensor, list[dict]]:
    """A synthetic recording: `count` words (tone bursts of 0.2-0.8 s) separated by 0.1-0.6 s pauses."""
    rng, time, words = random.Random(seed), 0.3, []
    for index in range(count):
        length = rng.uniform(0.2, 0.8)
        words.append({"word": f"w{index}", "start": time, "end": time + length})
        time += length + rng.uniform(0.1, 0.6)
    waveform = torch.zeros(int(time * RATE))
    for word in words:
        start, end = int(word["start"] * RATE), int(word["end"] * RATE)
        waveform[start:end] = 0.5 * torch.sin(torch.arange(end - start) * 0.3)
    return waveform, words


def _oracle(words: list[dict], start: float, end: float) -> list[dict]:
    """A perfect recognizer of the window [start, end): the words it hears whole."""
    return [w for w in words if w["start"] >= start and w["end"] <= end]


@pytest.mark.parametrize("mode, overlap", [("fixed", 3.0), ("fixed", 2.0), ("silence", 1.0)])
def test_split_and_stitch_keeps_every_word_once(mode, overlap):
    waveform, words = _concatenation(seed=len(mode) + int(overlap), count=120)
    segments = plan_segments(waveform, RATE, max_seconds=10.0, overlap_seconds=overlap, mode=mode)
    assert len(segments) > 5
    assert segments[0].start == 0 and segments[-1].end == len(waveform)
    assert all(s.end - s.start <= 10 * RATE for s in segments)
    assert all(b.start <= a.end for a, b in zip(segments, segments[1:]))  # no gap between windows
    stitched = []
    for segment in segments:
        heard = _oracle(words, segment.start / RATE, segment.end / RATE)
        stitched += owned_words(heard, segment.own_start, segment.own_end)
    assert [w["word"] for w in stitched] == [w["word"] for w in words]


def test_silence_cuts_fall_in_pauses():
    waveform, words = _concatenation(seed=7, count=80)
    segments = plan_segments(waveform, RATE, max_seconds=8.0, overlap_seconds=1.5, mode="silence")
    for segment in segments[1:]:
        cut = segment.start / RATE
        assert not any(w["start"] < cut < w["end"] for w in words), cut
        assert segment.own_start == cut  # silence windows do not overlap


def test_a_short_recording_is_one_segment():
    (segment,) = plan_segments(torch.zeros(5 * RATE), RATE, max_seconds=10.0, overlap_seconds=2.0)
    assert (segment.start, segment.end, segment.own_start) == (0, 5 * RATE, 0.0)
    with pytest.raises(ValueError, match="overlap"):
        plan_segments(torch.zeros(30 * RATE), RATE, max_seconds=10.0, overlap_seconds=6.0)


def test_words_with_times_from_character_timestamps():
    tokenizer = build_tokenizer("char", ["ab cd e"])
    tokens = tokenizer.encode("ab cd e")
    frames = [0, 1, 3, 5, 6, 9, 12]  # the space at frame 3 changes no word
    words = words_with_times(tokens, frames, tokenizer.decode, frame_seconds=0.04, offset=10.0)
    assert words == [{"word": "ab", "start": 10.0, "end": 10.08},
                     {"word": "cd", "start": 10.2, "end": 10.28},
                     {"word": "e", "start": 10.48, "end": 10.52}]
