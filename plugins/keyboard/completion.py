"""Word completion with the correction model (the seed paper's "completion").

Training taught the model inputs that end in a word prefix and COMPLETION_MARK, with the whole
word in the target. To complete, the candidate words are those of the training lexicon that
start with the typed prefix (most frequent first, at most `max_candidates`); if none does (a
typo in the prefix), the last words of the model's own n-best outputs. Each candidate w is
scored by the model, log P(context + w | typed text + mark), where the context is the model's
own correction of the words before the prefix; the top k are returned with their scores.

Evaluated the way keyboards are: top-1/top-k accuracy of the word after half of it is typed,
and keystroke savings, the share of letters not typed when the user types a word letter by
letter and taps it as soon as it is among the k suggestions (a tap costs one keystroke).

    python -m plugins.keyboard.completion CKPT --text "See you tomo" [-k 3]
    python -m plugins.keyboard.completion CKPT --evaluate 200 [-k 3]
"""
from __future__ import annotations

import argparse
import math
import random
import string
from typing import Sequence

from plugins.keyboard.decoding import decode_texts, sequence_log_probs
from plugins.keyboard.task import COMPLETION_MARK
from seqcore.checkpoint import load_module


def split_prefix(text: str) -> tuple[str, str]:
    """(the words before the last one, the last word: the prefix being typed)."""
    context, _, prefix = text.rstrip("\n").rpartition(" ")
    return context, prefix


def candidate_words(lexicon: dict[str, int], prefix: str, limit: int) -> list[str]:
    """Lexicon words that start with `prefix` (case-insensitive), most frequent first, spelled
    with the prefix as typed (a capitalized prefix gives a capitalized word)."""
    lowered = prefix.lower()
    matches = sorted((word for word in lexicon if word.lower().startswith(lowered) and len(word) > len(prefix)),
                     key=lambda word: -lexicon[word])
    return list(dict.fromkeys(prefix + word[len(prefix):] for word in matches))[:limit]


def complete(module, text: str, k: int = 3, max_candidates: int = 64) -> list[tuple[str, float]]:
    """The top `k` completions of the last word of `text`, as (word, log-probability), best first."""
    context, prefix = split_prefix(text)
    source = text.rstrip("\n") + COMPLETION_MARK
    outputs = decode_texts(module, [source])[0]
    corrected_context = split_prefix(outputs[0])[0] if context else ""
    candidates = candidate_words(module.task.lexicon, prefix, max_candidates) if prefix else []
    if not candidates:  # nothing in the lexicon starts with the prefix: trust the model's own words
        candidates = list(dict.fromkeys(split_prefix(output)[1] for output in outputs if output))
    if not candidates:
        return []
    targets = [f"{corrected_context} {word}" if corrected_context else word for word in candidates]
    scores = sequence_log_probs(module, [source] * len(targets), targets).tolist()
    ranked = sorted(zip(candidates, scores), key=lambda pair: -pair[1])
    return [(word, round(score, 4)) for word, score in ranked[:k]]


def evaluate_completion(module, sentences: Sequence[str], k: int = 3, seed: int = 0) -> dict[str, float]:
    """Top-1 / top-k accuracy at half a word typed, and keystroke savings, over one random word
    (two letters or more) of each sentence, its preceding words typed correctly."""
    rng = random.Random(seed)
    top1 = topk = letters = saved = cases = 0
    for sentence in sentences:
        words = sentence.split(" ")
        choices = [j for j, word in enumerate(words) if len(word.strip(string.punctuation)) >= 2]
        if not choices:
            continue
        j = rng.choice(choices)
        word, context = words[j].strip(string.punctuation), " ".join(words[:j])
        typed_before = context + " " if context else ""
        suggestions = {}  # letters typed -> the words suggested then

        def suggested(typed: int) -> list[str]:
            if typed not in suggestions:
                suggestions[typed] = [w for w, _ in complete(module, typed_before + word[:typed], k)]
            return suggestions[typed]

        half = suggested(math.ceil(len(word) / 2))
        top1 += bool(half) and half[0] == word
        topk += word in half
        cases += 1
        letters += len(word)
        typed = next((n for n in range(1, len(word)) if word in suggested(n)), len(word))
        saved += max(len(word) - typed - 1, 0)  # the user taps the word as soon as it is suggested
    return {"sentences": cases, "top1_acc": 100.0 * top1 / max(cases, 1), f"top{k}_acc": 100.0 * topk / max(cases, 1),
            "keystroke_savings": 100.0 * saved / max(letters, 1)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Word completion with a trained keyboard model.")
    parser.add_argument("ckpt")
    parser.add_argument("--text", help="text whose last word is a prefix to complete")
    parser.add_argument("--evaluate", type=int, metavar="N", help="score on N sentences of the test split")
    parser.add_argument("-k", type=int, default=3)
    args = parser.parse_args(argv)
    module = load_module(args.ckpt)
    if args.text is not None:
        for word, score in complete(module, args.text, args.k):
            print(f"{word}\t{score:.3f}")
    if args.evaluate:
        sentences = [sample["target"] for sample in module.task.load_split("test")[: args.evaluate]]
        results = evaluate_completion(module, sentences, args.k)
        print("  ".join(f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}"
                        for key, value in results.items()))


if __name__ == "__main__":
    main()
