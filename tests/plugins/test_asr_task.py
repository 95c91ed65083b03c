"""ASR task: batch inputs (bad files, resampling, downmixing, long recordings), features, output records."""
import json

import numpy as np
import pytest
import soundfile
import torch

from plugins.asr import ASRTask
from seqcore.data import build_tokenizer
from seqcore.errors import DataError
from seqcore.search.common import Hypothesis

RATE = 16000


def _tone(seconds: float, rate: int = RATE, channels: int = 1) -> np.ndarray:
    wave = 0.3 * np.sin(np.arange(int(seconds * rate)) * 2 * np.pi * 440 / rate).astype(np.float32)
    return np.stack([wave] * channels, 1) if channels > 1 else wave


@pytest.fixture
def task():
    task = ASRTask(long_audio={"max_seconds": 4.0, "overlap_seconds": 1.0, "split": "fixed"})
    task.tokenizer = build_tokenizer("char", ["ab cd"])
    return task


@pytest.fixture
def folder(tmp_path):
    soundfile.write(str(tmp_path / "a_mono.wav"), _tone(1.0), RATE)
    soundfile.write(str(tmp_path / "b_stereo_44k.wav"), _tone(1.0, 44100, channels=2), 44100)
    soundfile.write(str(tmp_path / "c_silence.flac"), np.zeros(RATE, np.float32), RATE)
    soundfile.write(str(tmp_path / "d_long.wav"), _tone(9.0), RATE)
    soundfile.write(str(tmp_path / "e_empty.wav"), np.zeros(0, np.float32), RATE)
    (tmp_path / "f_corrupt.wav").write_bytes(b"RIFF....WAVEfmt garbage")
    (tmp_path / "g_notes.txt").write_text("not audio")
    return tmp_path


def test_read_inputs_of_a_folder_marks_bad_files_and_splits_long_ones(task, folder):
    items = list(task.read_inputs(str(folder)))
    names = [item["input"].rsplit("/", 1)[1] for item in items]
    assert names == ["a_mono.wav", "b_stereo_44k.wav", "c_silence.flac"] + ["d_long.wav"] * 3 + \
        ["e_empty.wav", "f_corrupt.wav"]  # the .txt is not an audio file
    errors = {name: item.get("error") for name, item in zip(names, items)}
    assert "no samples" in errors["e_empty.wav"] and "cannot read audio" in errors["f_corrupt.wav"]
    assert errors["a_mono.wav"] is None and errors["c_silence.flac"] is None
    segments = [item for item in items if item["input"].endswith("d_long.wav")]
    # 9 s in windows of 4 s overlapping by 1 s: [0, 4), [3, 7), [6, 9)
    assert [(s["start"], s["end"]) for s in segments] == [(0.0, 4.0), (3.0, 7.0), (6.0, 9.0)]
    assert [s["segment"] for s in segments] == [0, 1, 2] and segments[0]["segments"] == 3


def test_features_resample_and_downmix(task, folder):
    mono = task.encode_source({"source": str(folder / "a_mono.wav")})
    stereo = task.encode_source({"source": str(folder / "b_stereo_44k.wav")})
    assert mono.shape == (RATE // 160 + 1, 80) and stereo.shape == mono.shape
    # the same tone, resampled from 44.1 kHz: the same spectrum up to resampling error
    assert torch.allclose(stereo[5:-5].mean(0), mono[5:-5].mean(0), atol=0.2)
    segment = next(i for i in task.read_inputs(str(folder)) if i["input"].endswith("d_long.wav") and i["segment"] == 1)
    assert task.encode_source(segment).shape[0] == 4 * RATE // 160 + 1


def test_manifest_inputs_with_a_bad_line(task, folder, tmp_path):
    manifest = tmp_path / "in.jsonl"
    manifest.write_text(json.dumps({"audio_filepath": "a_mono.wav", "id": "utt-1"}) + "\n{oops\n"
                        + json.dumps({"audio_filepath": str(folder / "missing.wav")}) + "\n")
    first, second, third = task.read_inputs(str(manifest))
    assert first["id"] == "utt-1" and "error" not in first and first["duration"] == 1.0
    assert second["error"].startswith(f"{manifest}:2: invalid JSON")
    assert "cannot read audio" in third["error"]


def test_write_output_words_and_segment_ownership(task):
    tokens = task.tokenizer.encode("ab cd")
    hypothesis = Hypothesis(tokens, -1.0, -1.0, timestamps=[0, 1, 2, 40, 41])  # frames of 40 ms
    record = task.write_output({"duration": 2.0}, [hypothesis], 1, None)
    assert record["output"] == "ab cd" and record["duration"] == 2.0
    assert record["words"] == [{"word": "ab", "start": 0.0, "end": 0.08}, {"word": "cd", "start": 1.6, "end": 1.68}]
    segment = {"duration": 9.0, "segment": 1, "segments": 3, "start": 3.0, "end": 7.0, "own_start": 3.5, "own_end": 4.5}
    record = task.write_output(segment, [hypothesis], 1, None)  # words at 3.0 s (not owned) and 4.6 s (not owned)
    assert record["output"] == "" and record["words"] == [] and record["segment"] == 1
    segment["own_end"] = 6.5
    assert task.write_output(segment, [hypothesis], 1, None)["output"] == "cd"
    no_times = task.write_output({"duration": 2.0}, [Hypothesis(tokens, -1.0, -1.0)], 1, None)
    assert no_times["output"] == "ab cd" and "words" not in no_times


def test_held_out_speakers_leave_training_and_alone_make_valid_and_test(tmp_path):
    entries = []
    for speaker in ("ann", "bob", "cy"):
        for k in range(3):
            soundfile.write(str(tmp_path / f"{speaker}{k}.wav"), _tone(0.2), RATE)
            entries.append({"audio_filepath": f"{speaker}{k}.wav", "text": f"word {k}", "speaker": speaker})
    manifest = tmp_path / "all.jsonl"
    manifest.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    other = tmp_path / "other.jsonl"
    other.write_text("".join(json.dumps(entry) + "\n" for entry in entries[:4]))
    task = ASRTask(train=str(manifest), valid=str(manifest), test=str(other), held_out_speakers=["bob", "cy"])
    speakers = {split: [sample["speaker"] for sample in task.load_split(split)] for split in ("train", "valid", "test")}
    assert speakers == {"train": ["ann"] * 3, "valid": ["bob"] * 3 + ["cy"] * 3,
                        "test": ["ann"] * 3 + ["bob"]}  # another file is scored whole
    with pytest.raises(DataError, match=r"held_out_speakers \['dan'\] not among the manifest's speakers"):
        ASRTask(train=str(manifest), held_out_speakers=["dan"]).load_split("train")
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"audio_filepath": "ann0.wav", "text": "word"}) + "\n")
    with pytest.raises(DataError, match='needs a "speaker" field'):
        ASRTask(train=str(plain), held_out_speakers=["ann"]).load_split("train")
