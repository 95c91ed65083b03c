"""Word-level spelling correction: a keyboard model against Norvig's corrector, both knowing one corpus.

    python benchmarks/spelling_norvig.py CKPT --corpus train.en --pairs norvig1.tsv --sentences valid.en

The model was trained on `--corpus` (experiment=keyboard_spelling); Norvig's corrector
(`plugins.keyboard.norvig`) counts that corpus' words in this run. Both correct the
`misspelled<TAB>correct` pairs whose correct word is in the corpus (a corrector cannot know a
word it never saw: the table gives that coverage) and are scored on the exact lower-case word.
A third row lets the model's beam propose `--beam` outputs and takes the first whose words the
training corpus has (`known_words_first`, with the lexicon the checkpoint keeps). Both then read the clean sentences of `--sentences` (already correct: any change is a false
correction, the price a user pays on text that needed none). Prints a markdown table.
"""
from __future__ import annotations

import argparse
import platform
import time
from functools import partial

import torch

from plugins.keyboard.decoding import decode_texts
from plugins.keyboard.task import known_words_first
from plugins.keyboard.formats import read_clean_text, read_pairs
from plugins.keyboard.norvig import NorvigCorrector
from seqcore.checkpoint import load_module
from seqcore.search import beam_search


def accuracy(outputs: list[str], pairs: list[tuple[str, str]]) -> float:
    return 100.0 * sum(output.strip().lower() == correct for output, (_, correct) in zip(outputs, pairs)) / len(pairs)


def changed(outputs: list[str], sentences: list[str]) -> float:
    return 100.0 * sum(output != sentence for output, sentence in zip(outputs, sentences)) / len(sentences)


def timed(function, inputs: list[str]) -> tuple[list[str], float]:
    start = time.perf_counter()
    outputs = function(inputs)
    return outputs, 1000.0 * (time.perf_counter() - start) / len(inputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ckpt")
    parser.add_argument("--corpus", required=True, help="the clean text the model was trained on")
    parser.add_argument("--pairs", required=True, help="misspelled<TAB>correct TSV")
    parser.add_argument("--sentences", required=True, help="clean sentences: changes are false corrections")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam", type=int, default=8, help="n-best size of the lexicon-checked row")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    module = load_module(args.ckpt)
    norvig = NorvigCorrector(read_clean_text(args.corpus))
    pairs = [(typo, correct.lower()) for typo, correct in read_pairs(args.pairs)]
    covered = [(typo, correct) for typo, correct in pairs if correct in norvig]
    sentences = read_clean_text(args.sentences)
    typos = [typo for typo, _ in covered]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {platform.machine()}; corpus "
          f"{args.corpus}: {len(norvig.counts)} word types; pairs {args.pairs}: {len(covered)} of {len(pairs)} with "
          f"the correct word in the corpus (coverage {100.0 * len(covered) / len(pairs):.1f}%); "
          f"{len(sentences)} clean sentences\n")
    model_words, model_ms = timed(lambda texts: [best for best, *_ in decode_texts(module, texts)], typos)
    beam = partial(beam_search, beam_size=args.beam, nbest=args.beam, max_len_a=1.1, max_len_b=10)
    lexicon = {word.lower() for word in module.task.lexicon}  # the training corpus' words, kept in the checkpoint
    lexicon_words, lexicon_ms = timed(lambda texts: [known_words_first(nbest, lexicon)
                                                     for nbest in decode_texts(module, texts, search=beam)], typos)
    norvig_words, norvig_ms = timed(lambda texts: [norvig.correct(text) for text in texts], typos)
    model_sentences, _ = timed(lambda texts: [best for best, *_ in decode_texts(module, texts)], sentences)
    norvig_sentences, _ = timed(lambda texts: [norvig.correct_text(text) for text in texts], sentences)
    print("| corrector | word accuracy (covered pairs) | ms per word | sentences changed (false corrections) |")
    print("|---|--:|--:|--:|")
    print(f"| identity (input as output) | {accuracy(typos, covered):.1f}% | - | 0.0% |")
    print(f"| Norvig, same corpus | {accuracy(norvig_words, covered):.1f}% | {norvig_ms:.2f} | "
          f"{changed(norvig_sentences, sentences):.1f}% |")
    print(f"| seqcore keyboard model ({module.config['search']['_target_'].rsplit('.', 1)[-1]}) | "
          f"{accuracy(model_words, covered):.1f}% | {model_ms:.2f} | {changed(model_sentences, sentences):.1f}% |")
    misses = [(typo, correct, output) for (typo, correct), output in zip(covered, model_words)
              if output.strip().lower() != correct]
    print(f"| seqcore keyboard model, beam {args.beam}, first n-best output of corpus words | "
          f"{accuracy(lexicon_words, covered):.1f}% | {lexicon_ms:.2f} | - |")
    print(f"\nmodel misses ({len(misses)}): " + ", ".join(f"{t}->{o!r} ({c})" for t, c, o in misses[:40]))


if __name__ == "__main__":
    main()
