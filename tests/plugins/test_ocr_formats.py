"""OCR data formats (folder + labels.tsv, IAM, JSONL), batch inputs, and bad images handled with counts."""
import json
import logging

import numpy as np
import pytest
from PIL import Image

from plugins.ocr.formats import read_iam, read_labels_tsv, read_manifest, read_split
from plugins.ocr.images import fit_height, load_image, to_columns
from plugins.ocr.task import OCRTask
from seqcore.errors import DataError


def _line(path, width=60, height=20, mode="L"):
    pixels = np.full((height, width), 255, np.uint8)
    pixels[5:15, 10:width - 10] = 0
    image = Image.fromarray(pixels)
    path.parent.mkdir(parents=True, exist_ok=True)
    (image if mode == "L" else image.convert(mode)).save(path)
    return path


def test_folder_with_labels_tsv(tmp_path):
    _line(tmp_path / "a" / "one.png")
    _line(tmp_path / "two.png")
    (tmp_path / "labels.tsv").write_text("a/one.png\tHello world\n\ntwo.png\t  Tab\tinside \n")
    records = read_split(str(tmp_path))
    assert [(r["image_path"], r["target"]) for r in records] == [
        (str(tmp_path / "a" / "one.png"), "Hello world"), (str(tmp_path / "two.png"), "Tab\tinside")]
    assert records[1]["where"] == f"{tmp_path / 'labels.tsv'}:3"
    (tmp_path / "bad.tsv").write_text("one.png Hello\n")
    with pytest.raises(DataError, match=r"bad.tsv:1: expected"):
        read_labels_tsv(str(tmp_path / "bad.tsv"))


IAM_LINES = """#--- lines.txt ---------------------------------------------------------------#
# format: a01-000u-00 ok 154 19 408 746 1661 89 A|MOVE|to|stop|Mr.|Gaitskell|from
a01-000u-00 ok 154 19 408 746 1661 89 A|MOVE|to|stop|Mr.|Gaitskell|from
a01-000u-01 err 156 19 395 932 1850 105 nominating|any|more|Labour
b02-010-03 ok 180 5 300 500 1200 90 said|:|"|It|'s|#|1|"
"""


def test_iam_layout_with_word_separator_and_split_file(tmp_path):
    (tmp_path / "ascii").mkdir()
    (tmp_path / "ascii" / "lines.txt").write_text(IAM_LINES)
    records = read_split(str(tmp_path))
    assert [r["target"] for r in records] == ["A MOVE to stop Mr. Gaitskell from", "nominating any more Labour",
                                              'said : " It \'s # 1 "']
    assert records[0]["image_path"] == str(tmp_path / "lines" / "a01" / "a01-000u" / "a01-000u-00.png")
    assert records[2]["image_path"] == str(tmp_path / "lines" / "b02" / "b02-010" / "b02-010-03.png")
    (tmp_path / "test.txt").write_text("b02-010-03\n")
    assert [r["target"][:4] for r in read_iam(str(tmp_path), str(tmp_path / "test.txt"))] == ["said"]
    (tmp_path / "ascii" / "lines.txt").write_text(IAM_LINES + "a01-000u-02 ok x 19 1 2 3 4 word\n")
    with pytest.raises(DataError, match=r"lines.txt:6: expected"):
        read_iam(str(tmp_path))


def test_jsonl_manifest(tmp_path):
    (tmp_path / "m.jsonl").write_text(json.dumps({"image": "x/1.png", "text": " Hi there "}) + "\n\n"
                                      + json.dumps({"image": "2.png", "text": 5}) + "\n")
    with pytest.raises(DataError, match=r"m.jsonl:3: expected string fields"):
        read_manifest(str(tmp_path / "m.jsonl"))
    (tmp_path / "m.jsonl").write_text(json.dumps({"image": "x/1.png", "text": " Hi there "}) + "\n")
    image = str(tmp_path / "x" / "1.png")
    assert read_split(str(tmp_path / "m.jsonl")) == [
        {"source": image, "image_path": image, "target": "Hi there", "where": f"{tmp_path / 'm.jsonl'}:1"}]


