"""The embedded eSpeak corpus: deterministic, LJSpeech layout, cached, normalized text beside the written one."""
import random

from plugins.tts.corpus import embedded_corpus, ordinal, sentence
from plugins.tts.formats import read_ljspeech


def test_generation_is_deterministic_and_cached(tmp_path):
    sizes = {"train": 4, "valid": 1, "test": 1}
    first = embedded_corpus(seed=7, sizes=sizes, root=str(tmp_path / "a"))
    second = embedded_corpus(seed=7, sizes=sizes, root=str(tmp_path / "b"))
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == 3 + 6  # metadata.csv per split + one wav per utterance
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    stamp = (first / "train" / "metadata.csv").stat().st_mtime_ns
    assert embedded_corpus(seed=7, sizes=sizes, root=str(tmp_path / "a")) == first  # cached: not written again
    assert (first / "train" / "metadata.csv").stat().st_mtime_ns == stamp
    records = read_ljspeech(str(first / "train"))
    assert len(records) == 4 and all(r["text"] == r["text"].lower() and not any(c.isdigit() for c in r["text"])
                                     for r in records)
    other = embedded_corpus(seed=8, sizes=sizes, root=str(tmp_path / "a"))
    assert other != first and (other / "train" / "metadata.csv").read_text() != (first / "train" / "metadata.csv").read_text()


def test_sentences_are_short_and_seeded():
    assert [sentence(random.Random(3)) for _ in range(2)] == [sentence(random.Random(3))] * 2
    lengths = [len(sentence(random.Random(i)).split()) for i in range(200)]
    assert 3 <= min(lengths) and max(lengths) <= 10
    assert [ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"]
