"""The batch runner in one process, with an 'echo' model whose output is its (possibly truncated)
input: every item comes out once, in input order, whatever the windows, ranks and batches;
failures and truncations are recorded; parts are committed atomically and merged in order."""
import json
import logging

import pytest
import pytorch_lightning as pl
from omegaconf import OmegaConf

from apps.search_choice import chosen_search
from plugins.translation.task import TranslationTask
from seqcore.batch import BatchJob, JobSettings
from seqcore.batch.merge import merge_parts
from seqcore.batch.parts import PartsDirectory
from seqcore.batch.stream import BatchJobStream
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import read_text_items
from seqcore.search import Hypothesis

WORDS = "a b c d e f".split()


def echo_task(tmp_path) -> TranslationTask:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"src": w, "tgt": w}) + "\n" for w in WORDS))
    task = TranslationTask(train=str(corpus))
    task.fit(task.load_split("train"))
    task.target_tokenizer = task.source_tokenizer  # echo decoding maps source ids back to source words
    return task


class EchoModule(pl.LightningModule):
    """Stands in for a trained Seq2SeqModule: 'decodes' a batch by copying each source."""

    def __init__(self, task, max_source_length=5):
        super().__init__()
        self.task = task
        self.config = OmegaConf.create({"data": {"max_source_length": max_source_length}})
        self.batch_sizes = []

    def predict_step(self, batch, batch_index):
        examples = batch.examples
        if examples is None:
            return []
        self.batch_sizes.append((len(examples), int(examples.source.shape[1])))
        return [(int(i), [Hypothesis(examples.source[row, : examples.source_lengths[row]].tolist(), -1.0, -1.0)])
                for row, i in enumerate(examples.ids)]


def write_input(tmp_path, lines) -> str:
    path = tmp_path / "in.txt"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return str(path)


def run_job(module, tmp_path, input_path, output="out.jsonl", **settings):
    job = BatchJob(module, JobSettings(input=input_path, output=str(tmp_path / output), **settings), {"ckpt": "echo"})
    trainer = pl.Trainer(accelerator="cpu", devices=1, logger=False, enable_progress_bar=False,
                         callbacks=job.callbacks(), default_root_dir=str(tmp_path))
    return job.run(trainer)


def test_outputs_come_back_in_input_order_with_failures_and_truncations_recorded(tmp_path, caplog):
    lines = [b"a b c", b"", b"f e d c b a", b"b", "c \u00e9".encode(), b"\xff\xfe bad", b"d e"] * 7
    input_path = write_input(tmp_path, lines)
    module = EchoModule(echo_task(tmp_path), max_source_length=5)
    with caplog.at_level(logging.WARNING):
        summary = run_job(module, tmp_path, input_path, window=4, max_tokens=6)
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == list(range(1, len(lines) + 1))
    expected = {b"a b c": "a b c", b"f e d c b a": "f e d c b", b"b": "b", "c \u00e9".encode(): "c <unk>", b"d e": "d e"}
    for record, line in zip(records, lines):
        if line in expected:
            assert record["output"] == expected[line] and "error" not in record
        else:
            assert record["output"] is None and record["error"]
    assert [bool(r.get("truncated")) for r in records] == [line == b"f e d c b a" for line in lines]
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text().splitlines()]
    assert [e["id"] for e in errors] == [r["id"] for r in records if r.get("error")]
    assert errors[:2] == [{"id": 2, "input": "", "error": "empty input"},
                          {"id": 6, "input": f"{input_path}:6",
                           "error": f"{input_path}:6: not valid UTF-8 (invalid start byte at byte 0)"}]
    c = summary.counts
    assert (c.done, c.failed, c.truncated, summary.decoded_now) == (35, 14, 7, 49)
    assert "truncated 1 inputs" in caplog.text
    assert all(rows * length <= 6 or rows == 1 for rows, length in module.batch_sizes)  # the token budget
    assert not (tmp_path / "out.jsonl.parts").exists()  # merged, then removed


def test_text_output_has_one_line_per_input_and_blank_lines_for_failures(tmp_path):
    input_path = write_input(tmp_path, [b"b a", b"", b"c", b"a b c d"])
    run_job(EchoModule(echo_task(tmp_path)), tmp_path, input_path, output="out.txt", window=3)
    assert (tmp_path / "out.txt").read_text() == "b a\n\nc\na b c d\n"


