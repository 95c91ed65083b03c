"""LJSpeech and JSONL parsing, and the skipping of bad utterances, on fixture files."""
import logging

import numpy as np
import pytest
import soundfile

from plugins.tts import TTSTask
from plugins.tts.formats import read_corpus, read_ljspeech, read_manifest
from seqcore.errors import DataError
from tests.plugins.tts_fixtures import write_ljspeech


def test_ljspeech_metadata_uses_the_normalized_field_and_the_wavs_folder(tmp_path):
    (tmp_path / "metadata.csv").write_text("LJ001|Dr. Who, 1st.|Doctor Who, first.\nLJ002|Plain text.\n\n"
                                           "LJ003|   |   \n", encoding="utf-8")
    records = read_ljspeech(str(tmp_path))
    assert [(r["id"], r["text"]) for r in records] == [("LJ001", "Doctor Who, first."), ("LJ002", "Plain text.")]
    assert records[0]["audio"] == str(tmp_path / "wavs" / "LJ001.wav")
    assert records[1]["where"].endswith("metadata.csv:2")
    assert read_corpus(str(tmp_path / "metadata.csv")) == records


def test_ljspeech_bad_line_names_file_and_line(tmp_path):
    (tmp_path / "metadata.csv").write_text("A|ok|ok\nB|too|many|fields\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"metadata\.csv:2: expected 'id\|text\|normalized text'"):
        read_ljspeech(str(tmp_path))
    with pytest.raises(DataError, match="not found"):
        read_ljspeech(str(tmp_path / "nothere"))


def test_jsonl_manifest_resolves_relative_audio_and_keeps_speaker(tmp_path):
    (tmp_path / "m.jsonl").write_text('{"audio": "a.wav", "text": "Hi.", "speaker": "s1"}\n'
                                      '{"audio": "/abs/b.wav", "text": "Yo.", "id": "b"}\n'
                                      '{"audio": "c.wav", "text": ""}\n', encoding="utf-8")
    records = read_manifest(str(tmp_path / "m.jsonl"))
    assert [(r["id"], r["audio"], r["speaker"]) for r in records] == [
        ("1", str(tmp_path / "a.wav"), "s1"), ("b", "/abs/b.wav", None)]
    (tmp_path / "bad.jsonl").write_text('{"audio": 3, "text": "x"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:1: expected string fields"):
        read_manifest(str(tmp_path / "bad.jsonl"))


def test_task_skips_and_counts_corrupt_silent_and_empty_utterances(tmp_path, caplog):
    write_ljspeech(tmp_path / "lj")
    task = TTSTask(train=str(tmp_path / "lj"))
    with caplog.at_level(logging.WARNING):
        samples = task.load_split("train")
    assert len(samples) == 12 and samples[4]["source"] == "tom has three red apples."
    assert "skipped 1 utterances with unreadable audio" in caplog.text
    assert "skipped 1 utterances with silent audio" in caplog.text
    assert "metadata.csv: skipped 1 utterances with empty text" in caplog.text  # blank
    assert "lj: skipped 1 utterances with empty text" in caplog.text  # nothing left after normalization
    assert "dropped 2 unsupported characters" in caplog.text


def test_other_rates_and_stereo_become_the_configured_mel_input(tmp_path):
    rate = 44100
    tone = 0.3 * np.sin(2 * np.pi * 500 * np.arange(rate) / rate)
    soundfile.write(str(tmp_path / "s.wav"), np.stack([tone, tone], 1), rate)
    (tmp_path / "m.jsonl").write_text('{"audio": "s.wav", "text": "A tone."}\n', encoding="utf-8")
    task = TTSTask(train=str(tmp_path / "m.jsonl"), mel={"sample_rate": 16000, "n_fft": 512, "win_length": 512,
                                                        "hop_length": 160, "n_mels": 40})
    sample = task.load_split("train")[0]
    mel = task.log_mel(sample)
    assert mel.shape == (16000 // 160 + 1, 40)
    band = int(mel[50].argmax())  # the loudest band holds 500 Hz
    assert band == int(task._log_mel.mel.mel_scale.fb[round(500 / 8000 * 256)].argmax())
