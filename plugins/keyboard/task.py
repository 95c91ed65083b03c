"""Keyboard correction: noisy typed text in, corrected text out, one character at a time.

Training pairs are made on the fly from clean text by the typing-noise model (`noise.py`),
afresh every epoch (`training_sample`), or read as given from a `noisy<TAB>clean` TSV file.
A share of training pairs teach completion instead: the input ends in a word prefix and the
COMPLETION_MARK, the target has the whole word (`completion.py` ranks words with that).
Another share (`fragment_fraction`) are a few words cut from a sentence, typed with at least one
error: a model trained on whole sentences only learns that every input starts with a capital
("alow" -> "A low"), where a user corrects single words and phrases as well.
Scored with CER/WER (jiwer), word and sentence accuracy, and the false-correction rate on
inputs that were already correct, each next to the identity baseline (output = input).

Each split is one override: `task.train=sentences.txt` (clean text) or `task.train=pairs.tsv`;
null = the embedded corpus of generated English messages. `task.noise_fit=typos.tsv` sets the
noise rates from real (typo, correct) pairs instead of `task.noise`.
"""
from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import replace
from typing import Iterator, Sequence

import jiwer

from plugins.keyboard.corpus import generate_corpus
from plugins.keyboard.formats import read_clean_text, read_pairs
from plugins.keyboard.noise import NoiseRates, corrupt
from plugins.keyboard.noise_fit import fit_rates
from seqcore import metrics
from seqcore.data import build_tokenizer
from seqcore.errors import ConfigError, DataError
from seqcore.inputs import read_text_items
from seqcore.text_task import TextToTextTask

COMPLETION_MARK = "\x1f"  # ends an input whose last word is a prefix to complete (ASCII unit separator)
# always in the vocabulary, so that noise (case errors) and typed input never meet unknown letters
ALPHABET = string.ascii_letters + string.digits + string.punctuation + " " + COMPLETION_MARK


def word_counts(texts: Sequence[str]) -> Counter:
    """Words of `texts` without surrounding punctuation: the lexicon completion draws from."""
    counts = Counter(word.strip(string.punctuation) for text in texts for word in text.split())
    counts.pop("", None)
    return counts


class KeyboardTask(TextToTextTask):
    name = "keyboard"
    supported_heads = ("attention", "pointer")
    main_metric = "wer"
    metric_mode = "min"
    augments_training = True

    def __init__(self, train=None, valid=None, test=None, noise: dict | None = None, noise_fit: str | None = None,
                 completion_fraction: float = 0.1, fragment_fraction: float = 0.0, embedded_seed: int = 1234,
                 embedded_sizes: dict | None = None, copy_extras: bool = False):
        super().__init__("char", {}, copy_extras, embedded_seed=embedded_seed, embedded_sizes=embedded_sizes)
        self.paths = {"train": train, "valid": valid, "test": test}
        self.rates = fit_rates(read_pairs(noise_fit)) if noise_fit else NoiseRates(**dict(noise or {}))
        for key, fraction in (("completion_fraction", completion_fraction), ("fragment_fraction", fragment_fraction)):
            if not 0.0 <= fraction <= 1.0:
                raise ConfigError(f"task.{key}={fraction} must be between 0 and 1")
        if completion_fraction + fragment_fraction > 1.0:
            raise ConfigError(f"task.completion_fraction + task.fragment_fraction = "
                              f"{completion_fraction + fragment_fraction} must be at most 1")
        self.completion_fraction, self.fragment_fraction = completion_fraction, fragment_fraction
        self.lexicon: dict[str, int] = {}

    # -- data ------------------------------------------------------------------------------
    def load_split(self, split: str) -> list[dict]:
        """Training samples of clean text carry "clean": True (noised per epoch); evaluation
        splits of clean text are noised once, from the seed and split name."""
        path = self.split_path(split)
        if path is not None and not isinstance(path, str):
            raise ConfigError(f"task.{split} must be a clean-text file or a .tsv of noisy/clean pairs, got {path!r}")
        if path is not None and path.endswith(".tsv"):
            return [{"source": noisy, "target": clean} for noisy, clean in read_pairs(path)]
        if path is None:
            texts = self.embedded_split(generate_corpus, split)
        else:
            texts = read_clean_text(path)
        if split == "train":
            return [{"source": text, "target": text, "clean": True} for text in texts]
        rng = random.Random(f"{self.embedded_seed}:{split}")
        return [{"source": corrupt(text, self.rates, rng), "target": text} for text in texts]

    def training_sample(self, sample: dict, epoch: int, index: int) -> dict:
        """A fresh noisy (or completion) version of a clean sentence, from (seed, epoch, index)."""
        if not sample.get("clean"):
            return sample
        rng = random.Random(f"{self.embedded_seed}:{epoch}:{index}")
        draw = rng.random()
        if draw < self.completion_fraction:
            pair = completion_pair(sample["target"], self.rates, rng)
        elif draw < self.completion_fraction + self.fragment_fraction:
            pair = fragment_pair(sample["target"], self.rates, rng)
        else:
            pair = None
        if pair:
            return {"source": pair[0], "target": pair[1]}
        return {"source": corrupt(sample["target"], self.rates, rng), "target": sample["target"]}

    def fit(self, train_samples: Sequence[dict]) -> None:
        """One character vocabulary for both sides (the training text plus ALPHABET), and the
        lexicon of training words with their counts, for completion."""
        texts = [sample["target"] for sample in train_samples] + [sample["source"] for sample in train_samples]
        self.source_tokenizer = self.target_tokenizer = build_tokenizer("char", [*texts, ALPHABET])
        self.lexicon = dict(word_counts([sample["target"] for sample in train_samples]).most_common())

    # -- scoring ---------------------------------------------------------------------------
    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        hypotheses, references = list(hypotheses), list(references)
        scored = [(h, r) for h, r in zip(hypotheses, references) if r.strip()]  # jiwer rejects empty references
        hyps, refs = [h for h, _ in scored], [r for _, r in scored]
        if not refs:
            raise DataError(f"{self.name}: nothing to score, every reference is empty")
        words = jiwer.process_words(refs, hyps)
        reference_words = words.hits + words.substitutions + words.deletions
        return {"cer": metrics.cer(hyps, refs), "wer": metrics.wer(hyps, refs),
                "word_acc": 100.0 * words.hits / max(reference_words, 1),
                "sentence_acc": metrics.sequence_accuracy(hypotheses, references)}

    def evaluate(self, hypotheses: Sequence[str], references: Sequence[str], samples: Sequence[dict],
                 nbest: Sequence = ()) -> dict[str, float]:
        """The model's metrics, the identity baseline's ("identity_*": the input as output), the
        relative WER reduction and the false-correction rate: the percentage of already-correct
        inputs that the model changed."""
        sources = [sample["source"] for sample in samples]
        scores = self.metrics(hypotheses, references)
        scores.update({f"identity_{key}": value for key, value in self.metrics(sources, references).items()})
        identity_wer = scores["identity_wer"]
        scores["wer_reduction"] = 100.0 * (1.0 - scores["wer"] / identity_wer) if identity_wer else 0.0
        clean = [h != s for h, s, r in zip(hypotheses, sources, references) if s == r]
        scores["false_correction"] = 100.0 * sum(clean) / len(clean) if clean else 0.0
        return scores

    # -- batch jobs, persistence -----------------------------------------------------------------
    def read_inputs(self, path: str) -> Iterator[dict]:
        """Lines of a text file, or a JSONL manifest with "source" (or "text") per item."""
        return read_text_items(path, "source", aliases=("text",))

    def state_dict(self) -> dict:
        return {**super().state_dict(), "lexicon": self.lexicon}

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.lexicon = dict(state.get("lexicon", {}))


