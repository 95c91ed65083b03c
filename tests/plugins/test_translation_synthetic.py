"""The embedded synthetic language pair: determinism, clean splits, vocabulary, grammar."""
import random
import re
import statistics
import time
from collections import Counter

import pytest

from plugins.translation import synthetic
from plugins.translation.synthetic import _Clause, generate_corpus

SMALL = {"train": 300, "valid": 50, "test": 50}


@pytest.fixture(scope="module")
def default_corpus():
    start = time.perf_counter()
    corpus = generate_corpus()
    return corpus, time.perf_counter() - start


def _counts(pairs, side):
    return Counter(word for pair in pairs for word in pair[side].split())


def test_deterministic_by_seed_and_seed_sensitive():
    first = generate_corpus(7, SMALL)
    assert first == generate_corpus(7, SMALL)
    assert {split: len(pairs) for split, pairs in first.items()} == SMALL
    other = generate_corpus(8, SMALL)
    assert set(first["train"]) != set(other["train"])


def test_missing_sizes_keep_their_default():
    corpus = generate_corpus(3, {"train": 20})
    assert [len(corpus[s]) for s in ("train", "valid", "test")] == [20, 500, 1000]


def test_sentences_are_lowercase_ascii_tokens_ending_with_a_period():
    for pairs in generate_corpus(5, SMALL).values():
        for pair in pairs:
            for sentence in pair:
                assert re.fullmatch(r"[a-z,]+( [a-z,]+)* \.", sentence), sentence


def test_no_source_shared_between_splits(default_corpus):
    corpus, _ = default_corpus
    sources = {split: {src for src, _ in pairs} for split, pairs in corpus.items()}
    assert all(len(sources[s]) == len(corpus[s]) for s in corpus)
    assert not sources["train"] & sources["valid"]
    assert not sources["train"] & sources["test"]
    assert not sources["valid"] & sources["test"]


def test_default_corpus_size_speed_and_lengths(default_corpus):
    corpus, seconds = default_corpus
    assert [len(corpus[s]) for s in ("train", "valid", "test")] == [40000, 500, 1000]
    assert seconds < 6  # about 1.5 s on one core; generous for loaded CI machines
    target_lengths = [len(tgt.split()) for _, tgt in corpus["train"]]
    assert 10 <= statistics.mean(target_lengths) <= 14
    assert sum(5 <= n <= 25 for n in target_lengths) / len(target_lengths) > 0.9


@pytest.mark.parametrize("side", [0, 1])
def test_vocabulary_is_large_learnable_and_covered_by_train(default_corpus, side):
    corpus, _ = default_corpus
    train = _counts(corpus["train"], side)
    assert 500 <= len(train) <= 850
    assert min(train.values()) >= 20, train.most_common()[-5:]
    held_out = _counts(corpus["valid"] + corpus["test"], side)
    assert set(held_out) <= set(train)


def test_translation_is_a_function_of_the_source(default_corpus):
    corpus, _ = default_corpus
    seen = {}
    for pairs in corpus.values():
        for src, tgt in pairs:
            assert seen.setdefault(src, tgt) == tgt
    # Before deduplication short sentences repeat: the same source must get the same target
    # even when sampled from different trees.
    rng, seen, repeats = random.Random(0), {}, 0
    for _ in range(10000):
        src, tgt = synthetic._translate(synthetic._sample_sentence(rng))
        repeats += src in seen
        assert seen.setdefault(src, tgt) == tgt, src
    assert repeats > 50


def test_source_words_have_one_role():
    """No English form is shared between lexical entries (e.g. no "read" as present and past)."""
    verb_forms = [form for entry in synthetic._EN_VERB.values() for form in entry[:4]]
    assert len(verb_forms) == len(set(verb_forms))
    classes = [set(verb_forms), set(synthetic._NOUNS) | set(synthetic._EN_PLURAL.values()),
               set(synthetic._ADJECTIVES), set(synthetic._NAMES), set(synthetic._PRONOUNS),
               {word for adv in synthetic._ADVERBS for word in adv.split("_")}]
    assert sum(map(len, classes)) == len(set().union(*classes))


def test_negation_becomes_a_circumfix():
    for src, tgt in generate_corpus(11, SMALL)["train"]:
        words = tgt.split()
        assert src.split().count("not") == words.count("ne") == words.count("pas")


def test_agreement_reordering_and_verb_final_subordinate_clause():
    # woman: f, dog: f, cat: m, garden: m in the invented lexicon
    main = _Clause(("noun", "the", ("old",), "woman", True), "see", "past", True,
                   obj=("noun", "a", (), "dog", False))
    sub = _Clause(("noun", "these", ("big", "black"), "cat", True), "sleep", "prog",
                  pp=("in", ("noun", "the", (), "garden", False)))
    assert synthetic._translate((main, "because", sub, False)) == (
        "the old women did not see a dog because these big black cats are sleeping in the garden .",
        # le (f.pl) noun-en adj-e; ne aux pas ... participle; sub clause: nelo = "in the" (m.sg),
        # adjectives mirrored after the noun, infinitive + finite auxiliary at the very end
        "le tuboven vasare ne avan pas una rikel likapito "
        "porke esti lagiren kinagi birudi nelo mokol bedokar staran .")


def test_fronted_clause_inverts_main_clause_and_separable_particle_goes_last():
    main = _Clause(("pron", "we"), "hold", "fut", obj=("noun", "her", ("small",), "friend", False),
                   adv="every day")
    sub = _Clause(("name", "anna"), "eat", obj=("noun", "the", ("red",), "book", False))
    assert synthetic._translate((main, "when", sub, True)) == (
        "when anna eats the red book , we will hold her small friend every day .",
        # "eat" and "hold" are separable: particle before the verb(s) closing the clause
        "kwan anna lo budaz pevito um levaba , volamos nos bimek sua lulep padiza ek finolar .")


def test_that_clause_phrasal_verb_and_person_agreement():
    main = _Clause(("pron", "i"), "think",
                   comp=_Clause(("pron", "you"), "look", neg=True, obj=("name", "peter")))
    other = _Clause(("noun", "two", (), "man", True), "catch", obj=("name", "anna"))
    assert synthetic._translate((main, "and", other, False)) == (
        "i think that you do not look at peter and two men catch anna .",
        "jo sozuvo ke tu peter ne lorikas pas e du rofeken boripan anna ek .")
