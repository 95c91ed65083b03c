"""Translation task: parallel text in, text out, scored with detokenized sacreBLEU and chrF.

Data for each split is one override: `task.train=corpus.jsonl` (lines of {"src": ..., "tgt": ...})
or `task.train=[train.de,train.en]` (parallel plain-text files, one sentence per line).
Left at null, a split comes from the embedded synthetic language pair (`synthetic.py`).
"""
from __future__ import annotations

import logging
import re
from typing import Iterator, Sequence

from plugins.textio import read_jsonl, read_lines
from plugins.translation.synthetic import generate_corpus
from seqcore import metrics
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import read_text_items
from seqcore.text_task import TextToTextTask

log = logging.getLogger(__name__)
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,!?;:%)\]}])")


def read_parallel(source_path: str, target_path: str) -> list[dict]:
    """Aligned sentence pairs from two files; empty pairs are skipped and counted."""
    sources, targets = list(read_lines(source_path, "source")), list(read_lines(target_path, "target"))
    if len(sources) != len(targets):
        raise DataError(f"parallel files differ in length: {source_path} has {len(sources)} lines, "
                        f"{target_path} has {len(targets)}")
    pairs = [{"source": s.strip(), "target": t.strip(), "line": n}
             for n, (s, t) in enumerate(zip(sources, targets), 1)]
    return _skip_empty(pairs, f"{source_path} / {target_path}")


def read_jsonl_pairs(path: str) -> list[dict]:
    pairs = []
    for number, item in read_jsonl(path, "parallel JSONL"):
        if not isinstance(item.get("src"), str) or not isinstance(item.get("tgt"), str):
            raise DataError(f'{path}:{number}: expected string fields "src" and "tgt"')
        pairs.append({"source": item["src"].strip(), "target": item["tgt"].strip(), "line": number})
    return _skip_empty(pairs, path)


def _skip_empty(pairs: list[dict], where: str) -> list[dict]:
    kept = [p for p in pairs if p["source"] and p["target"]]
    if len(kept) < len(pairs):
        log.warning("%s: skipped %d pairs with an empty side", where, len(pairs) - len(kept))
    return kept


class TranslationTask(TextToTextTask):
    name = "translation"
    supported_heads = ("attention", "pointer", "ctc", "hybrid")
    main_metric = "bleu"

    def __init__(self, train=None, valid=None, test=None, tokenizer: str = "word",
                 tokenizer_options: dict | None = None, embedded_seed: int = 1234,
                 embedded_sizes: dict | None = None, detokenize: bool = True, copy_extras: bool = False,
                 shared_vocabulary: bool = False):
        super().__init__(tokenizer, tokenizer_options, copy_extras, shared_vocabulary, embedded_seed, embedded_sizes)
        self.detokenize = detokenize
        self.paths = {"train": train, "valid": valid, "test": test}

    def load_split(self, split: str) -> list[dict]:
        path = self.split_path(split)
        if path is None:
            return [{"source": s, "target": t} for s, t in self.embedded_split(generate_corpus, split)]
        if isinstance(path, str) and path.endswith(".jsonl"):
            return read_jsonl_pairs(path)
        if not isinstance(path, str) and len(path) == 2:
            return read_parallel(*path)
        raise ConfigError(f"task.{split} must be a .jsonl file or [source_file, target_file], got {path!r}")

    def _detokenized(self, text: str) -> str:
        """Attach space-separated punctuation ("moon ." -> "moon."): sacreBLEU expects detokenized text."""
        return SPACE_BEFORE_PUNCTUATION.sub(r"\1", text) if self.detokenize else text

    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        return self._detokenized(super().postprocess(tokens, sample))

    def reference(self, sample: dict) -> str:
        return self._detokenized(sample["target"])

    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        return {"bleu": metrics.bleu(hypotheses, references), "chrf": metrics.chrf(hypotheses, references)}

    def read_inputs(self, path: str) -> Iterator[dict]:
        """Sentences of a text file (one per line) or of a JSONL manifest ("source"/"src"/"text", "id")."""
        return read_text_items(path, "source", aliases=("src", "text"))
