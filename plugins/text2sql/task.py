"""Text-to-SQL task: a question about an SQLite database in, a query out, scored by running it.

Source: the question + the database schema (`serialize.py`); target: the gold SQL as spaced
tokens. With the pointer head (`copy_extras`), table names, column names and values are
copied from the source, so databases never seen in training work: source words outside the
source vocabulary are read as *slots* (`<slot0>`, `<slot1>`, ... one per distinct unknown
word of a question), so the model can still tell that the column in the question is the one
in the schema. Training teaches it to use slots: each epoch, every copyable word (schema
names, values) is hidden behind a slot with probability `anonymize_prob`, in the source and
(as an unknown word the head must copy) in the target.

Scoring (`compare.py`) runs predicted and gold SQL through the safe executor (`execute.py`):
execution accuracy, exact match of normalized SQL, valid-SQL rate; and the same with
execution-guided decoding (the first of the n-best that runs without error; with
`guided_nonempty`, that also returns rows).
"""
from __future__ import annotations

import logging
import os
import random
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import torch

from plugins.text2sql.compare import exact_match, has_order_by, results_match
from plugins.text2sql.execute import QueryResult, SafeExecutor, check_database
from plugins.text2sql.formats import read_questions
from plugins.text2sql.schema import Schema, read_schema
from plugins.text2sql.serialize import (KEYWORDS, detokenize_sql, matching_values, question_tokens, serialize,
                                        sql_tokens)
from plugins.text2sql.synthetic import build_databases, generate_split
from seqcore.data import UNK_ID, build_tokenizer
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import read_text_items
from seqcore.search.common import Hypothesis
from seqcore.text_task import TextToTextTask

log = logging.getLogger(__name__)
STRUCTURE = frozenset({"id", "pk", "text", "number", "other", "->", "|", ":", ",", "=", ".", "(", ")", "*", "'"})
DEFAULT_SIZES = {"train": 12000, "valid": 300, "test": 600}


def default_embedded_dir(seed: int) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "seqcore" / "text2sql" / f"v1-seed{seed}"


@lru_cache(maxsize=64)
def _schema_of(path: str) -> Schema:
    return read_schema(path)


