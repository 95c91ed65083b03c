"""The built-in OCR task against the conformance kit: every head it supports (hybrid, attention, CTC,
transducer) trains on tiny embedded lines and lowers the loss, reloads, evaluates, and transcribes a
folder of line images in which a truncated PNG is recorded as failed; data_path= scores a JSONL
manifest of rendered lines."""
import json
import random

import pytest
from PIL import Image

from plugins.ocr import OCRTask
from plugins.ocr.corpus import CHARSET
from plugins.ocr.render import find_fonts, render_line
from seqcore.testing import check_task_plugin

TINY = ["task.embedded_sizes={train:200,valid:10,test:4}", "model.dim=32", "model.frontend.channels=[4,8,16,16]",
        "model.encoder.layers=1", "data.max_tokens=4000", "optim.warmup_steps=5", "threads=1"]
SHORT_DECODING = ["search.beam_size=2", "search.max_len_a=0.1"]  # untrained decoders stop late: cap the length


def line_images(samples, directory):
    """seqcore-batch input=<folder>: the samples' lines as PNGs, then a truncated PNG (named to sort last)."""
    folder = directory / "images"
    folder.mkdir()
    for index, sample in enumerate(samples):
        Image.fromarray(sample["pixels"]).save(folder / f"{index:03d}.png")
    (folder / f"{len(samples):03d}.png").write_bytes((folder / "000.png").read_bytes()[:100])
    return folder


def rendered_lines(directory):
    """data_path=: a JSONL manifest of {"image", "text"} lines, rendered as the embedded ones are."""
    font, rng, manifest = find_fonts(CHARSET)[0], random.Random(0), directory / "test.jsonl"
    with open(manifest, "w", encoding="utf-8") as handle:
        for index, text in enumerate(["the 3 owls", "Move on."]):
            Image.fromarray(render_line(text, font, rng, 32)).save(directory / f"line{index}.png")
            handle.write(json.dumps({"image": f"line{index}.png", "text": text}) + "\n")
    return manifest


def test_ocr_passes_the_plugin_kit(tmp_path):
    check_task_plugin(OCRTask, overrides=TINY, head_overrides=dict.fromkeys(("hybrid", "attention"), SHORT_DECODING),
                      data_path=rendered_lines(tmp_path), batch_input=line_images, workdir=tmp_path)


def test_text_lines_are_no_batch_input_for_ocr(tmp_path):
    """Without batch_input=, the kit's text file is one unreadable "image": the batch check says so."""
    with pytest.raises(AssertionError, match=r"(?s)expected '5 items: 4 done, 1 failed'.*1 items: 0 done, 1 failed"):
        check_task_plugin(OCRTask, heads=["ctc"], overrides=TINY, data_path=rendered_lines(tmp_path), workdir=tmp_path)
