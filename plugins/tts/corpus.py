"""The embedded speech corpus: generated English sentences spoken by eSpeak NG, in LJSpeech layout.

`embedded_corpus(...)` returns a folder with one LJSpeech-style subfolder per split
(`train/metadata.csv` with `id|text|normalized text`, `train/wavs/<id>.wav`, same for valid and
test), generating it once into the cache (default ~/.cache/seqcore/tts/, `$XDG_CACHE_HOME`
respected, or a given root). The same arguments give the same sentences and the same samples
(sentences from a seeded generator; eSpeak is deterministic per call, see plugins/espeak.py), so
the folder name carries every argument. Generation writes into a temporary folder renamed at the
end, so concurrent or interrupted runs never see a half-written corpus. The sentences are short
(3 to 9 words, numbers and abbreviations included to exercise normalization): a model learns the
alignment quickly from them, and a speech recognizer can reuse the corpus.
"""
from __future__ import annotations

import logging
import os
import random
import shutil
import tempfile
from pathlib import Path

import torch
import torchaudio.functional

from plugins.espeak import ESpeak
from plugins.tts.text import normalize
from seqcore.audio import write_audio

log = logging.getLogger(__name__)
VERSION = 1
DEFAULT_SIZES = {"train": 3000, "valid": 40, "test": 100}

NAMES = "Anna Ben Clara David Emma Frank Grace Henry Iris Jack Laura Martin Nora Oscar Paul Rachel Sam Tom".split()
TITLES = ["Dr.", "Mr.", "Mrs.", "Prof."]
NOUNS = ("cat dog bird teacher doctor farmer child friend neighbour driver student baker painter "
         "singer pilot sailor captain doctor writer").split()
THINGS = ("book letter apple window garden river bottle ticket chair basket candle jacket map picture "
          "radio table wagon bridge kettle lamp").split()
PLACES = "park station market school library harbour kitchen village museum garden office forest".split()
ADJECTIVES = "small old green quiet bright heavy warm yellow busy empty cold happy tall round strange".split()
VERBS_PAST = "found painted opened carried bought cleaned watched moved dropped closed counted wanted".split()
VERBS = "find paint open carry buy clean watch move drop close count want".split()
ADVERBS = "slowly quickly early today again together carefully later".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

TEMPLATES = [
    "The {adj} {noun} {past} the {thing}.",
    "{name} {past} {count} {things} in the {place}.",
    "Did the {noun} {verb} the {adj} {thing}?",
    "We will {verb} the {thing} on {day}.",
    "{title} {name} {past} a {adj} {thing} {adverb}.",
    "My {noun} lives near the {place}.",
    "The {thing} costs ${price} at the {place}.",
    "On the {ordinal} of May, the {noun} {past} a {thing}.",
    "Please {verb} the {thing}, then go to the {place}.",
    "Why is the {thing} so {adj}?",
    "In {year}, {name} {past} the old {place}.",
    "The {noun} and the {noun2} walked {adverb}.",
]


def sentence(rng: random.Random) -> str:
    thing = rng.choice(THINGS)
    fields = {"adj": rng.choice(ADJECTIVES), "noun": rng.choice(NOUNS), "noun2": rng.choice(NOUNS),
              "past": rng.choice(VERBS_PAST), "verb": rng.choice(VERBS), "thing": thing,
              "things": thing + "s", "name": rng.choice(NAMES), "title": rng.choice(TITLES),
              "place": rng.choice(PLACES), "count": rng.randint(2, 40), "day": rng.choice(DAYS),
              "adverb": rng.choice(ADVERBS), "price": f"{rng.randint(1, 20)}.{rng.choice(['00', '50', '25'])}",
              "ordinal": ordinal(rng.randint(1, 31)), "year": rng.randint(1850, 2020)}
    return rng.choice(TEMPLATES).format(**fields)


def ordinal(day: int) -> str:
    """1 -> "1st", 12 -> "12th", 23 -> "23rd"."""
    return f"{day}{'th' if 11 <= day % 100 <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "seqcore" / "tts"


def embedded_corpus(seed: int = 1234, sizes: dict | None = None, voice: str = "en-us", variant: str | None = None,
                    rate: int = 175, sample_rate: int = 22050, root: str | None = None) -> Path:
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    name = (f"v{VERSION}-seed{seed}-{voice}{'+' + variant if variant else ''}-r{rate}-{sample_rate}hz-"
            + "-".join(f"{split}{sizes[split]}" for split in DEFAULT_SIZES))
    folder = (Path(root).expanduser() if root else cache_root()) / name
    if (folder / "test" / "metadata.csv").is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    log.info("generating the embedded speech corpus with eSpeak NG into %s (once)", folder)
    staging = Path(tempfile.mkdtemp(prefix=name + ".", dir=folder.parent))
    try:
        write_corpus(staging, seed, sizes, voice, variant, rate, sample_rate)
        try:
            staging.rename(folder)
        except OSError:  # another process finished first: its corpus is the same
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def write_corpus(folder: Path, seed: int, sizes: dict, voice: str, variant: str | None, rate: int,
                 sample_rate: int) -> None:
    """LJSpeech folders per split; sentences are distinct across the whole corpus."""
    rng, espeak, seen = random.Random(seed), ESpeak(), set()
    for split in DEFAULT_SIZES:
        lines = []
        for index in range(sizes[split]):
            text = sentence(rng)
            while text in seen:
                text = sentence(rng)
            seen.add(text)
            identifier = f"ES{split[:2].upper()}-{index:05d}"
            samples, rate_out = espeak.synthesize(text, voice=voice, variant=variant, rate=rate)
            waveform = torch.from_numpy(samples)
            if rate_out != sample_rate:
                waveform = torchaudio.functional.resample(waveform, rate_out, sample_rate)
            write_audio(folder / split / "wavs" / f"{identifier}.wav", waveform, sample_rate)
            lines.append(f"{identifier}|{text}|{normalize(text)[0]}")
        (folder / split / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