class Text2SQLTask(TextToTextTask):
    name = "text2sql"
    supported_heads = ("attention", "pointer")
    main_metric = "exec_acc"

    def __init__(self, train=None, valid=None, test=None, tokenizer_options: dict | None = None,
                 copy_extras: bool = False, embedded_seed: int = 1234, embedded_sizes: dict | None = None,
                 embedded_dir: str | None = None, cell_values: bool = True, slots: int = 64,
                 anonymize_prob: float = 0.5, timeout_s: float = 2.0, max_rows: int = 10000,
                 guided_nonempty: bool = False):
        super().__init__("word", tokenizer_options, copy_extras, embedded_seed=embedded_seed,
                         embedded_sizes={**DEFAULT_SIZES, **(embedded_sizes or {})})
        if not 0.0 <= anonymize_prob <= 1.0:
            raise ConfigError(f"task.anonymize_prob must be in [0, 1], got {anonymize_prob}")
        self.paths = {"train": train, "valid": valid, "test": test}
        self.embedded_dir = Path(embedded_dir) if embedded_dir else default_embedded_dir(embedded_seed)
        self.cell_values, self.slots, self.anonymize_prob = cell_values, slots, anonymize_prob
        self.guided_nonempty = guided_nonempty
        self.executor = SafeExecutor(timeout_s, max_rows)
        # slots only mean something to a head that copies; the attention head sees plain words
        self.augments_training = copy_extras and anonymize_prob > 0

    # -- data ------------------------------------------------------------------------------
    def load_split(self, split: str) -> list[dict]:
        path = self.split_path(split)
        if path is None:
            databases = build_databases(self.embedded_dir, self.embedded_seed)
            raw = generate_split(split, int(self.embedded_sizes[split]), self.embedded_seed, databases)
            where = "embedded"
        else:
            raw, where = read_questions(str(path)), str(path)
        samples = []
        for number, item in enumerate(raw, 1):
            if not item["question"].strip():
                continue
            try:
                samples.append(self.prepare(item))
            except DataError as error:
                raise DataError(f"{where}:{item.get('line', number)}: {error}") from None
        if len(samples) < len(raw):
            log.warning("%s: skipped %d questions that are empty", where, len(raw) - len(samples))
        return samples

    def prepare(self, item: dict) -> dict:
        """A sample of a question about a database: its serialized "source" and, given "sql", its
        "target" tokens and runnable gold "sql". Raises DataError for a missing or non-SQLite database."""
        database = str(check_database(item["db"]))
        schema = item.get("schema") or _schema_of(database)
        tokens = question_tokens(item["question"])
        values = matching_values(self.executor.connection(database), schema, tokens) if self.cell_values else {}
        sample = {**item, "db": database, "schema": schema, "source": serialize(tokens, schema, values)}
        if "sql" in item:
            target = sql_tokens(item["sql"])
            sample["target"], sample["sql"] = " ".join(target), detokenize_sql(" ".join(target))
        return sample

    def reference(self, sample: dict) -> str:
        return sample["sql"]

    # -- tokens, slots and copy ids ----------------------------------------------------------
    def fit(self, train_samples: Sequence[dict]) -> None:
        if not train_samples:
            raise DataError(f"{self.name}: the training split is empty")
        repeats = int(self.tokenizer_options.get("min_freq", 1))
        slot_text = " ".join(f"<slot{k}>" for k in range(self.slots))
        self.source_tokenizer = build_tokenizer("word", [s["source"] for s in train_samples] + [slot_text] * repeats,
                                                **self.tokenizer_options)
        self.target_tokenizer = build_tokenizer("word", [s["target"] for s in train_samples], **self.tokenizer_options)

    def training_sample(self, sample: dict, epoch: int, index: int) -> dict:
        """The sample with a random part of its copyable words hidden behind slots, slots shuffled."""
        rng = random.Random(f"{self.embedded_seed}-{epoch}-{index}")
        schema = sample["schema"]
        source = set(sample["source"].split())
        copyable = (set(sample["target"].split()) & source) | schema.table_names() | schema.column_names()
        candidates = sorted(w for w in copyable if w in source and w not in STRUCTURE and w.lower() not in KEYWORDS)
        masked = [w for w in candidates if rng.random() < self.anonymize_prob]
        return {**sample, "masked": masked, "slot_order": rng.sample(range(self.slots), self.slots)}

    def encode_source(self, sample: dict) -> torch.Tensor:
        masked, order = set(sample.get("masked", ())), sample.get("slot_order")
        slot_of: dict[str, int] = {}
        ids = []
        for piece in self.source_tokenizer.pieces(sample["source"]):
            index = self.source_tokenizer.id_of(piece)
            if index == UNK_ID or piece in masked:
                slot = slot_of.setdefault(piece, len(slot_of))
                slot = order[slot] if order and slot < len(order) else slot
                index = self.source_tokenizer.id_of(f"<slot{slot}>") if slot < self.slots else UNK_ID
            ids.append(index)
        return torch.tensor(ids, dtype=torch.long)

    def encode_target(self, sample: dict) -> torch.Tensor:
        masked = set(sample.get("masked", ()))
        return torch.tensor([UNK_ID if piece in masked else self.target_tokenizer.id_of(piece)
                             for piece in self.target_tokenizer.pieces(sample["target"])], dtype=torch.long)

    def oov_pieces(self, sample: dict) -> list[str]:
        """Source words the head must copy: those the target vocabulary lacks, and the hidden ones."""
        masked = set(sample.get("masked", ()))
        return list(dict.fromkeys(p for p in self.source_tokenizer.pieces(sample["source"])
                                  if p in masked or self.target_tokenizer.id_of(p) == UNK_ID))

    def encode_extras(self, sample: dict) -> dict[str, torch.Tensor]:
        if not self.copy_extras:
            return {}
        extended = {piece: self.target_vocab_size + j for j, piece in enumerate(self.oov_pieces(sample))}

        def ids(text: str) -> torch.Tensor:
            return torch.tensor([extended.get(p, self.target_tokenizer.id_of(p)) for p in text.split()], dtype=torch.long)

        extras = {"source_copy_ids": ids(sample["source"])}
        if "target" in sample:
            extras["target_copy_ids"] = ids(sample["target"])
        return extras

    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        return detokenize_sql(super().postprocess(tokens, sample))

    # -- scoring -----------------------------------------------------------------------------
    def run(self, sample: dict, sql: str) -> QueryResult:
        return self.executor.run(sample["db"], sql)

    def guided(self, hypotheses: Sequence[Hypothesis], sample: dict) -> tuple[str, QueryResult]:
        """Execution-guided choice: the first hypothesis that runs (and, with `guided_nonempty`,
        returns rows); the best one when none does."""
        first = None
        for hypothesis in hypotheses:
            sql = self.postprocess(hypothesis.tokens, sample)
            result = self.run(sample, sql)
            first = first or (sql, result)
            if result.ok and (result.rows or not self.guided_nonempty):
                return sql, result
        return first

    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        """The metric that needs no database: exact match of normalized SQL, in percent."""
        matches = [exact_match(h, r) for h, r in zip(hypotheses, references)]
        return {"exact_match": 100.0 * sum(matches) / max(len(matches), 1)}

    def evaluate(self, hypotheses: Sequence[str], references: Sequence[str], samples: Sequence[dict],
                 nbest: Sequence[Sequence[Hypothesis]] = ()) -> dict[str, float]:
        """Execution accuracy, valid SQL and exact match of the best outputs and, with the n-best
        lists, of execution-guided decoding over them (suffix _eg)."""
        results = [self.run(sample, sql) for sql, sample in zip(hypotheses, samples)]
        scores = self._scores(hypotheses, results, samples, "")
        if nbest:
            chosen = [self.guided(hypotheses, sample) for hypotheses, sample in zip(nbest, samples)]
            scores.update(self._scores([sql for sql, _ in chosen], [result for _, result in chosen], samples, "_eg"))
        return scores

    def _scores(self, hypotheses, results, samples, suffix: str) -> dict[str, float]:
        correct, gold_errors = 0, 0
        for result, sample in zip(results, samples):
            gold = self.run(sample, sample["sql"])
            if not gold.ok:
                gold_errors += 1
            elif result.ok and results_match(gold.rows, result.rows, has_order_by(sample["sql"])):
                correct += 1
        if gold_errors:
            log.warning("%d gold queries failed to execute (counted as wrong)", gold_errors)
        total = max(len(samples), 1)
        scores = {f"exec_acc{suffix}": 100.0 * correct / total,
                  f"valid_sql{suffix}": 100.0 * sum(r.ok for r in results) / total}
        exact = self.metrics(hypotheses, [s["sql"] for s in samples])["exact_match"]
        return {**scores, f"exact_match{suffix}": exact}

    # -- batch jobs --------------------------------------------------------------------------
    def read_inputs(self, path: str) -> Iterator[dict]:
        """Questions of a JSONL manifest: {"question", "db"[, "id"][, "rows": true]} per line."""
        if Path(path).suffix != ".jsonl":
            raise DataError(f"{path}: text2sql batch input must be JSONL lines of {{\"question\": ..., \"db\": ...}}")
        for item in read_text_items(path, "question", aliases=("text",)):
            if "error" in item:
                yield item
                continue
            where = item["input"]
            if not item["question"]:
                yield {**item, "error": f"item {item['id']}: empty question"}
            elif not isinstance(item.get("db"), str):
                yield {**item, "error": f'item {item["id"]}: no string field "db" (the SQLite database path)'}
            else:
                item.pop("sql", None)
                try:
                    sample = self.prepare(item)
                except DataError as error:
                    yield {**item, "error": f"item {item['id']}: {error}"}
                    continue
                unknown = unknown_identifiers(question_tokens(item["question"]), sample["schema"])
                if unknown:
                    sample["warning"] = f"question mentions {', '.join(unknown)}, not a column or table of {sample['db']}"
                yield {**sample, "input": where}

    def write_output(self, sample: dict, hypotheses: Sequence[Hypothesis], nbest: int, files_dir: Path) -> dict:
        """The execution-guided SQL ("output"), "valid", an "execution_error" if none of the n-best
        runs, the result "rows" when the item asks ("rows": true; blobs as hex), and the n-best list if asked."""
        sql, result = self.guided(hypotheses, sample)
        record = {"output": sql, "score": round(float(hypotheses[0].score), 4), "valid": result.ok}
        if not result.ok:
            record["execution_error"] = result.error
        if sample.get("rows") is True and result.ok:
            record["rows"] = [[value.hex() if isinstance(value, bytes) else value for value in row] for row in result.rows]
        if "warning" in sample:
            record["warning"] = sample["warning"]
        if nbest > 1:
            record["nbest"] = [{"output": self.postprocess(h.tokens, sample), "score": round(float(h.score), 4)}
                               for h in hypotheses[:nbest]]
        return record


def unknown_identifiers(tokens: Sequence[str], schema: Schema) -> list[str]:
    """Words of a question written like identifiers (snake_case, dotted) that the schema lacks."""
    known = schema.column_names() | schema.table_names()
    return [t for t in dict.fromkeys(tokens) if re.fullmatch(r"[A-Za-z]\w*(_\w+|\.\w+)+", t)
            and not set(t.lower().split(".")) <= known]
