"""Thin wrappers over the standard metric libraries, so every task reports the same numbers peers do."""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import jiwer
import sacrebleu
from rouge_score import rouge_scorer
from rouge_score import tokenizers as rouge_tokenizers

_ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU of detokenized text with sacreBLEU's default 13a tokenization."""
    return sacrebleu.corpus_bleu(list(hypotheses), [list(references)]).score


def chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    return sacrebleu.corpus_chrf(list(hypotheses), [list(references)]).score


def cer(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Character error rate in percent (jiwer: edits over reference characters, corpus level)."""
    return 100.0 * jiwer.cer(list(references), list(hypotheses))


def wer(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Word error rate in percent (jiwer, corpus level)."""
    return 100.0 * jiwer.wer(list(references), list(hypotheses))


def sequence_accuracy(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Exact-match accuracy in percent: outputs equal to their reference, character for character
    (tasks with one right answer: a normalized date, a sorted list, a corrected sentence)."""
    return 100.0 * sum(h == r for h, r in zip(hypotheses, references, strict=True)) / max(len(references), 1)


def rouge(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE F1 in percent, by Google's `rouge-score` with Porter stemming (lowercased
    alphanumeric tokens), the implementation summarization papers report. Its two ROUGE-L flavours:
    `rougeL` is sentence-level (the LCS of the two texts, each taken as one sequence: newlines are
    ignored) and `rougeLsum` summary-level (union-LCS of each reference sentence with the
    hypothesis sentences, Lin 2004 sec. 3.2): what pyrouge-based papers report as "ROUGE-L".
    `rougeLsum` takes sentences as the lines of each text, so callers put one sentence per line."""
    scorer = _rouge_scorer()
    totals = dict.fromkeys(_ROUGE_TYPES, 0.0)
    for hypothesis, reference in zip(hypotheses, references, strict=True):
        for key, score in scorer.score(reference, hypothesis).items():
            totals[key] += score.fmeasure
    return {key: 100.0 * total / max(len(hypotheses), 1) for key, total in totals.items()}


@lru_cache(maxsize=1)
def _rouge_scorer() -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(_ROUGE_TYPES, use_stemmer=True)


def novel_ngram_rate(summaries: Sequence[str], documents: Sequence[str], n: int) -> float:
    """Percent of the summaries' n-grams that do not occur in their documents (See et al. 2017,
    fig. 6): 0 for an extractive summary, high for an abstractive one. Tokens as ROUGE's."""
    tokenize = rouge_tokenizers.DefaultTokenizer(use_stemmer=False).tokenize
    novel = total = 0
    for summary, document in zip(summaries, documents, strict=True):
        ngrams = _ngrams(tokenize(summary), n)
        seen = set(_ngrams(tokenize(document), n))
        novel += sum(gram not in seen for gram in ngrams)
        total += len(ngrams)
    return 100.0 * novel / max(total, 1)


def _ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
