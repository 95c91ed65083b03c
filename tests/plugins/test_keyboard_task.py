"""The keyboard task: embedded corpus, data formats, fresh noise per epoch, metrics and inputs."""
import json
import logging
import string
from collections import Counter

import pytest

from plugins.keyboard.corpus import generate_corpus
from plugins.keyboard.corpus.grammar import article, gerund, plural, regular_past, third_person
from plugins.keyboard.formats import read_clean_text, read_pairs
from plugins.keyboard.noise import NoiseRates
from plugins.keyboard.task import COMPLETION_MARK, KeyboardTask, completion_pair, fragment_pair, known_words_first
from seqcore.errors import ConfigError, DataError
from seqcore.lightning import AugmentedExamples, TaskDataModule

SMALL = {"train": 300, "valid": 20, "test": 40}


def test_embedded_corpus_has_a_large_vocabulary_and_unseen_evaluation_sentences():
    corpus = generate_corpus(1234)
    words = Counter(w.strip(string.punctuation).lower() for s in corpus["train"] for w in s.split())
    assert len(words) >= 2000
    assert not set(corpus["test"]) & set(corpus["train"]) and not set(corpus["valid"]) & set(corpus["train"])
    assert len(set(corpus["test"])) == len(corpus["test"])
    assert all(s[0].isupper() and s[-1] in ".!?" for s in corpus["test"])
    assert generate_corpus(1234, SMALL)["test"] == generate_corpus(1234, SMALL)["test"]


@pytest.mark.parametrize("function, word, expected", [
    (regular_past, "stop", "stopped"), (regular_past, "visit", "visited"), (regular_past, "try", "tried"),
    (regular_past, "bake", "baked"), (regular_past, "play", "played"), (third_person, "watch", "watches"),
    (third_person, "fly", "flies"), (third_person, "go", "goes"), (gerund, "make", "making"),
    (gerund, "run", "running"), (gerund, "see", "seeing"), (plural, "box", "boxes"), (plural, "city", "cities"),
    (plural, "knife", "knives"), (plural, "day", "days"), (article, "apple", "an"), (article, "university", "a"),
])
def test_inflections(function, word, expected):
    assert function(word) == expected


def test_clean_text_and_tsv_formats(tmp_path, caplog):
    clean = tmp_path / "clean.txt"
    clean.write_text("Hello there.\n\n  \nSee you soon!\n")
    with caplog.at_level(logging.WARNING):
        assert read_clean_text(str(clean)) == ["Hello there.", "See you soon!"]
    assert "skipped 2 blank lines" in caplog.text
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("helo there\thello there\n\nsee yuo\tsee you\n")
    assert read_pairs(str(pairs)) == [("helo there", "hello there"), ("see yuo", "see you")]
    bad = tmp_path / "bad.tsv"
    bad.write_text("ok\tok\nno tab here\n")
    with pytest.raises(DataError, match=r"bad\.tsv:2: expected 'noisy<TAB>clean'"):
        read_pairs(str(bad))
    task = KeyboardTask(train=str(clean), valid=str(pairs), test=str(pairs))
    assert task.load_split("train")[0] == {"source": "Hello there.", "target": "Hello there.", "clean": True}
    assert task.load_split("valid")[1] == {"source": "see yuo", "target": "see you"}
    with pytest.raises(ConfigError, match="unknown split"):
        task.load_split("dev")


def test_noise_rates_can_be_fitted_from_a_tsv(tmp_path):
    pairs = tmp_path / "typos.tsv"
    pairs.write_text("teh cat\tthe cat\nthe cat\tthe cat\nthecat\tthe cat\nthe cta\tthe cat\n")
    task = KeyboardTask(noise_fit=str(pairs))
    assert task.rates.transposition > 0 and task.rates.missing_space > 0 and task.rates.substitution == 0


def test_training_noise_is_fresh_every_epoch_and_reproducible():
    task = KeyboardTask(embedded_sizes=SMALL, completion_fraction=0.0)
    datamodule = TaskDataModule(task)
    datamodule.fit_task()
    dataset = datamodule.train_dataloader().dataset
    assert isinstance(dataset, AugmentedExamples)

    def epoch(number):
        dataset.set_epoch(number)
        return [(dataset[i].source.tolist(), dataset[i].target.tolist()) for i in range(len(dataset))]

    first, second = epoch(1), epoch(2)
    assert [t for _, t in first] == [t for _, t in second]  # the same clean targets
    changed = sum(a != b for (a, _), (b, _) in zip(first, second))
    assert changed > len(dataset) // 3
    assert epoch(1) == first
    targets = [task.target_tokenizer.decode(t) for _, t in first]
    assert targets == [s["target"] for s in datamodule.samples("train")]


