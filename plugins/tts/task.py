"""Text-to-speech task (Tacotron 2 style): text in, log-mel frames out, waveforms by Griffin-Lim.

Data for each split is one override: `task.train=data/LJSpeech-1.1` (an LJSpeech folder:
metadata.csv `id|text|normalized text` + wavs/) or `task.train=train.jsonl` (a manifest of
{"audio", "text", "speaker"?}). Left at null, every split comes from the embedded corpus:
generated English sentences spoken by eSpeak NG (`corpus.py`), cached in LJSpeech layout.

Text is normalized (`text.py`: numbers, abbreviations, punctuation; unsupported characters
dropped and counted) and read as characters or, with `text_input=phonemes`, as eSpeak IPA.
Audio is resampled to `mel.sample_rate` and downmixed; corrupt or silent files are skipped and
counted. Text longer than `long_text_chars` is split into sentences, which the frames search
speaks one after the other (extras "segments").

The model sees each mel band normalized to zero mean and unit variance over the training set
(global MVN, as ESPnet does): raw log-mel bands span from eSpeak's digital silence at the log floor
(-11.5) to speech near 0, and unnormalized the floor dominated the L1 loss while the decoder
learnt little of the spectra in free running (MCD no better than the mean frame after 1,400
steps). Frames are mapped back to log-mel before the vocoder, the metrics and the pictures.

Metrics: the head's teacher-forced L1 on normalized mels (`mel_l1`, valid and test: picks the checkpoint); on
free-running synthesis, MCD-DTW of the Griffin-Lim audio against the reference recording, beside
the same measure for two bounds: Griffin-Lim of the reference's own mel (the best this vocoder
allows) and the training set's mean frame held for the reference's length (a model that learnt
nothing); plus the attention's diagonality and focus, and the share of outputs that stopped.
"""
from __future__ import annotations

import logging
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import torch

from plugins.tts import metrics
from plugins.tts.corpus import embedded_corpus
from plugins.tts.examples import alignment_figure, mel_figure
from plugins.tts.formats import read_corpus
from plugins.tts.text import normalize, split_sentences
from seqcore.audio import LogMel, MelConfig, MelInverter, read_audio, write_audio
from seqcore.data import SPECIAL_TOKENS, build_tokenizer, tokenizer_from_state_dict
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import read_text_items
from seqcore.plugins import FrameOutputs, TaskPlugin
from seqcore.search.common import Hypothesis

log = logging.getLogger(__name__)
TEXT_INPUTS = ("characters", "phonemes")
SILENCE_PEAK = 1e-4  # a recording whose peak stays below this has nothing to learn from
MEAN_FRAME_UTTERANCES = 200  # training utterances that give the per-band mean and deviation
MIN_BAND_STD = 0.1  # a band that never changes is not blown up by a tiny deviation
FIRST_SYMBOL_ID = len(SPECIAL_TOKENS)  # ids below are PAD/BOS/EOS/UNK


@lru_cache(maxsize=100_000)
def _phonemes(text: str) -> str:
    from plugins.espeak import ESpeak  # the library loads only for phoneme input
    return ESpeak().phonemize(text)


