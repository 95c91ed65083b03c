"""Speech corpora in the field's standard layouts -> samples {"source": audio path, "text", "duration"}.

- JSONL manifest (NeMo's convention): one object per line with "audio_filepath" (relative
  paths are relative to the manifest's folder), "text" and "duration" (seconds); extra
  fields (an "offset", a speaker) are kept on the sample. The output of `seqcore-batch` for
  task=tts reads as a manifest too (its records' "output" is the wav, "input" the text; failed
  items are skipped): evaluating an ASR model on it is the TTS round trip, whose CER scores
  the intelligibility of the TTS model.
- LibriSpeech: a folder searched for `*.trans.txt` files, each line "<utterance id> <TEXT>",
  the audio beside it as `<utterance id>.flac`.
- LJSpeech: a folder with `metadata.csv` (`id|text|normalized text`, no header) and `wavs/<id>.wav`;
  the normalized column is used when present.

A malformed line fails naming the file and line; an entry whose audio file is missing is
skipped and counted with a warning (corpora often lose a few files), so is an empty transcript.
`read_corpus` picks the layout from the path.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path

import soundfile

from plugins.textio import read_jsonl, read_lines
from seqcore.errors import DataError

log = logging.getLogger(__name__)


def manifest_entry(item: dict, where: str, root: Path) -> dict:
    """A validated manifest object -> sample fields; raises DataError naming `where` (file:line)."""
    if "audio_filepath" not in item and "output" in item:  # a seqcore-batch record of task=tts
        item = {**item, "audio_filepath": item["output"], "text": item.get("input"), "duration": item.get("seconds")}
        if not (root / str(item["output"])).is_file():  # written relative to the job's working directory
            root = Path.cwd()
    path, text, duration = item.get("audio_filepath"), item.get("text"), item.get("duration")
    if not isinstance(path, str) or not path:
        raise DataError(f'{where}: "audio_filepath" must be a non-empty string')
    if not isinstance(text, str):
        raise DataError(f'{where}: "text" must be a string')
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, (int, float))
                                 or not math.isfinite(duration) or duration < 0):
        raise DataError(f'{where}: "duration" must be a non-negative number of seconds, got {duration!r}')
    audio = Path(path).expanduser()
    audio = audio if audio.is_absolute() else root / audio
    return {**item, "source": str(audio), "text": text, "duration": None if duration is None else float(duration)}


def read_manifest(path: str) -> list[dict]:
    root = Path(path).expanduser().resolve().parent
    items = list(read_jsonl(path, "manifest"))
    samples = [manifest_entry(item, f"{path}:{number}", root) for number, item in items if "error" not in item]
    if len(samples) < len(items):
        log.warning("%s: skipped %d failed items of a batch job", path, len(items) - len(samples))
    return _existing(samples, path)


def read_librispeech(folder: str) -> list[dict]:
    transcripts = sorted(Path(folder).expanduser().rglob("*.trans.txt"))
    if not transcripts:
        raise DataError(f"{folder}: no LibriSpeech *.trans.txt files found")
    samples = []
    for transcript in transcripts:
        for number, line in enumerate(read_lines(str(transcript), "LibriSpeech transcript"), 1):
            if not line.strip():
                continue
            utterance, _, text = line.strip().partition(" ")
            if not text:
                raise DataError(f"{transcript}:{number}: expected '<utterance id> <transcript>'")
            samples.append({"source": str(transcript.parent / f"{utterance}.flac"), "text": text, "id": utterance})
    return _existing(samples, folder)


def read_ljspeech(folder: str) -> list[dict]:
    root = Path(folder).expanduser()
    metadata = root / "metadata.csv"
    samples = []
    for number, line in enumerate(read_lines(str(metadata), "LJSpeech metadata"), 1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) < 2 or not fields[0]:
            raise DataError(f"{metadata}:{number}: expected 'id|text|normalized text'")
        text = fields[2] if len(fields) > 2 and fields[2].strip() else fields[1]
        samples.append({"source": str(root / "wavs" / f"{fields[0]}.wav"), "text": text, "id": fields[0]})
    return _existing(samples, folder)


def read_corpus(path: str) -> list[dict]:
    """A manifest (.jsonl/.json), an LJSpeech folder (has metadata.csv) or a LibriSpeech folder."""
    location = Path(path).expanduser()
    if location.suffix in (".jsonl", ".json"):
        return read_manifest(path)
    if not location.is_dir():
        raise DataError(f"{path}: not a .jsonl manifest nor a folder (LibriSpeech or LJSpeech layout)")
    if (location / "metadata.csv").is_file():
        return read_ljspeech(path)
    return read_librispeech(path)


def audio_duration(path: str) -> float:
    """Seconds of an audio file from its header (no decoding)."""
    info = soundfile.info(path)
    return info.frames / info.samplerate


def _existing(samples: list[dict], where: str) -> list[dict]:
    """Samples whose audio exists and whose transcript is not empty; the others are counted."""
    kept = [s for s in samples if s["text"].strip() and Path(s["source"]).is_file()]
    if len(kept) < len(samples):
        log.warning("%s: skipped %d entries with a missing audio file or an empty transcript",
                    where, len(samples) - len(kept))
    if not kept:
        raise DataError(f"{where}: no usable entries (every audio file missing or transcript empty)")
    return kept