def test_tsv_training_pairs_are_used_as_given(tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("helo there\thello there\n")
    task = KeyboardTask(train=str(pairs))
    sample = task.load_split("train")[0]
    assert task.training_sample(sample, 3, 0) is sample


def test_completion_pairs_end_in_a_prefix_of_the_target_word():
    import random
    rng = random.Random(0)
    for _ in range(50):
        source, target = completion_pair("Meet me at the station tomorrow.", NoiseRates(clean_fraction=1.0), rng)
        assert source.endswith(COMPLETION_MARK)
        typed, word = source[:-1].split(" ")[-1], target.split(" ")[-1]
        assert word.startswith(typed) and len(typed) < len(word) and word in "Meet me at the station tomorrow"
        assert target == "Meet me at the station tomorrow"[: len(target)]
    assert completion_pair("a I", NoiseRates(), rng) is None


def test_fragments_are_runs_of_the_sentences_words_typed_with_an_error():
    import random
    rng, sentence = random.Random(0), "A man, in a blue shirt, is standing on a ladder."
    words = sentence.split()
    runs = {" ".join(words[i:i + n]).strip(".,") for n in (1, 2, 3) for i in range(len(words) - n + 1)}
    pairs = [fragment_pair(sentence, NoiseRates(clean_fraction=0.25), rng) for _ in range(400)]
    assert all(clean in runs for _, clean in pairs)  # consecutive words, no punctuation around them
    one_letter = [fragment_pair("a", NoiseRates(clean_fraction=0.0, omission=0.5), rng) for _ in range(200)]
    assert all(typed.strip() for typed, _ in one_letter)  # never an empty input, even when the letter is omitted
    unchanged = sum(typed == clean for typed, clean in pairs) / len(pairs)
    assert 0.15 < unchanged < 0.35  # the clean fraction, the rest carry at least one error
    assert {len(clean.split()) for _, clean in pairs} == {1, 2, 3}
    assert fragment_pair("42 ...", NoiseRates(), rng) is None


def test_training_samples_are_fragments_in_their_share():
    task = KeyboardTask(fragment_fraction=1.0, completion_fraction=0.0)
    sample = {"source": "Two men are at the stove preparing food.", "target": "Two men are at the stove preparing food.",
              "clean": True}
    targets = [task.training_sample(sample, 0, i)["target"] for i in range(50)]
    assert all(len(target.split()) <= 3 and target in sample["target"] for target in targets)
    with pytest.raises(ConfigError, match="at most 1"):
        KeyboardTask(fragment_fraction=0.6, completion_fraction=0.5)


def test_score_reports_the_identity_baseline_and_false_corrections():
    task = KeyboardTask()
    samples = [{"source": "teh cat sat", "target": "the cat sat"}, {"source": "hello world", "target": "hello world"}]
    scores = task.evaluate(["the cat sat", "hello word"], [s["target"] for s in samples], samples)
    assert scores["wer"] == pytest.approx(100 * 1 / 5) and scores["word_acc"] == pytest.approx(80)
    assert scores["sentence_acc"] == pytest.approx(50) and scores["cer"] == pytest.approx(100 * 1 / 22)
    assert scores["identity_wer"] == pytest.approx(100 * 1 / 5)
    assert scores["identity_cer"] == pytest.approx(100 * 2 / 22)
    assert scores["false_correction"] == pytest.approx(100)  # the one correct input was changed
    assert scores["wer_reduction"] == pytest.approx(0)


def test_read_inputs_text_and_jsonl(tmp_path):
    text = tmp_path / "in.txt"
    text.write_text("helo\n\nwrold\n")
    items = list(KeyboardTask().read_inputs(str(text)))
    assert [(i["id"], i["source"]) for i in items] == [(1, "helo"), (2, ""), (3, "wrold")]
    manifest = tmp_path / "in.jsonl"
    manifest.write_text(json.dumps({"id": "a", "text": "teh"}) + "\n{broken\n")
    items = list(KeyboardTask().read_inputs(str(manifest)))
    assert items[0]["source"] == "teh" and items[0]["id"] == "a" and "invalid JSON" in items[1]["error"]


def test_known_words_first_takes_the_best_output_made_of_known_words():
    lexicon = {"a", "low", "allow", "the", "cat"}
    assert known_words_first(["alow", "A low", "allow"], lexicon) == "A low"  # case and punctuation aside
    assert known_words_first(["alow", "allow."], lexicon) == "allow."
    assert known_words_first(["alow", "alw"], lexicon) == "alow"  # none known: the best one


def test_training_never_sees_an_empty_source(tmp_path, caplog):
    """An example whose input is empty (here a clean-text line of one omitted letter) has nothing to
    attend to: training drops it, counted, and an epoch that would empty another input keeps its first one."""
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("\ta\nhelo\thello\nteh cat\tthe cat\n")
    task = KeyboardTask(train=str(pairs))
    datamodule = TaskDataModule(task)
    datamodule.fit_task()
    with caplog.at_level(logging.WARNING):
        examples = datamodule.examples("train")
    assert [task.target_tokenizer.decode(e.target.tolist()) for e in examples] == ["hello", "the cat"]
    assert "train: dropped 1 examples with an empty source" in caplog.text

    class Emptying(KeyboardTask):
        def training_sample(self, sample, epoch, index):
            return {"source": "", "target": sample["target"]} if epoch else sample

    task = Emptying(embedded_sizes=SMALL)
    datamodule = TaskDataModule(task)
    datamodule.fit_task()
    dataset = AugmentedExamples(task, datamodule.samples("train"), datamodule.examples("train"), 256, 256)
    dataset.set_epoch(3)
    assert all(len(dataset[i].source) > 0 for i in range(len(dataset)))


def test_batches_are_sized_by_the_samples_not_by_one_epochs_augmentation():
    """Sized by epoch 0's fragments, a batch of hundreds of short pieces became as many whole
    sentences in the next epoch (a real run grew to 19 GB and was killed)."""
    task = KeyboardTask(embedded_sizes=SMALL, fragment_fraction=1.0, completion_fraction=0.0)
    datamodule = TaskDataModule(task)
    datamodule.fit_task()
    examples = datamodule.examples("train")
    sentences = [sample["target"] for sample in datamodule.samples("train")]
    assert [task.source_tokenizer.decode(e.source.tolist()) for e in examples] == sentences
    dataset = datamodule.train_dataloader().dataset
    for epoch in (0, 1):
        dataset.set_epoch(epoch)
        pieces = [dataset[i] for i in range(len(dataset))]
        assert all(len(piece.source) <= len(example.source) + 3 for piece, example in zip(pieces, examples))
        assert sum(len(piece.target) < len(example.target) for piece, example in zip(pieces, examples)) > len(examples) // 2
