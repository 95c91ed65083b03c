"""The embedded news corpus: deterministic, unseen names at test time, facts outside the lead, and an
end-to-end run of the CLI on a tiny model."""
import json
import re

import pytest

from plugins.summarization.lead import lead, split_sentences
from plugins.summarization.synthetic import generate_corpus
from tests.conftest import run_cli

SIZES = {"train": 400, "valid": 20, "test": 60}
NAME = re.compile(r"\b[A-Z][a-z]+\b")


@pytest.fixture(scope="module")
def corpus():
    return generate_corpus(7, SIZES)


def test_generator_is_deterministic_by_seed_and_sized(corpus):
    assert generate_corpus(7, SIZES) == corpus
    assert generate_corpus(8, SIZES)["test"] != corpus["test"]
    assert {split: len(pairs) for split, pairs in corpus.items()} == SIZES


def test_test_names_never_occur_in_training(corpus):
    training_words = {word for document, summary in corpus["train"] for word in (document + " " + summary).split()}
    test_names = {name for document, summary in corpus["test"] for name in NAME.findall(summary)}
    unseen = test_names - training_words
    # the capitalized words a summary copies are its names, plus template words such as "Storm"
    assert len(unseen) > 3 * len(corpus["test"])
    for document, summary in corpus["test"]:
        for name in set(NAME.findall(summary)) & unseen:
            assert name in document.split(), "a name in a summary must be copyable from its article"


def test_articles_have_paragraphs_and_the_lead_holds_no_fact(corpus):
    training_words = {word for document, summary in corpus["train"] for word in (document + " " + summary).split()}
    for document, summary in corpus["test"]:
        paragraphs = document.split("\n\n")
        assert len(paragraphs) == 3 and len(split_sentences(document)) >= 9
        summary_names = set(NAME.findall(summary)) - training_words
        assert not summary_names & set(lead(document).split()), "Lead-3 must not contain the event's names"
        assert lead(document) == " ".join(split_sentences(paragraphs[0]))


def test_summaries_restate_rather_than_copy(corpus):
    """Summaries are abstractive: most of their trigrams are not in the article."""
    novel = total = 0
    for document, summary in corpus["test"]:
        words = document.split()
        article_trigrams = set(zip(words, words[1:], words[2:]))
        summary_words = summary.split()
        trigrams = list(zip(summary_words, summary_words[1:], summary_words[2:]))
        novel += sum(gram not in article_trigrams for gram in trigrams)
        total += len(trigrams)
    assert novel / total > 0.5


def test_cli_trains_and_reports_rouge_beside_lead_3(workdir):
    run_cli("apps.train", "task=summarization", "task.embedded_sizes={train:200,valid:8,test:8}",
            "model.dim=32", "model.encoder.layers=1", "model.decoder.layers=1", "model.encoder.ffn_dim=64",
            "model.decoder.ffn_dim=64", "trainer=debug", "trainer.max_steps=4", "search.beam_size=2",
            "search.max_len_b=20", "optim.warmup_steps=2", "hydra.run.dir=run", cwd=workdir)
    metrics = json.loads((workdir / "run" / "test_metrics.json").read_text())
    expected = {f"test/{prefix}{key}" for prefix in ("", "lead3_") for key in ("rouge1", "rouge2", "rougeL", "rougeLsum")}
    expected |= {"test/novel_1gram", "test/novel_2gram", "test/novel_3gram", "test/ref_novel_3gram"}
    assert expected <= set(metrics)
    assert 0.0 < metrics["test/lead3_rougeL"] < 30.0
