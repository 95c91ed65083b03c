"""Summarization data formats: JSONL, CNN/DailyMail `.story` files, parallel line files (Gigaword).

Every reader returns records {"document", "summary"}. Empty documents or summaries are skipped
and counted by the task; non-UTF-8 input fails with a DataError naming the file (and line).
"""
from __future__ import annotations

import logging
from pathlib import Path

from plugins.textio import existing_file, read_jsonl, read_lines
from seqcore.errors import DataError

log = logging.getLogger(__name__)
DOCUMENT_FIELDS = ("document", "article", "text", "source")
HIGHLIGHT = "@highlight"


def read_jsonl_documents(path: str) -> list[dict]:
    """Lines of {"document": ..., "summary": ...}."""
    samples = []
    for number, item in read_jsonl(path, "summarization JSONL"):
        if not isinstance(item.get("document"), str) or not isinstance(item.get("summary"), str):
            raise DataError(f'{path}:{number}: expected string fields "document" and "summary"')
        samples.append({"document": item["document"], "summary": item["summary"]})
    return samples


def read_parallel_documents(source_path: str, target_path: str) -> list[dict]:
    """One document per line of `source_path`, its summary on the same line of `target_path`."""
    documents, summaries = list(read_lines(source_path, "source")), list(read_lines(target_path, "target"))
    if len(documents) != len(summaries):
        raise DataError(f"parallel files differ in length: {source_path} has {len(documents)} lines, "
                        f"{target_path} has {len(summaries)}")
    return [{"document": d, "summary": s} for d, s in zip(documents, summaries)]


def read_text_file(path: Path) -> str:
    """A whole file as text; non-UTF-8 content fails naming the file and byte offset."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not valid UTF-8 ({error.reason} at byte {error.start})") from None


def parse_story(text: str) -> tuple[str, list[str]]:
    """(article, highlights) of a CNN/DailyMail `.story` file: article paragraphs come first, each
    `@highlight` line is followed (after a blank line) by one summary sentence."""
    article, highlights, expect_highlight = [], [], False
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if line == HIGHLIGHT:
            expect_highlight = True
        elif expect_highlight:
            highlights.append(line)
            expect_highlight = False
        else:
            article.append(line)
    return "\n\n".join(article), highlights


def story_summary(highlights: list[str]) -> str:
    """Highlights as one summary: each becomes a sentence (a final "." added where it has none)."""
    return " ".join(h if h[-1] in ".!?" else f"{h} ." for h in highlights)


def read_story_folder(path: str) -> list[dict]:
    """Every `*.story` file under a folder (or one file); files without highlights are reported
    (a warning naming them) and skipped."""
    root = Path(path).expanduser()
    files = sorted(root.rglob("*.story")) if root.is_dir() else [existing_file(path, "story file")]
    if not files:
        raise DataError(f"no .story files under {root}")
    samples, without = [], []
    for file in files:
        article, highlights = parse_story(read_text_file(file))
        if not highlights:
            without.append(file.name)
            continue
        samples.append({"document": article, "summary": story_summary(highlights)})
    if without:
        log.warning("%s: skipped %d .story files without @highlight lines: %s%s", path, len(without),
                    ", ".join(without[:5]), " ..." if len(without) > 5 else "")
    return samples
