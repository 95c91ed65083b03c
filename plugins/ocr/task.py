"""OCR task: a text-line image in, its transcription out, scored by CER and WER.

Data for each split is one override: `task.train=/data/iam` (the IAM layout; with
`task.iam_splits.train=trainset.txt` for a subset of line ids), `task.train=lines/` (a folder
with labels.tsv) or `task.train=lines.jsonl` ({"image", "text"} objects). Left at null, a
split comes from the embedded synthetic lines (`embedded.py`), whose test split is drawn in a
font that training never sees.

Images are read once, when a split loads, and kept as uint8 lines at the model's height:
an unreadable, truncated or empty image and an empty transcription skip their line, a wider
line than `max_width` is squeezed to it, images in other modes are converted, and each is
counted in the log. Characters the training split lacks become <unk>, counted per split.
"""
from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Iterator, Sequence

import torch

from plugins.ocr.embedded import DEFAULT_SIZES, embedded_samples
from plugins.ocr.formats import read_split
from plugins.ocr.images import IMAGE_SUFFIXES, fit_height, load_image, to_columns
from plugins.ocr.pictures import save_sheet
from seqcore import metrics
from seqcore.data import UNK_ID, build_tokenizer, tokenizer_from_state_dict
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import list_input_files, read_text_items
from seqcore.plugins import TaskPlugin, TokenOutputs
from seqcore.search.common import Hypothesis

log = logging.getLogger(__name__)