def test_image_modes_are_converted_to_grayscale_with_white_behind_transparency(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[:, :2] = (0, 0, 0, 255)  # opaque black ink; the rest fully transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    Image.fromarray((np.arange(16).reshape(4, 4) * 4096).astype(np.uint16)).save(tmp_path / "deep.png")
    Image.new("CMYK", (4, 4), (0, 0, 0, 255)).save(tmp_path / "cmyk.tif")
    Image.new("L", (4, 4), 200).convert("P").save(tmp_path / "palette.png")
    pixels, mode = load_image(tmp_path / "rgba.png")
    assert mode == "RGBA" and pixels[:, :2].max() == 0 and pixels[:, 2:].min() == 255
    pixels, mode = load_image(tmp_path / "deep.png")
    assert mode.startswith("I") and pixels.dtype == np.uint8 and pixels.min() == 0 and pixels.max() == 255
    assert load_image(tmp_path / "cmyk.tif")[0].max() < 10  # full black in CMYK
    assert load_image(tmp_path / "palette.png")[0].tolist() == [[200] * 4] * 4


def test_lines_are_scaled_to_height_capped_in_width_and_inverted():
    pixels = np.full((64, 300), 255, np.uint8)
    pixels[10:50, 20:280] = 0
    scaled, capped = fit_height(pixels, 32, 1000)
    assert scaled.shape == (32, 150) and not capped
    squeezed, capped = fit_height(pixels, 32, 100)
    assert squeezed.shape == (32, 100) and capped
    columns = to_columns(scaled)
    assert columns.shape == (150, 32) and float(columns.max()) == 1.0 and float(columns[0].max()) == 0.0


def test_bad_images_are_skipped_converted_capped_and_counted(tmp_path, caplog):
    folder = tmp_path / "lines"
    _line(folder / "good.png")
    _line(folder / "rgba.png", mode="RGBA")
    _line(folder / "palette.png", mode="P")
    _line(folder / "wide.png", width=4000)
    (folder / "empty.png").write_bytes(b"")
    (folder / "corrupt.png").write_bytes(b"not an image at all")
    whole = (folder / "good.png").read_bytes()
    (folder / "truncated.png").write_bytes(whole[: len(whole) // 2])
    names = ["good", "rgba", "palette", "wide", "empty", "corrupt", "truncated", "missing"]
    (folder / "labels.tsv").write_text("".join(f"{n}.png\tline {n} é\n" for n in names) + "good.png\t\n")
    task = OCRTask(train=str(folder), valid=str(folder), height=32, max_width=500)
    with caplog.at_level(logging.INFO):
        samples = task.load_split("train")
    assert [s["target"].split()[1] for s in samples] == ["good", "rgba", "palette", "wide"]
    assert all(s["pixels"].shape[0] == 32 for s in samples) and samples[3]["pixels"].shape[1] == 500
    text = caplog.text
    assert "skipped 5 of 9 lines (1 empty transcription, 4 unreadable or empty image)" in text
    assert "1 P, 1 RGBA" in text and "1 lines wider than task.max_width=500" in text
    task.fit([{"target": "line good rgba"}])  # no 'é', 'p', 'w', ...: unseen characters map to <unk>, counted
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        task.load_split("valid")
    assert "valid: " in caplog.text and "not in the training vocabulary" in caplog.text and "'é' x4" in caplog.text
    assert task.encode_target({"target": "lé"}).tolist()[1] == 3  # UNK_ID


def test_read_inputs_of_a_folder_a_glob_and_a_manifest(tmp_path):
    _line(tmp_path / "in" / "b.png")
    _line(tmp_path / "in" / "sub" / "a.jpg")
    (tmp_path / "in" / "notes.txt").write_text("not an image")
    (tmp_path / "in" / "broken.png").write_bytes(b"\x89PNG broken")
    task = OCRTask(height=32)
    items = list(task.read_inputs(str(tmp_path / "in")))
    assert [i["id"] for i in items] == ["b.png", "broken.png", "sub/a.jpg"]
    assert task.encode_source(items[0]).shape[1] == 32
    with pytest.raises(DataError, match="broken.png: unreadable image"):
        task.encode_source(items[1])
    assert [i["id"] for i in task.read_inputs(str(tmp_path / "in" / "*.png"))] == [
        str(tmp_path / "in" / "b.png"), str(tmp_path / "in" / "broken.png")]
    (tmp_path / "m.jsonl").write_text('{"image": "in/b.png", "id": "x1"}\n{"text": "no image"}\n')
    first, second = task.read_inputs(str(tmp_path / "m.jsonl"))
    assert first["id"] == "x1" and first["image_path"] == str(tmp_path / "in" / "b.png") and "error" not in first
    assert "error" in second and "m.jsonl:2" in second["error"]
    with pytest.raises(DataError, match="no input files"):
        list(task.read_inputs(str(tmp_path / "nothing_here")))
