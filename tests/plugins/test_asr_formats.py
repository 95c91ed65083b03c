"""ASR corpora: JSONL manifest parsing and validation, LibriSpeech and LJSpeech layouts, text normalization."""
import json

import numpy as np
import pytest
import soundfile

from plugins.asr.formats import read_corpus, read_manifest
from plugins.asr.text import TextNormalizer
from seqcore.errors import DataError


def _wav(path, seconds=0.1, rate=16000):
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), np.zeros(int(seconds * rate), np.float32), rate)
    return path


def _manifest(path, *lines):
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return str(path)


def test_manifest_paths_are_relative_to_the_manifest_and_missing_audio_is_skipped(tmp_path, caplog):
    _wav(tmp_path / "audio" / "a.wav")
    absolute = _wav(tmp_path / "elsewhere" / "b.flac")
    path = _manifest(tmp_path / "m.jsonl",
                     {"audio_filepath": "audio/a.wav", "text": "Hello, World!", "duration": 0.1, "speaker": 3},
                     "",
                     {"audio_filepath": str(absolute), "text": "second", "duration": 1},
                     {"audio_filepath": "audio/missing.wav", "text": "gone", "duration": 1.0},
                     {"audio_filepath": "audio/a.wav", "text": "  ", "duration": 1.0})
    samples = read_manifest(path)
    assert [s["source"] for s in samples] == [str(tmp_path / "audio" / "a.wav"), str(absolute)]
    assert samples[0]["text"] == "Hello, World!" and samples[0]["speaker"] == 3 and samples[1]["duration"] == 1.0
    assert "skipped 2 entries" in caplog.text


@pytest.mark.parametrize("line, message", [
    ('{"text": "x", "duration": 1}', r'm.jsonl:2: "audio_filepath" must be'),
    ('{"audio_filepath": "a.wav", "duration": 1}', r'm.jsonl:2: "text" must be'),
    ('{"audio_filepath": "a.wav", "text": "x", "duration": -1}', r'm.jsonl:2: "duration" must be'),
    ('{"audio_filepath": "a.wav", "text": "x", "duration": "long"}', r'm.jsonl:2: "duration" must be'),
    ('{"audio_filepath": "a.wav", "text": "x"', r"m.jsonl:2: invalid JSON"),
    ('["a.wav", "x"]', r"m.jsonl:2: expected a JSON object"),
])
def test_manifest_errors_name_the_file_and_line(tmp_path, line, message):
    _wav(tmp_path / "a.wav")
    path = _manifest(tmp_path / "m.jsonl", {"audio_filepath": "a.wav", "text": "fine", "duration": 0.1}, line)
    with pytest.raises(DataError, match=message):
        read_manifest(path)


def test_librispeech_layout(tmp_path):
    chapter = tmp_path / "train-clean" / "19" / "198"
    for utterance in ("19-198-0000", "19-198-0001"):
        _wav(chapter / f"{utterance}.flac")
    (chapter / "19-198.trans.txt").write_text("19-198-0000 NORTHANGER ABBEY\n19-198-0001 THIS LITTLE WORK\n"
                                              "19-198-0002 HAS NO AUDIO\n")
    samples = read_corpus(str(tmp_path / "train-clean"))
    assert [(s["id"], s["text"]) for s in samples] == [("19-198-0000", "NORTHANGER ABBEY"),
                                                      ("19-198-0001", "THIS LITTLE WORK")]
    assert samples[0]["source"].endswith("19-198-0000.flac")


def test_librispeech_malformed_line(tmp_path):
    (tmp_path / "1-2.trans.txt").write_text("1-2-0000\n")
    with pytest.raises(DataError, match=r"1-2.trans.txt:1: expected"):
        read_corpus(str(tmp_path))


def test_ljspeech_layout_prefers_the_normalized_column(tmp_path):
    _wav(tmp_path / "wavs" / "LJ001-0001.wav")
    _wav(tmp_path / "wavs" / "LJ001-0002.wav")
    (tmp_path / "metadata.csv").write_text("LJ001-0001|Dr. Who, 1963|Doctor Who, nineteen sixty-three\n"
                                           "LJ001-0002|Plain text|\n")
    samples = read_corpus(str(tmp_path))
    assert [s["text"] for s in samples] == ["Doctor Who, nineteen sixty-three", "Plain text"]


def test_text_normalization_policy():
    assert TextNormalizer()("  Don’t  STOP, the “music”!  ") == "don't stop the music"
    assert TextNormalizer(lowercase=False)("Rock-n-roll 'quoted'") == "Rock n roll quoted"
    assert TextNormalizer(punctuation="keep")("Hello,  World!") == "hello, world!"
    with pytest.raises(ValueError, match="remove or keep"):
        TextNormalizer(punctuation="drop")


def test_tts_batch_output_reads_as_a_manifest_for_the_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _wav(tmp_path / "runs" / "tts_files" / "1.wav")
    path = _manifest(tmp_path / "runs" / "tts.jsonl",
                     {"id": 1, "input": "Hello there.", "output": "runs/tts_files/1.wav", "seconds": 0.1},
                     {"id": 2, "input": "", "output": None, "error": "empty text"})
    (sample,) = read_manifest(path)
    assert sample["source"] == str(tmp_path / "runs" / "tts_files" / "1.wav") and sample["text"] == "Hello there."