def test_a_jsonl_manifest_keeps_its_ids_and_reports_bad_lines(tmp_path):
    manifest = tmp_path / "in.jsonl"
    manifest.write_text('{"id": "x1", "source": "a b"}\n\n{"id": "x2", "src": "c"}\nnot json\n{"id": "x4"}\n')
    items = list(read_text_items(str(manifest), "source", aliases=("src",)))
    assert [i["id"] for i in items] == ["x1", "x2", 4, "x4"]
    assert [i.get("error", "") for i in items] == ["", "", f"{manifest}:4: invalid JSON (Expecting value)",
                                                   f'{manifest}:5: no string field "source" or "src"']
    run_job(EchoModule(echo_task(tmp_path)), tmp_path, str(manifest))
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(r["id"], r["output"]) for r in records] == [("x1", "a b"), ("x2", "c"), (4, None), ("x4", None)]


@pytest.mark.parametrize("world", [1, 2, 3])
def test_ranks_and_workers_split_the_items_exactly(tmp_path, world, monkeypatch):
    task = echo_task(tmp_path)
    items = [{"id": n, "input": "", "source": " ".join(WORDS[: 1 + n % 6])} for n in range(103)]
    done = bytearray(103)
    done[10:20] = bytes([1] * 10)  # finished by an earlier run
    seen = []
    for rank in range(world):
        monkeypatch.setattr(BatchJobStream, "_shard", lambda self, rank=rank: (rank, world, 0, 1))
        stream = BatchJobStream(task, lambda: iter(items), done, window=8, max_tokens=12, max_source_length=6)
        batches = list(stream)
        for window in {b.window for b in batches}:
            closing = [b.closes_window for b in batches if b.window == window]
            assert closing[-1] and not any(closing[:-1])  # one commit point per window, at its end
        seen += [index for b in batches for index in b.samples]
        assert all(index % world == rank for b in batches for index in b.samples)
    assert sorted(seen) == [n for n in range(103) if not 10 <= n < 20]


def test_commit_is_atomic_and_a_resume_skips_only_committed_items(tmp_path):
    parts = PartsDirectory(tmp_path / "out.jsonl")
    assert parts.prepare({"ckpt": "a"}, rank=0) == bytearray()
    parts.commit(0, 0, 1, [{"index": 1, "output": "y"}, {"index": 0, "output": "x"}])
    (parts.path / "w000000001-r0000of0001.tmp").write_text('{"index": 2, "output": "half-written')  # a killed commit
    assert parts.prepare({"ckpt": "a"}, rank=0) == bytearray([1, 1])
    with pytest.raises(ConfigError, match="other arguments \\(ckpt\\)"):
        parts.prepare({"ckpt": "b"}, rank=0)
    with pytest.raises(DataError, match="2 of 3 items in a row \\(item 2 is missing\\)"):
        merge_parts(parts.part_files(), 3, tmp_path / "out.jsonl", tmp_path / "err.jsonl", text=False)
    assert not (tmp_path / "out.jsonl").exists()


def test_merge_interleaves_ranks_and_windows_and_drops_duplicates(tmp_path):
    parts = PartsDirectory(tmp_path / "out.txt")
    parts.prepare({}, rank=0)
    for window in range(3):
        for rank in range(2):
            indices = [i for i in range(window * 4, window * 4 + 4) if i % 2 == rank]
            parts.commit(window, rank, 2, [{"index": i, "output": f"o{i}"} for i in indices])
    parts.commit(0, 0, 1, [{"index": 2, "output": "o2"}])  # the same item again, from a run on 1 rank
    counts = merge_parts(parts.part_files(), 12, tmp_path / "out.txt", tmp_path / "err.jsonl", text=True)
    assert (tmp_path / "out.txt").read_text().split() == [f"o{i}" for i in range(12)]
    assert (counts.done, counts.failed, counts.duplicates) == (12, 0, 1)


def test_the_checkpoints_search_is_kept_changed_key_by_key_or_replaced():
    greedy = OmegaConf.create({"_target_": "seqcore.search.greedy_search", "_partial_": True, "max_len_b": 10})
    unset = OmegaConf.create({"beam_size": None, "max_len_b": None})
    assert chosen_search(greedy, unset) == greedy
    assert chosen_search(greedy, OmegaConf.create({"beam_size": None, "max_len_b": 3})).max_len_b == 3
    with pytest.raises(ConfigError, match="search.beam_size does not apply to .*greedy_search; name a search"):
        chosen_search(greedy, OmegaConf.create({"beam_size": 4, "max_len_b": None}))
    named = OmegaConf.create({"_target_": "seqcore.search.beam_search", "beam_size": 4})
    assert chosen_search(greedy, named) == named
