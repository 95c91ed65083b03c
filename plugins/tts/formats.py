"""Speech corpus formats: LJSpeech folders and JSONL manifests, read into utterance records
{"id", "audio" (path), "text", "speaker" (or None), "where" (file:line, for messages)}.

LJSpeech: `<root>/metadata.csv`, lines `id|text|normalized text` (the third field optional; it is
the text to speak when present), audio in `<root>/wavs/<id>.wav`. JSONL: one object per line with
"audio" (a path, relative to the manifest's folder unless absolute), "text" and optional "speaker"
and "id". A malformed line fails naming the file and line; lines with empty text are skipped and
counted (they cannot be synthesized).
"""
from __future__ import annotations

import logging
from pathlib import Path

from plugins.textio import existing_file, read_jsonl, read_lines
from seqcore.errors import DataError

log = logging.getLogger(__name__)


def read_ljspeech(root: str) -> list[dict]:
    folder = Path(root).expanduser()
    metadata = folder / "metadata.csv" if folder.is_dir() else folder
    existing_file(str(metadata), "LJSpeech metadata")
    records, empty = [], 0
    for number, line in enumerate(read_lines(str(metadata), "LJSpeech metadata"), 1):
        if not line.strip():
            continue
        fields = line.split("|")
        if len(fields) not in (2, 3) or not fields[0].strip():
            raise DataError(f"{metadata}:{number}: expected 'id|text|normalized text', got {len(fields)} field(s)")
        text = (fields[2] if len(fields) == 3 and fields[2].strip() else fields[1]).strip()
        if not text:
            empty += 1
            continue
        identifier = fields[0].strip()
        records.append({"id": identifier, "audio": str(metadata.parent / "wavs" / f"{identifier}.wav"), "text": text,
                        "speaker": None, "where": f"{metadata}:{number}"})
    _report_empty(empty, metadata)
    return records


def read_manifest(path: str) -> list[dict]:
    manifest = existing_file(path, "speech manifest")
    records, empty = [], 0
    for number, item in read_jsonl(path, "speech manifest"):
        audio, text = item.get("audio"), item.get("text")
        if not isinstance(audio, str) or not isinstance(text, str):
            raise DataError(f'{path}:{number}: expected string fields "audio" and "text"')
        if not text.strip():
            empty += 1
            continue
        audio_path = Path(audio).expanduser()
        records.append({"id": str(item.get("id", number)), "text": text.strip(), "speaker": item.get("speaker"),
                        "audio": str(audio_path if audio_path.is_absolute() else manifest.parent / audio_path),
                        "where": f"{path}:{number}"})
    _report_empty(empty, manifest)
    return records


def read_corpus(path: str) -> list[dict]:
    """A `.jsonl` manifest, or an LJSpeech folder (or its metadata.csv)."""
    return read_manifest(path) if str(path).endswith(".jsonl") else read_ljspeech(path)


def _report_empty(count: int, where: Path) -> None:
    if count:
        log.warning("%s: skipped %d utterances with empty text", where, count)