class OCRTask(TokenOutputs, TaskPlugin):
    name = "ocr"
    supported_heads = ("hybrid", "attention", "ctc", "transducer")
    main_metric = "cer"
    metric_mode = "min"

    def __init__(self, train=None, valid=None, test=None, iam_splits: dict | None = None, height: int = 32,
                 max_width: int = 2000, embedded_seed: int = 1234, embedded_sizes: dict | None = None,
                 test_font: str = "DejaVuSansCondensed-Oblique", embedded_dir: str | None = None,
                 render_workers: int = 2):
        if height < 8:
            raise ConfigError(f"task.height={height} is too small for text lines (use 32 or more)")
        self.paths = {"train": train, "valid": valid, "test": test}
        self.iam_splits = dict(iam_splits or {})
        self.height, self.max_width = height, max_width
        self.embedded_seed, self.embedded_sizes = embedded_seed, {**DEFAULT_SIZES, **(embedded_sizes or {})}
        self.test_font, self.embedded_dir, self.render_workers = test_font, embedded_dir, render_workers
        self.tokenizer = None

    # -- data ------------------------------------------------------------------------------
    def load_split(self, split: str) -> list[dict]:
        path = self.split_path(split)
        if path is None:
            samples = embedded_samples(split, self.embedded_seed, self.embedded_sizes, self.height, self.test_font,
                                       self.embedded_dir, self.render_workers)
            samples = self._fitted(samples, f"embedded {split}")
        else:
            samples = self._read_images(read_split(str(path), self.iam_splits.get(split)), str(path))
        if not samples:
            raise DataError(f"{split}: no usable lines in {path or 'the embedded data'}")
        self._count_unknown(split, samples)
        return samples

    def _fitted(self, samples: list[dict], where: str) -> list[dict]:
        """Samples with their pixels at the model's height, lines wider than max_width squeezed (counted)."""
        capped = 0
        for sample in samples:
            sample["pixels"], squeezed = fit_height(sample["pixels"], self.height, self.max_width)
            capped += squeezed
        if capped:
            log.warning("%s: %d lines wider than task.max_width=%d px (at %d px high) were squeezed to it",
                        where, capped, self.max_width, self.height)
        return samples

    def _read_images(self, records: list[dict], where: str) -> list[dict]:
        """Samples of the records whose image reads, with counts of what was skipped or converted."""
        samples, skipped, converted, first_error = [], Counter(), Counter(), None
        for record in records:
            if not record["target"]:
                skipped["empty transcription"] += 1
                continue
            try:
                pixels, mode = load_image(record["image_path"])
            except DataError as error:
                skipped["unreadable or empty image"] += 1
                first_error = first_error or f"{record['where']}: {error}"
                continue
            converted[mode] += mode != "L"
            samples.append({**record, "pixels": pixels})
        if +converted:
            log.info("%s: images converted to 8-bit grayscale: %s", where,
                     ", ".join(f"{n} {mode}" for mode, n in sorted((+converted).items())))
        if skipped:
            log.warning("%s: skipped %d of %d lines (%s)%s", where, sum(skipped.values()), len(records),
                        ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items())),
                        f"; first: {first_error}" if first_error else "")
        return self._fitted(samples, where)

    def _count_unknown(self, split: str, samples: list[dict]) -> None:
        """Log the characters of a split that the training vocabulary lacks (they become <unk>)."""
        if self.tokenizer is None:
            return
        unknown = Counter(c for s in samples for c in s["target"] if self.tokenizer.id_of(c) == UNK_ID)
        if unknown:
            shown = ", ".join(f"{c!r} x{n}" for c, n in unknown.most_common(10))
            log.warning("%s: %d characters (%d distinct) are not in the training vocabulary and map to <unk>: %s",
                        split, sum(unknown.values()), len(unknown), shown)

    def fit(self, train_samples: Sequence[dict]) -> None:
        if not train_samples:
            raise DataError("ocr: the training split is empty")
        self.tokenizer = build_tokenizer("char", [s["target"] for s in train_samples])

    def encode_source(self, sample: dict) -> torch.Tensor:
        """FloatTensor [W, H]: from the sample's pixels, or (a batch job's item) its image file."""
        if "pixels" in sample:
            return to_columns(sample["pixels"])
        pixels, capped = fit_height(load_image(sample["image_path"])[0], self.height, self.max_width)
        if capped:
            log.warning("%s: wider than task.max_width=%d px at %d px high; squeezed to it", sample["image_path"],
                        self.max_width, self.height)
        return to_columns(pixels)

    def frontend_args(self) -> dict:
        return {"height": self.height}

    # -- outputs ---------------------------------------------------------------------------
    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        return {"cer": metrics.cer(hypotheses, references), "wer": metrics.wer(hypotheses, references)}

    def save_examples(self, model, samples: Sequence[dict], nbest: Sequence[Sequence[Hypothesis]],
                      directory: Path) -> list[Path]:
        if not samples:
            return []
        return [save_sheet(model, samples, nbest, self.encode_source, self.postprocess, directory / "lines.png")]

    # -- batch jobs --------------------------------------------------------------------------
    def read_inputs(self, path: str) -> Iterator[dict]:
        """Line images of a folder (recursively), a glob or one image file (id = the path relative to
        the folder), or of a JSONL manifest ({"image": path relative to the manifest, optional "id"})."""
        if path.endswith(".jsonl"):
            base = Path(path).expanduser().parent
            for item in read_text_items(path, "image"):
                yield {**item, "image_path": str(base / item["image"])} if "error" not in item else item
            return
        root = Path(path).expanduser()
        for file in list_input_files(path, IMAGE_SUFFIXES):
            name = str(file.relative_to(root)) if root.is_dir() else str(file)
            yield {"id": name, "input": str(file), "image_path": str(file)}

    # -- persistence -------------------------------------------------------------------------
    def vocabularies(self) -> dict:
        return {"target": self.tokenizer}

    def state_dict(self) -> dict:
        return {"tokenizer": self.tokenizer.state_dict(), "height": self.height}

    def load_state_dict(self, state: dict) -> None:
        if state["height"] != self.height:
            raise ConfigError(f"task.height={self.height} differs from the checkpoint's {state['height']}")
        self.tokenizer = tokenizer_from_state_dict(state["tokenizer"])

