"""ROUGE and novel n-gram rates against hand computation; Lead-3 and sentence splitting on a fixture."""
import pytest
from rouge_score import rouge_scorer

from plugins.summarization.lead import lead, split_sentences
from plugins.summarization.task import SummarizationTask
from seqcore import metrics


def test_rouge_agrees_with_hand_computed_rouge_1_2_l():
    # pair 1: "sat" vs "lay": unigram overlap 5/6 each way; bigrams: the cat, on the, the mat = 3 of 5;
    #         LCS "the cat on the mat" = 5
    # pair 2: hyp 4 tokens, ref 5: unigrams all 4 match (P 1, R 4/5); no shared bigram; LCS 3 ("the quick fox")
    hypotheses = ["The cat lay on the mat.", "the brown quick fox"]
    references = ["the cat sat on the mat", "The quick brown fox jumps!"]
    f1 = lambda p, r: 2 * p * r / (p + r) if p + r else 0.0  # noqa: E731
    rouge_l = (5 / 6 + f1(3 / 4, 3 / 5)) / 2  # one sentence per text: both ROUGE-L flavours agree
    expected = {"rouge1": (5 / 6 + f1(1, 4 / 5)) / 2, "rouge2": (3 / 5 + 0.0) / 2,
                "rougeL": rouge_l, "rougeLsum": rouge_l}
    scores = metrics.rouge(hypotheses, references)
    assert scores == pytest.approx({key: 100 * value for key, value in expected.items()})


def test_rouge_l_over_the_text_and_rouge_lsum_over_its_sentences():
    # reference sentences "the cat sat" / "the dog ran", the hypothesis says them in the other order.
    # rougeL, one sequence each: "the cat sat the dog ran" vs "the dog ran the cat sat": LCS 3 of 6 -> F1 1/2.
    # rougeLsum: each reference sentence's union-LCS with the hypothesis sentences covers all its
    # 3 tokens ("the cat sat" from the second, "the dog ran" from the first): 6 hits of 6 -> F1 1.
    task = SummarizationTask()
    scores = task.metrics(["The dog ran. The cat sat."], ["The cat sat. The dog ran."])
    assert scores["rougeL"] == pytest.approx(50.0) and scores["rougeLsum"] == pytest.approx(100.0)
    reference = rouge_scorer.RougeScorer(["rougeL", "rougeLsum"], use_stemmer=True).score(
        "The cat sat.\nThe dog ran.", "The dog ran.\nThe cat sat.")
    assert (scores["rougeL"], scores["rougeLsum"]) == pytest.approx(
        (100 * reference["rougeL"].fmeasure, 100 * reference["rougeLsum"].fmeasure))


def test_rouge_stems_words():
    assert metrics.rouge(["police kill the gunmen"], ["police killed the gunmen"])["rouge1"] == pytest.approx(100.0)


def test_novel_ngram_rate_by_hand():
    document = "the mayor of rome opened a new bridge on monday"
    # summary bigrams: (rome mayor) (mayor opened) (opened a) (a bridge): novel all but "opened a" -> 3 of 4
    assert metrics.novel_ngram_rate(["Rome mayor opened a bridge"], [document], 2) == pytest.approx(75.0)
    assert metrics.novel_ngram_rate(["Rome mayor opened a bridge"], [document], 1) == pytest.approx(0.0)
    assert metrics.novel_ngram_rate([document], [document], 3) == pytest.approx(0.0)


FIXTURE = """Mr. Smith went to Washington on Monday. He met J. R. Jones at 10 a.m. in the U.S. Senate.
"It was good," he said! Was it?

A new paragraph starts here without a full stop
and the next one ends here .
"""


def test_sentence_splitting_and_lead_3_on_a_fixture():
    assert split_sentences(FIXTURE) == [
        "Mr. Smith went to Washington on Monday.",
        "He met J. R. Jones at 10 a.m. in the U.S. Senate.",
        '"It was good," he said!',
        "Was it?",
        "A new paragraph starts here without a full stop and the next one ends here .",
    ]
    assert lead(FIXTURE) == ('Mr. Smith went to Washington on Monday. He met J. R. Jones at 10 a.m. in the '
                             'U.S. Senate. "It was good," he said!')
    assert lead("Only one sentence") == "Only one sentence"


def test_task_score_reports_lead_3_of_the_same_documents_and_novelty():
    task = SummarizationTask()
    document = "Background one . Background two . Background three . Velora bought Kamitu for 40 dollars ."
    samples = [{"source": document, "target": "Velora buys Kamitu .", "document": document}]
    scores = task.evaluate(["Velora bought Kamitu ."], ["Velora buys Kamitu ."], samples)
    assert scores["rouge1"] == pytest.approx(100 * 2 / 3)  # "bought" and "buys" have different stems
    lead_expected = metrics.rouge(["Background one . Background two . Background three ."], ["Velora buys Kamitu ."])
    assert scores["lead3_rougeL"] == pytest.approx(lead_expected["rougeL"]) == 0.0
    assert scores["lead3_rougeLsum"] == 0.0
    assert scores["novel_1gram"] == 0.0
    assert scores["ref_novel_3gram"] == pytest.approx(100.0)  # "velora buys kamitu" is not in the document
    assert task.main_metric in scores
