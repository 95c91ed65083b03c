"""Thin wrappers over the standard metric libraries, so every task reports the same numbers peers do."""
from __future__ import annotations

from typing import Sequence

import jiwer
import sacrebleu


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
