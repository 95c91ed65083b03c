"""Speech recognition: audio in, transcript out, scored with WER and CER (jiwer).

Each split is one override: `task.train=train.jsonl` (a NeMo-style manifest), a LibriSpeech
folder (`*.trans.txt` + `.flac`) or an LJSpeech folder (`metadata.csv` + `wavs/`); null = the
embedded corpus of eSpeak NG speech (`corpus.py`), test spoken by a voice unseen in training.

Audio is read at `task.features.sample_rate` (resampled, downmixed) and featurized once per
utterance into log-mel frames [frames, n_mels] (`seqcore.audio.LogMel`); the data module keeps
the encoded examples in memory, so epochs do not redo it. Normalization, SpecAugment and
subsampling happen in the model's frontend (`seqcore.modules.AudioFrontend`), whose global
mean/variance statistics this task computes when it fits and keeps in the checkpoint.
Targets are characters (default) or SentencePiece pieces of the normalized text (`text.py`).

Batch jobs transcribe a folder, glob or file of audio, or a manifest; a recording longer than
`task.long_audio.max_seconds` is cut into segments (`longform.py`), each decoded as an item of
its own and keeping the words it owns, so the segments' texts in order are the transcript.
Records carry the text, the duration and, for heads aligned to frames (CTC, transducer), word
timestamps in seconds.
"""
from __future__ import annotations

import json
import logging
from functools import cached_property
from pathlib import Path
from typing import Iterator, Sequence

import torch

from plugins.asr.formats import audio_duration, manifest_entry, read_corpus
from plugins.asr.longform import owned_words, plan_segments, words_with_times
from plugins.asr.text import TextNormalizer
from plugins.textio import read_lines
from seqcore import metrics
from seqcore.audio import LogMel, MelConfig, read_audio
from seqcore.data import build_tokenizer, tokenizer_from_state_dict
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import list_input_files
from seqcore.plugins import TaskPlugin, TokenOutputs
from seqcore.search.common import Hypothesis

log = logging.getLogger(__name__)
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au", ".caf", ".w64", ".rf64")
DEFAULT_FEATURES = {"sample_rate": 16000, "n_fft": 400, "win_length": 400, "hop_length": 160, "n_mels": 80,
                    "f_min": 0.0, "f_max": 8000.0, "log_floor": 1e-5}
DEFAULT_LONG_AUDIO = {"max_seconds": 20.0, "overlap_seconds": 3.0, "split": "fixed"}


