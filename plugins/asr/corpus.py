"""The embedded speech corpus: sentences spoken by eSpeak NG with varied voices, written as manifests.

The toolkit has no network access, so its default ASR data is synthesized: the sentences of the
TTS plugin's generator (`plugins.tts.corpus.sentence`), spoken by eSpeak NG (`plugins.espeak`) with

- several voices (accents) and voice variants (speakers), drawn per utterance;
- a speaking rate and a pitch drawn per utterance;
- additive noise (white or brown, drawn per utterance) at an SNR drawn per utterance, on a
  share of the utterances;
- validation and test spoken by two voice variants that training never hears, so the test
  measures generalization to a new speaker, not memorized voices.

Each split is written once into the cache directory as 16 kHz 16-bit wav files plus a JSONL
manifest (`audio_filepath`, `text`, `duration`), the format real data comes in, and read like
any manifest from then on. The folder name is a hash of the settings, so changing one makes a
new corpus and never mixes two.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
from pathlib import Path

import numpy as np
import torch
from torchaudio.transforms import Resample

from plugins.espeak import ESpeak
from plugins.tts.corpus import sentence
from plugins.tts.text import normalize
from seqcore.audio import write_audio

log = logging.getLogger(__name__)
VERSION = 1  # bump when the generation below changes, so old caches are not reused
DEFAULTS = {
    "seed": 1234,
    "sizes": {"train": 4000, "valid": 150, "test": 300},
    "sample_rate": 16000,
    "voices": ["en-us", "en"],     # American and British English
    "train_variants": ["m1", "m2", "m3", "m4", "m5", "m7", "f1", "f2", "f3", "f4", "klatt", "klatt2"],
    "valid_variant": "f5",
    "test_variant": "m6",
    "rate": [140, 210],          # words per minute, uniform
    "pitch": [25, 75],           # eSpeak's 0..100, uniform
    "noise_fraction": 0.7,       # utterances with additive noise
    "snr_db": [5.0, 30.0],       # uniform
}


def settings_with_defaults(settings: dict) -> dict:
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"task.embedded: unknown settings {sorted(unknown)}; known: {sorted(DEFAULTS)}")
    merged = {**DEFAULTS, **settings}
    merged["sizes"] = {**DEFAULTS["sizes"], **dict(settings.get("sizes") or {})}
    return merged


def cache_root(cache_dir: str | None) -> Path:
    return Path(cache_dir or Path.home() / ".cache" / "seqcore" / "asr").expanduser()


def embedded_manifest(split: str, settings: dict, cache_dir: str | None) -> Path:
    """The manifest of one split of the embedded corpus, synthesized first if not cached."""
    settings = settings_with_defaults(dict(settings))
    key = hashlib.sha1(json.dumps([VERSION, settings], sort_keys=True).encode()).hexdigest()[:12]
    folder = cache_root(cache_dir) / f"embedded-{key}"
    manifest = folder / f"{split}.jsonl"
    if not manifest.is_file():
        log.info("synthesizing the embedded %s split (%d utterances) into %s", split, settings["sizes"][split], folder)
        write_split(folder, split, settings)
    return manifest


def voice_choices(split: str, settings: dict) -> list[str]:
    if split == "train":
        return list(settings["train_variants"])
    held_out = settings[f"{split}_variant"]
    if held_out in settings["train_variants"]:
        raise ValueError(f"task.embedded.{split}_variant={held_out} must not be one of the training variants")
    return [held_out]


def write_split(folder: Path, split: str, settings: dict) -> None:
    """Synthesize a split's utterances as wav files and write its manifest last (atomically), so
    an interrupted run leaves no manifest and the next one starts over."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small per-utterance operations: a thread pool only adds waiting
    try:
        _write_split(folder, split, settings)
    finally:
        torch.set_num_threads(threads)


def corpus_sentences(seed: int, sizes: dict, split: str) -> list[str]:
    """The split's sentences in their spoken form (numbers and abbreviations in words, the TTS
    plugin's `normalize`), distinct across the splits: eSpeak speaks exactly the transcript."""
    rng, seen, splits = random.Random(seed), set(), {}
    for name in ("train", "valid", "test"):
        splits[name] = []
        while len(splits[name]) < sizes[name]:
            text = normalize(sentence(rng))[0]
            if text not in seen:
                seen.add(text)
                splits[name].append(text)
    return splits[split]


def _write_split(folder: Path, split: str, settings: dict) -> None:
    sentences = corpus_sentences(settings["seed"], settings["sizes"], split)
    rng = random.Random(f"{settings['seed']}:{split}:voices")
    espeak, variants = ESpeak(), voice_choices(split, settings)
    rate = settings["sample_rate"]
    resample = Resample(espeak.sample_rate, rate)  # its filter is computed once, not per utterance
    lines = []
    for index, text in enumerate(sentences):
        variant, voice = rng.choice(variants), rng.choice(settings["voices"])
        speed, pitch = rng.randint(*settings["rate"]), rng.randint(*settings["pitch"])
        samples, _ = espeak.synthesize(text, voice=voice, variant=variant, rate=speed, pitch=pitch)
        waveform = resample(torch.from_numpy(samples))
        if rng.random() < settings["noise_fraction"]:
            waveform = add_noise(waveform, rng.uniform(*settings["snr_db"]), rng.choice(("white", "brown")),
                                 np.random.default_rng([settings["seed"], index, len(split)]))
        path = write_audio(folder / split / f"{index:06d}.wav", waveform, rate)
        lines.append({"audio_filepath": str(path.relative_to(folder)), "text": text,
                      "duration": round(len(waveform) / rate, 3), "voice": f"{voice}+{variant}",
                      "rate": speed, "pitch": pitch})
    manifest = folder / f"{split}.jsonl"
    temporary = manifest.with_suffix(f".tmp{os.getpid()}")
    temporary.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    os.replace(temporary, manifest)


def add_noise(waveform: torch.Tensor, snr_db: float, kind: str, generator: np.random.Generator) -> torch.Tensor:
    """waveform + noise scaled to `snr_db` below the waveform's power; brown noise is integrated
    white noise (power falling 6 dB per octave, like rumble and traffic)."""
    noise = generator.standard_normal(len(waveform))
    if kind == "brown":
        noise = np.cumsum(noise)
        noise -= np.linspace(noise[0], noise[-1], len(noise))  # no drift: stays around zero
    noise = torch.from_numpy(noise).float()
    signal_power, noise_power = waveform.pow(2).mean(), noise.pow(2).mean().clamp(min=1e-12)
    scale = (signal_power / (noise_power * 10 ** (snr_db / 10))).sqrt()
    return waveform + scale * noise
