"""Summarization task: documents in, summaries out, scored with ROUGE beside the Lead-3 baseline.

Data for each split is one override: `task.train=train.jsonl` (lines of {"document", "summary"}),
`task.train=cnn/stories/train` (a folder of CNN/DailyMail `.story` files) or
`task.train=[train.src,train.tgt]` (Gigaword-style parallel line files). Left at null, a split
comes from the embedded generated news corpus (`synthetic.py`).

Documents longer than `max_source_tokens` whitespace tokens are truncated (See et al. cut
CNN/DailyMail articles to 400), and each split logs how many were. Empty documents or summaries
are skipped and counted.

A decoded split is scored by `evaluate`, which also sees the samples: beside the model's ROUGE
it reports the Lead-3 baseline's ROUGE on the same documents and how abstractive the outputs
are (novel n-gram rates); `metrics` alone is ROUGE of texts. Both ROUGE-L flavours are reported:
`rougeL` over each text as one sequence, `rougeLsum` sentence by sentence (what pyrouge-based
papers call ROUGE-L), with sentences split by `lead.split_sentences` in outputs and references alike.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator, Sequence

from plugins.summarization.formats import (DOCUMENT_FIELDS, parse_story, read_jsonl_documents,
                                           read_parallel_documents, read_story_folder, read_text_file)
from plugins.summarization.lead import lead, sentence_lines
from plugins.summarization.synthetic import generate_corpus
from seqcore import metrics
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import list_input_files, read_text_items
from seqcore.text_task import TextToTextTask

log = logging.getLogger(__name__)
BATCH_FILE_SUFFIXES = (".txt", ".story")


class SummarizationTask(TextToTextTask):
    name = "summarization"
    supported_heads = ("attention", "pointer")
    main_metric = "rougeL"

    def __init__(self, train=None, valid=None, test=None, tokenizer: str = "word",
                 tokenizer_options: dict | None = None, copy_extras: bool = False, max_source_tokens: int = 400,
                 embedded_seed: int = 1234, embedded_sizes: dict | None = None):
        super().__init__(tokenizer, tokenizer_options, copy_extras, embedded_seed=embedded_seed,
                         embedded_sizes=embedded_sizes)
        if max_source_tokens < 1:
            raise ConfigError(f"task.max_source_tokens={max_source_tokens} must be at least 1")
        self.paths = {"train": train, "valid": valid, "test": test}
        self.max_source_tokens = max_source_tokens

    # -- data ------------------------------------------------------------------------------
    def load_split(self, split: str) -> list[dict]:
        path = self.split_path(split)
        if path is None:
            raw = [{"document": d, "summary": s} for d, s in self.embedded_split(generate_corpus, split)]
        elif isinstance(path, str) and path.endswith(".jsonl"):
            raw = read_jsonl_documents(path)
        elif isinstance(path, str) and (path.endswith(".story") or Path(path).expanduser().is_dir()):
            raw = read_story_folder(path)
        elif not isinstance(path, str) and len(path) == 2:
            raw = read_parallel_documents(*path)
        else:
            raise ConfigError(f"task.{split} must be a .jsonl file, a folder of .story files or "
                              f"[source_file, target_file], got {path!r}")
        return self._samples(raw, f"{split} ({path or 'embedded'})")

    def _samples(self, raw: list[dict], where: str) -> list[dict]:
        """Samples with "source" (the truncated document), "target" and the whole "document"."""
        samples, empty, truncated = [], 0, 0
        for item in raw:
            summary = " ".join(item["summary"].split())
            if not item["document"].strip() or not summary:
                empty += 1
                continue
            source, cut = self.truncate(item["document"])
            truncated += cut
            samples.append({"source": source, "target": summary, "document": item["document"]})
        if empty:
            log.warning("%s: skipped %d examples with an empty document or summary", where, empty)
        if truncated:
            log.warning("%s: truncated %d of %d documents to task.max_source_tokens=%d tokens", where, truncated,
                        len(samples), self.max_source_tokens)
        return samples

    def truncate(self, document: str) -> tuple[str, bool]:
        """(the first max_source_tokens whitespace tokens, whether any were cut)."""
        words = document.split()
        return " ".join(words[:self.max_source_tokens]), len(words) > self.max_source_tokens

    # -- scoring ---------------------------------------------------------------------------
    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        """rouge1, rouge2, rougeL (sentence-level: each text one sequence) and rougeLsum
        (summary-level: union-LCS over sentences): F1 x 100."""
        return metrics.rouge(list(map(sentence_lines, hypotheses)), list(map(sentence_lines, references)))

    def evaluate(self, hypotheses: Sequence[str], references: Sequence[str], samples: Sequence[dict],
                 nbest: Sequence = ()) -> dict[str, float]:
        """ROUGE, lead3_rouge1/2/L/Lsum (the Lead-3 baseline on the same documents), novel_{1,2,3}gram
        (percent of output n-grams absent from the document) and ref_novel_3gram (the same for
        the references: how abstractive the data itself is)."""
        scores = self.metrics(hypotheses, references)
        documents = [sample.get("document", sample["source"]) for sample in samples]
        lead_scores = self.metrics([lead(document) for document in documents], references)
        scores.update({f"lead3_{key}": value for key, value in lead_scores.items()})
        for n in (1, 2, 3):
            scores[f"novel_{n}gram"] = metrics.novel_ngram_rate(hypotheses, documents, n)
        scores["ref_novel_3gram"] = metrics.novel_ngram_rate(references, documents, 3)
        return scores

    # -- batch jobs ------------------------------------------------------------------------
    def read_inputs(self, path: str) -> Iterator[dict]:
        """Items of a JSONL manifest (text under "document", "article", "text" or "source"), of a
        folder or glob of `.txt`/`.story` files (one document each, id = the file's path) or of
        any other file, one document per line (Gigaword style)."""
        is_folder = Path(path).expanduser().is_dir() or any(ch in path for ch in "*?[")
        items = self._file_items(path) if is_folder else read_text_items(path, "source", DOCUMENT_FIELDS)
        truncated = 0
        for item in items:
            if "error" not in item:
                item["document"] = item["source"]
                item["source"], cut = self.truncate(item["document"])
                truncated += cut
                if not item["source"]:
                    item["error"] = f"{item['input']}: empty document"
            yield item
        if truncated:
            log.warning("%s: truncated %d documents to task.max_source_tokens=%d tokens", path, truncated,
                        self.max_source_tokens)

    @staticmethod
    def _file_items(path: str) -> Iterator[dict]:
        for file in list_input_files(path, BATCH_FILE_SUFFIXES):
            item = {"id": str(file), "input": str(file), "source": ""}
            try:
                text = read_text_file(file)
            except DataError as error:
                yield {**item, "error": str(error)}
                continue
            yield {**item, "source": parse_story(text)[0] if file.suffix.lower() == ".story" else text}