def known_words_first(outputs: Sequence[str], lexicon: set[str]) -> str:
    """The first of `outputs` (an n-best list, best first) whose words, without the punctuation
    around them and in lower case, are all in `lexicon`; the best output when none is. A word
    corrector that may only answer with words it knows, as Norvig's does."""
    for output in outputs:
        words = [word.strip(string.punctuation).lower() for word in output.split()]
        if words and all(word in lexicon for word in words if word):
            return output
    return outputs[0]


def fragment_pair(text: str, rates: NoiseRates, rng: random.Random, longest: int = 3,
                  tries: int = 20) -> tuple[str, str] | None:
    """(typed, clean) for 1 to `longest` consecutive words of `text` without the punctuation around
    them, typed with at least one error (or left correct, `rates.clean_fraction` of the time);
    None if `text` has no letters."""
    words = text.split()
    if not any(char.isalpha() for char in text):
        return None
    count = rng.randint(1, min(longest, len(words)))
    start = rng.randrange(len(words) - count + 1)
    fragment = " ".join(words[start:start + count]).strip(string.punctuation + " ")
    if not fragment:
        return None
    if rng.random() < rates.clean_fraction:
        return fragment, fragment
    always_noisy = replace(rates, clean_fraction=0.0)
    for _ in range(tries):  # a short fragment often comes through a draw of per-letter rates unchanged
        typed = corrupt(fragment, always_noisy, rng)
        if typed != fragment and typed.strip():  # an omitted "a" leaves nothing to attend to (a NaN loss)
            return typed, fragment
    return fragment, fragment


def completion_pair(text: str, rates: NoiseRates, rng: random.Random) -> tuple[str, str] | None:
    """(typed words with noise + a prefix of the next word + COMPLETION_MARK, the words and the
    whole next word) for a random word of `text` of two letters or more; None if it has none."""
    words = text.split(" ")
    choices = [j for j, word in enumerate(words) if len(word.strip(string.punctuation)) >= 2]
    if not choices:
        return None
    j = rng.choice(choices)
    word = words[j].strip(string.punctuation)
    context = " ".join(words[:j])
    typed = corrupt(context, rates, rng) + " " if context else ""
    prefix = word[: rng.randint(1, len(word) - 1)]
    return typed + prefix + COMPLETION_MARK, (context + " " if context else "") + word
