"""Correcting any text with a trained keyboard model, whatever comes in.

The model saw sentences of a few dozen characters, so a long line is corrected in windows
cut at spaces; characters its vocabulary lacks (emoji, other scripts, control characters)
are never sent to it but passed through unchanged at their place, and blank lines stay blank.

    python -m plugins.keyboard.correct CKPT input.txt output.txt [--window 80]
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable, Sequence

from plugins.keyboard.decoding import decode_texts
from plugins.keyboard.task import COMPLETION_MARK
from plugins.textio import read_lines
from seqcore.checkpoint import load_module
from seqcore.data import UNK_ID


def pieces(line: str, known: Callable[[str], bool], window: int) -> list[tuple[str, bool]]:
    """`line` cut into (text, correct it?) pieces that join back into `line`: runs of unknown
    characters and the spaces around runs are kept as they are, the rest is cut at spaces
    into windows of at most `window` characters (hard cuts only inside a longer word)."""
    result, position = [], 0
    while position < len(line):
        end = position
        kind = known(line[position])
        while end < len(line) and known(line[end]) == kind:
            end += 1
        run = line[position:end]
        result += _windows(run, window) if kind else [(run, False)]
        position = end
    return result


def _windows(run: str, window: int) -> list[tuple[str, bool]]:
    core = run.strip(" ")
    if not core:
        return [(run, False)]
    lead, tail = run[: len(run) - len(run.lstrip(" "))], run[len(run.rstrip(" ")):]
    result = [(lead, False)] if lead else []
    while len(core) > window:
        cut = core.rfind(" ", 0, window + 1)
        if cut <= 0:
            result.append((core[:window], True))
            core = core[window:]
        else:
            result += [(core[:cut], True), (" ", False)]
            core = core[cut + 1:]
    result.append((core, True))
    return result + ([(tail, False)] if tail else [])


def correct_lines(module, lines: Sequence[str], window: int = 80, max_tokens: int = 8192) -> list[str]:
    """Corrected `lines`, one output per input line."""
    tokenizer = module.task.source_tokenizer

    def known(char: str) -> bool:
        return char != COMPLETION_MARK and tokenizer.id_of(char) != UNK_ID

    cut = [pieces(line, known, window) for line in lines]
    jobs = [text for line_pieces in cut for text, correct in line_pieces if correct]
    outputs = iter(best for best, *_ in decode_texts(module, jobs, max_tokens))
    return ["".join(next(outputs) if correct else text for text, correct in line_pieces) for line_pieces in cut]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ckpt")
    parser.add_argument("input", help="text file, one line per input (UTF-8)")
    parser.add_argument("output")
    parser.add_argument("--window", type=int, default=80, help="longest piece sent to the model, in characters")
    args = parser.parse_args(argv)
    module = load_module(args.ckpt)
    lines = list(read_lines(args.input))
    Path(args.output).write_text("".join(line + "\n" for line in correct_lines(module, lines, args.window)),
                                 encoding="utf-8")
    print(f"wrote {len(lines)} lines to {args.output}")


if __name__ == "__main__":
    main()