class ASRTask(TokenOutputs, TaskPlugin):
    name = "asr"
    supported_heads = ("transducer", "ctc", "hybrid", "attention")
    main_metric = "wer"
    metric_mode = "min"

    def __init__(self, train=None, valid=None, test=None, features: dict | None = None, text: dict | None = None,
                 tokenizer: str = "char", tokenizer_options: dict | None = None, subsampling: int = 4,
                 stats_utterances: int = 500, long_audio: dict | None = None, embedded_seed: int = 1234,
                 embedded_sizes: dict | None = None, embedded_speech: dict | None = None, cache_dir: str | None = None,
                 held_out_speakers: Sequence[str] | None = None):
        self.paths = {"train": train, "valid": valid, "test": test}
        self.held_out_speakers = [str(speaker) for speaker in held_out_speakers or ()]
        self.mel = MelConfig(**{**DEFAULT_FEATURES, **dict(features or {})})
        self.normalize = TextNormalizer(**dict(text or {}))
        self.tokenizer_kind, self.tokenizer_options = tokenizer, dict(tokenizer_options or {})
        self.frame_seconds = self.mel.hop_length / self.mel.sample_rate * subsampling  # one encoder frame
        self.stats_utterances = stats_utterances
        self.long_audio = {**DEFAULT_LONG_AUDIO, **dict(long_audio or {})}
        self.embedded = {**dict(embedded_speech or {}), "seed": embedded_seed, "sizes": dict(embedded_sizes or {})}
        self.cache_dir = cache_dir
        self.tokenizer = None
        self.mean: list[float] | None = None
        self.std: list[float] | None = None

    # -- data ------------------------------------------------------------------------------
    def load_split(self, split: str) -> list[dict]:
        path = self.split_path(split)
        if path is None:
            from plugins.asr.corpus import embedded_manifest  # eSpeak NG is needed only for the embedded data
            path = str(embedded_manifest(split, self.embedded, self.cache_dir))
        elif not isinstance(path, str):
            raise ConfigError(f"task.{split} must be a .jsonl manifest or a LibriSpeech/LJSpeech folder, got {path!r}")
        samples = read_corpus(path)
        if self.held_out_speakers:
            samples = self._speakers_of(split, path, samples)
        return [{**sample, "target": self.normalize(sample["text"])} for sample in samples]

    def _speakers_of(self, split: str, path: str, samples: list[dict]) -> list[dict]:
        """`task.held_out_speakers`: a dev set of voices training never hears, carved from one
        manifest. Training drops their entries; a valid/test split reading the training manifest
        keeps only theirs (another file, e.g. seqcore-eval's data_path=, is scored whole)."""
        held_out = set(self.held_out_speakers)
        if split != "train" and path != self.paths["train"]:
            return samples
        speakers = {str(sample.get("speaker")) for sample in samples if sample.get("speaker") is not None}
        if not speakers:
            raise DataError(f'{path}: task.held_out_speakers needs a "speaker" field on the manifest\'s entries')
        if held_out - speakers:
            raise DataError(f"{path}: task.held_out_speakers {sorted(held_out - speakers)} not among the manifest's "
                            f"speakers {sorted(speakers)}")
        wanted = split != "train"  # training keeps the other speakers; valid/test keep the held-out ones
        kept = [sample for sample in samples if (str(sample.get("speaker")) in held_out) == wanted]
        log.info("%s split: %d of %d entries of %s (speakers held out of training: %s)", split, len(kept),
                 len(samples), path, ", ".join(sorted(held_out)))
        return kept

    @cached_property
    def log_mel(self) -> LogMel:
        return LogMel(self.mel)

    def waveform(self, sample: dict) -> torch.Tensor:
        """The sample's audio [samples] at the feature rate: its segment, or its manifest offset/duration."""
        audio = read_audio(sample["source"], self.mel.sample_rate)
        if "segment_start" in sample:
            return audio[sample["segment_start"]:sample["segment_end"]]
        if sample.get("offset"):
            start = int(float(sample["offset"]) * self.mel.sample_rate)
            length = int(float(sample["duration"]) * self.mel.sample_rate) if sample.get("duration") else None
            return audio[start:start + length if length else None]
        return audio

    @torch.no_grad()
    def encode_source(self, sample: dict) -> torch.Tensor:
        """Log-mel frames [frames, n_mels] of the sample's audio."""
        return self.log_mel(self.waveform(sample))

    def fit(self, train_samples: Sequence[dict]) -> None:
        """The tokenizer of the training transcripts and the global feature mean/std (over the
        frames of up to `stats_utterances` training utterances, evenly spread)."""
        if not train_samples:
            raise DataError("asr: the training split is empty")
        self.tokenizer = build_tokenizer(self.tokenizer_kind, [s["target"] for s in train_samples],
                                         **self.tokenizer_options)
        step = max(1, len(train_samples) // max(1, self.stats_utterances))
        frames = torch.cat([self.encode_source(s) for s in train_samples[::step][: self.stats_utterances]])
        self.mean, self.std = frames.mean(0).tolist(), frames.std(0).tolist()

    # -- model sizes -----------------------------------------------------------------------
    def frontend_args(self) -> dict:
        return {"input_dim": self.mel.n_mels, "mean": self.mean, "std": self.std}

    # -- outputs ---------------------------------------------------------------------------
    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        scored = [(h, r) for h, r in zip(hypotheses, references) if r.strip()]  # jiwer rejects empty references
        if not scored:
            raise DataError("asr: nothing to score, every reference is empty")
        hyps, refs = [h for h, _ in scored], [r for _, r in scored]
        return {"wer": metrics.wer(hyps, refs), "cer": metrics.cer(hyps, refs)}

    def words(self, hypothesis: Hypothesis, offset: float = 0.0) -> list[dict] | None:
        """Timed words of a hypothesis from a head aligned to frames; None for other heads."""
        if hypothesis.timestamps is None:
            return None
        return words_with_times(hypothesis.tokens, hypothesis.timestamps, self.tokenizer.decode, self.frame_seconds,
                                offset)

    # -- batch jobs ------------------------------------------------------------------------
    def read_inputs(self, path: str) -> Iterator[dict]:
        """A JSONL manifest ("audio_filepath", optional "id"; "text" ignored), or a folder, glob or
        file of audio. Unreadable or empty files become error items; recordings longer than
        `task.long_audio.max_seconds` become one item per segment ("segment", "segments")."""
        if Path(path).suffix == ".jsonl":
            items = self._manifest_items(path)
        else:
            items = ({"id": str(file), "input": str(file), "source": str(file)}
                     for file in list_input_files(path, AUDIO_SUFFIXES))
        for item in items:
            yield from (item,) if "error" in item else self._segments(item)

    def _manifest_items(self, path: str) -> Iterator[dict]:
        root = Path(path).expanduser().resolve().parent
        for number, line in enumerate(read_lines(path, "manifest"), 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise DataError(f"{where}: not a JSON object")
                entry = manifest_entry({"text": "", **item}, where, root)
            except (ValueError, DataError) as error:
                message = str(error) if isinstance(error, DataError) else f"{where}: invalid JSON ({error})"
                yield {"id": number, "input": where, "source": "", "error": message}
                continue
            yield {**entry, "id": item.get("id", number), "input": entry["source"]}

    def _segments(self, item: dict) -> Iterator[dict]:
        """The item itself, or one item per segment of a long recording; errors become error items."""
        try:
            duration = audio_duration(item["source"])
        except Exception as error:  # libsndfile's message names what is wrong with the file
            yield {**item, "error": f"{item['source']}: cannot read audio ({str(error).strip()[:200]})"}
            return
        if duration == 0:
            yield {**item, "error": f"{item['source']}: audio file has no samples"}
            return
        if item.get("offset"):  # a manifest's stretch of a recording: decoded as the manifest cuts it
            yield item
            return
        if duration <= self.long_audio["max_seconds"]:
            yield {**item, "duration": round(duration, 3)}
            return
        try:
            audio = read_audio(item["source"], self.mel.sample_rate)
        except DataError as error:
            yield {**item, "error": str(error)}
            return
        segments = plan_segments(audio, self.mel.sample_rate, self.long_audio["max_seconds"],
                                 self.long_audio["overlap_seconds"], self.long_audio["split"])
        rate = self.mel.sample_rate
        for k, segment in enumerate(segments):
            yield {**item, "duration": round(duration, 3), "segment": k, "segments": len(segments),
                   "segment_start": segment.start, "segment_end": segment.end,
                   "own_start": segment.own_start, "own_end": segment.own_end,
                   "start": round(segment.start / rate, 3), "end": round(segment.end / rate, 3)}

    def write_output(self, sample: dict, hypotheses: Sequence[Hypothesis], nbest: int, files_dir: Path) -> dict:
        """{"output": transcript, "score", "duration", "words": [{"word", "start", "end"}] when the
        head gives timestamps}; a segment of a long recording keeps only the words it owns, with
        times from the recording's start, and says which segment it is."""
        record = super().write_output(sample, hypotheses, nbest, files_dir)
        record["duration"] = sample.get("duration")
        offset = sample.get("start", 0.0)
        words = self.words(hypotheses[0], offset)
        if "segment" in sample:
            record.update(segment=sample["segment"], segments=sample["segments"], start=sample["start"],
                          end=sample["end"])
            if words is not None:
                words = owned_words(words, sample["own_start"], sample["own_end"])
                record["output"] = " ".join(w["word"] for w in words)
        if words is not None:
            record["words"] = words
        return record

    # -- persistence -----------------------------------------------------------------------
    def vocabularies(self) -> dict:
        return {"target": self.tokenizer}

    def state_dict(self) -> dict:
        return {"tokenizer": self.tokenizer.state_dict(), "mean": self.mean, "std": self.std}

    def load_state_dict(self, state: dict) -> None:
        self.tokenizer = tokenizer_from_state_dict(state["tokenizer"])
        self.mean, self.std = state["mean"], state["std"]
