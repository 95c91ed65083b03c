"""Summarization data formats and bad input, on hand-written files."""
import json
import logging

import pytest

from plugins.summarization.formats import parse_story, read_story_folder, story_summary
from plugins.summarization.task import SummarizationTask
from seqcore.errors import ConfigError, DataError

STORY = """(CNN) -- The first paragraph of the article.

It goes on here, with "quotes".

@highlight

First highlight

@highlight

Second highlight ends with a stop.
"""


def test_story_parsing():
    article, highlights = parse_story(STORY)
    assert article == '(CNN) -- The first paragraph of the article.\n\nIt goes on here, with "quotes".'
    assert highlights == ["First highlight", "Second highlight ends with a stop."]
    assert story_summary(highlights) == "First highlight . Second highlight ends with a stop."


def test_story_folder_reports_stories_without_highlights(tmp_path, caplog):
    (tmp_path / "a.story").write_text(STORY)
    (tmp_path / "b.story").write_text("An article and no highlight at all.\n")
    with caplog.at_level(logging.WARNING):
        samples = read_story_folder(str(tmp_path))
    assert [s["summary"] for s in samples] == ["First highlight . Second highlight ends with a stop."]
    assert "skipped 1 .story files without @highlight lines: b.story" in caplog.text


def test_non_utf8_input_names_the_file(tmp_path):
    (tmp_path / "bad.story").write_bytes(b"caf\xe9\n\n@highlight\n\nx\n")
    with pytest.raises(DataError, match=r"bad\.story: not valid UTF-8"):
        SummarizationTask(train=str(tmp_path)).load_split("train")
    (tmp_path / "bad.jsonl").write_bytes(b'{"document": "a", "summary": "b"}\n{"document": "caf\xe9"}\n')
    with pytest.raises(DataError, match=r"bad\.jsonl:2: not valid UTF-8"):
        SummarizationTask(train=str(tmp_path / "bad.jsonl")).load_split("train")


def test_jsonl_and_parallel_files_skip_and_count_empty_documents_and_truncate(tmp_path, caplog):
    records = [{"document": "one two three four five six", "summary": "one six"},
               {"document": "   ", "summary": "nothing"},
               {"document": "a b", "summary": "a"}]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (tmp_path / "train.src").write_text("".join(r["document"] + "\n" for r in records))
    (tmp_path / "train.tgt").write_text("".join(r["summary"] + "\n" for r in records))
    for path in (str(tmp_path / "train.jsonl"), [str(tmp_path / "train.src"), str(tmp_path / "train.tgt")]):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            samples = SummarizationTask(train=path, max_source_tokens=4).load_split("train")
        assert [(s["source"], s["target"], s["document"]) for s in samples] == [
            ("one two three four", "one six", "one two three four five six"), ("a b", "a", "a b")]
        assert "skipped 1 examples with an empty document" in caplog.text
        assert "truncated 1 of 2 documents to task.max_source_tokens=4" in caplog.text


def test_bad_split_spec_and_fields_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="task.train must be"):
        SummarizationTask(train="corpus.txt").load_split("train")
    (tmp_path / "fields.jsonl").write_text('{"article": "a", "summary": "b"}\n')
    with pytest.raises(DataError, match=r'fields\.jsonl:1: expected string fields "document"'):
        SummarizationTask(train=str(tmp_path / "fields.jsonl")).load_split("train")


def test_read_inputs_of_a_folder_of_text_files(tmp_path, caplog):
    (tmp_path / "a.txt").write_text("one two three four five")
    (tmp_path / "b.story").write_text(STORY)
    (tmp_path / "c.txt").write_text("  \n")
    (tmp_path / "d.txt").write_bytes(b"caf\xe9")
    (tmp_path / "notes.md").write_text("not an input")
    with caplog.at_level(logging.WARNING):
        items = list(SummarizationTask(max_source_tokens=3).read_inputs(str(tmp_path)))
    assert [item["id"] for item in items] == [str(tmp_path / name) for name in ("a.txt", "b.story", "c.txt", "d.txt")]
    assert items[0]["source"] == "one two three" and items[0]["document"] == "one two three four five"
    assert items[1]["document"].startswith("(CNN)") and "highlight" not in items[1]["document"]
    assert items[2]["error"] == f"{tmp_path / 'c.txt'}: empty document"
    assert "d.txt: not valid UTF-8" in items[3]["error"]
    assert "truncated 2 documents" in caplog.text


def test_read_inputs_of_a_jsonl_manifest(tmp_path):
    (tmp_path / "in.jsonl").write_text('{"id": "x", "document": "a b"}\n{"text": "c"}\n{"summary": "no text"}\n')
    items = list(SummarizationTask().read_inputs(str(tmp_path / "in.jsonl")))
    assert [(item["id"], item["source"]) for item in items[:2]] == [("x", "a b"), (2, "c")]
    assert "no string field" in items[2]["error"]