class TTSTask(FrameOutputs, TaskPlugin):
    name = "tts"
    supported_heads = ("frames",)
    main_metric = "mel_l1"
    metric_mode = "min"

    def __init__(self, train=None, valid=None, test=None, text_input: str = "characters", mel: dict | None = None,
                 embedded: dict | None = None, long_text_chars: int = 200, metric_griffin_lim_iters: int = 32,
                 example_griffin_lim_iters: int = 60, mcd_order: int = 24):
        if text_input not in TEXT_INPUTS:
            raise ConfigError(f"task.text_input={text_input!r} must be one of: {', '.join(TEXT_INPUTS)}")
        self.paths = {"train": train, "valid": valid, "test": test}
        self.text_input = text_input
        self.mel_config = MelConfig(**(mel or {}))
        self.embedded = dict(embedded or {})
        self.long_text_chars = long_text_chars
        self.metric_griffin_lim_iters, self.example_griffin_lim_iters = metric_griffin_lim_iters, example_griffin_lim_iters
        self.mcd_order = mcd_order
        self.tokenizer = None
        self.mean_frame: list[float] | None = None  # per band, raw log-mel: the normalization's mean
        self.frame_std: list[float] | None = None
        self._log_mel = LogMel(self.mel_config)
        self._bounds: dict[str, tuple[float, float]] = {}  # audio path -> (Griffin-Lim MCD, mean-frame MCD)
        self._piece_cache: dict[str, tuple] = {}
        self._vocoders: dict[int, MelInverter] = {}  # Griffin-Lim by iteration count

    # -- data ------------------------------------------------------------------------------
    def load_split(self, split: str) -> list[dict]:
        path = self.split_path(split)
        if path is None:
            path = str(embedded_corpus(sample_rate=self.mel_config.sample_rate, **self.embedded) / split)
        samples, dropped = [], 0
        skipped: dict[str, list[str]] = {"empty text": [], "unreadable audio": [], "silent audio": []}
        for record in read_corpus(str(path)):
            text, lost = normalize(record["text"])
            dropped += lost
            problem, detail = ("empty text", record["where"]) if not text else self._audio_problem(record)
            if problem:
                skipped[problem].append(detail)
                continue
            samples.append({**record, "source": text, "target": record["audio"]})
        if dropped:
            log.warning("%s: dropped %d unsupported characters from the texts", path, dropped)
        for problem, details in skipped.items():
            if details:
                log.warning("%s: skipped %d utterances with %s (first: %s)", path, len(details), problem, details[0])
        return samples

    def _audio_problem(self, record: dict) -> tuple[str | None, str]:
        """(what is wrong with the recording or None, a line saying where) for skip counts."""
        try:
            waveform = read_audio(record["audio"], self.mel_config.sample_rate)
        except DataError as error:
            return "unreadable audio", f"{record['where']}: {error}"
        if float(waveform.abs().max()) < SILENCE_PEAK:
            return "silent audio", f"{record['where']}: {record['audio']}"
        return None, ""

    def fit(self, train_samples: Sequence[dict]) -> None:
        if not train_samples:
            raise DataError("tts: the training split is empty")
        self._piece_cache = {}
        self.tokenizer = build_tokenizer("char", [self._symbols(s["source"]) for s in train_samples])
        frames = torch.cat([self.log_mel(s) for s in train_samples[:MEAN_FRAME_UTTERANCES]])
        self.mean_frame = frames.mean(0).tolist()
        self.frame_std = frames.std(0).clamp(min=MIN_BAND_STD).tolist()

    def _symbols(self, text: str) -> str:
        return _phonemes(text) if self.text_input == "phonemes" else text

    def _pieces(self, text: str) -> tuple[tuple[int, ...], ...]:
        """Token ids of each sentence-sized piece of normalized text; symbols the vocabulary lacks are dropped."""
        if text not in self._piece_cache:
            normalized = normalize(text)[0]
            pieces = split_sentences(normalized, self.long_text_chars) if len(normalized) > self.long_text_chars \
                else [normalized]
            encoded = (tuple(i for i in map(self.tokenizer.id_of, self._symbols(piece)) if i >= FIRST_SYMBOL_ID)
                       for piece in pieces)
            self._piece_cache[text] = tuple(piece for piece in encoded if piece)
        return self._piece_cache[text]

    def unsupported_symbols(self, text: str) -> int:
        """How many characters of `text` are dropped on the way in (normalization, then the vocabulary)."""
        normalized, dropped = normalize(text)
        symbols = self._symbols(normalized)
        return dropped + sum(1 for s in symbols if self.tokenizer.id_of(s) < FIRST_SYMBOL_ID and not s.isspace())

    def encode_source(self, sample: dict) -> torch.Tensor:
        return torch.tensor([i for piece in self._pieces(sample["source"]) for i in piece], dtype=torch.long)

    def encode_extras(self, sample: dict) -> dict[str, torch.Tensor]:
        pieces = self._pieces(sample["source"])
        return {"segments": torch.tensor([k for k, piece in enumerate(pieces) for _ in piece], dtype=torch.long)}

    def log_mel(self, sample: dict) -> torch.Tensor:
        """The recording's log-mel spectrogram [frames, n_mels], as analysed (not normalized)."""
        return self._log_mel(read_audio(sample["audio"], self.mel_config.sample_rate))

    def encode_target(self, sample: dict) -> torch.Tensor:
        return (self.log_mel(sample) - torch.tensor(self.mean_frame)) / torch.tensor(self.frame_std)

    def denormalize(self, frames: torch.Tensor) -> torch.Tensor:
        """Model frames (normalized bands) -> log-mel."""
        frames = frames.float().cpu()
        return frames * torch.tensor(self.frame_std) + torch.tensor(self.mean_frame)

    def reference(self, sample: dict) -> str:
        return sample["source"]

    # -- model sizes -----------------------------------------------------------------------
    def frontend_args(self) -> dict:
        return {"vocab_size": self.tokenizer.vocab_size}

    # -- outputs (frames: FrameOutputs; audio files in write_output and save_examples) -----------
    def vocoder(self, n_iter: int) -> MelInverter:
        if n_iter not in self._vocoders:
            self._vocoders[n_iter] = MelInverter(self.mel_config, n_iter)
        return self._vocoders[n_iter]

    def waveform(self, log_mel: torch.Tensor, n_iter: int) -> torch.Tensor:
        return self.vocoder(n_iter)(log_mel.float().cpu()) if len(log_mel) else torch.zeros(0)

    def _resynthesized_mcd(self, frames: torch.Tensor, reference: torch.Tensor) -> float:
        """MCD-DTW of log-mel frames spoken by Griffin-Lim and analysed again, against the reference's log-mel."""
        audio = self.waveform(frames, self.metric_griffin_lim_iters)
        return metrics.mcd_dtw(self._log_mel(audio), reference, self.mcd_order) if len(audio) else float("nan")

    def _bounds_of(self, sample: dict, reference: torch.Tensor) -> tuple[float, float]:
        if sample["audio"] not in self._bounds:
            mean = torch.tensor(self.mean_frame).expand(len(reference), -1)
            self._bounds[sample["audio"]] = (self._resynthesized_mcd(reference, reference),
                                             self._resynthesized_mcd(mean, reference))
        return self._bounds[sample["audio"]]

    def evaluate(self, hypotheses: Sequence[str], references: Sequence[str], samples: Sequence[dict],
                 nbest: Sequence[Sequence[Hypothesis]] = ()) -> dict[str, float]:
        """Everything is read off the best hypothesis' frames (the text outputs are empty)."""
        rows = []
        for hypotheses, sample in zip(nbest, samples):
            best, reference = hypotheses[0], self.log_mel(sample)
            griffin_lim, mean_frame = self._bounds_of(sample, reference)
            rows.append({"mcd_dtw": self._resynthesized_mcd(self.denormalize(best.frames), reference),
                         "mcd_dtw_griffin_lim": griffin_lim, "mcd_dtw_mean_frame": mean_frame,
                         "diagonality": metrics.diagonality(best.alignment), "focus": metrics.focus(best.alignment),
                         "length_ratio": len(best.frames) / max(1, len(reference)),
                         "stopped": best.score})  # frames_search: 1 when the stop token ended it
        if not rows:
            return {}
        return {key: sum(row[key] for row in rows if not math.isnan(row[key])) / len(rows) for key in rows[0]}

    def save_examples(self, model, samples: Sequence[dict], nbest: Sequence[Sequence[Hypothesis]],
                      directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for sample, hypotheses in zip(samples, nbest):
            best, stem = hypotheses[0], _safe_name(str(sample.get("id", len(paths))))
            predicted = self.denormalize(best.frames)
            paths.append(write_audio(directory / f"{stem}.wav", self.waveform(predicted, self.example_griffin_lim_iters),
                                     self.mel_config.sample_rate))
            paths.append(mel_figure(predicted, self.log_mel(sample), sample["source"], directory / f"{stem}_mel.png"))
            text = self._symbols(sample["source"]) if len(self._pieces(sample["source"])) == 1 else ""
            paths.append(alignment_figure(best.alignment, text, sample["source"], directory / f"{stem}_alignment.png"))
        return paths

    # -- batch jobs ---------------------------------------------------------------------------
    def read_inputs(self, path: str) -> Iterator[dict]:
        """Text lines (one utterance per line, id = line number) or a JSONL manifest ("text"/"source", "id")."""
        for item in read_text_items(path, "source", aliases=("text",)):
            if "error" not in item and not item["source"].strip():
                item["error"] = "empty text"
            yield item

    def write_output(self, sample: dict, hypotheses: Sequence[Hypothesis], nbest: int, files_dir: Path) -> dict:
        """One wav per item under files_dir; the record (the job's manifest line) holds its path and duration."""
        best = hypotheses[0]
        audio = self.waveform(self.denormalize(best.frames), self.example_griffin_lim_iters)
        path = write_audio(Path(files_dir) / f"{_safe_name(str(sample['id']))}.wav", audio, self.mel_config.sample_rate)
        record = {"output": str(path), "seconds": round(len(audio) / self.mel_config.sample_rate, 3),
                  "frames": len(best.frames)}
        dropped = self.unsupported_symbols(sample["source"])
        if dropped:
            record["dropped_characters"] = dropped
        return record

    # -- persistence -------------------------------------------------------------------------
    def state_dict(self) -> dict:
        return {"tokenizer": self.tokenizer.state_dict(), "mean_frame": self.mean_frame, "frame_std": self.frame_std,
                "text_input": self.text_input, "mel": self.mel_config.to_dict()}

    def load_state_dict(self, state: dict) -> None:
        if state["mel"] != self.mel_config.to_dict() or state["text_input"] != self.text_input:
            raise ConfigError(f"the checkpoint was trained with task.mel={state['mel']} and "
                              f"task.text_input={state['text_input']}; the config says {self.mel_config.to_dict()} "
                              f"and {self.text_input}")
        self.tokenizer = tokenizer_from_state_dict(state["tokenizer"])
        self._piece_cache = {}
        self.mean_frame, self.frame_std = state["mean_frame"], state["frame_std"]


def _safe_name(identifier: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", identifier)[:100] or "item"
