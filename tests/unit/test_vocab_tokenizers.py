"""Vocabulary ordering and the three tokenizers: ids, round trips, unknowns, checkpoint state."""

import io
import random

import pytest
import sentencepiece
import torch

from seqcore.data import (
    BOS_ID,
    EOS_ID,
    PAD_ID,
    SPECIAL_TOKENS,
    UNK_ID,
    CharTokenizer,
    SentencePieceTokenizer,
    Vocabulary,
    WordTokenizer,
    build_tokenizer,
    tokenizer_from_state_dict,
)

WORDS = "the a quick brown lazy fox dog cat jumps runs over under near sleeps happily slowly".split()


def make_corpus(sentence_count: int = 300, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))) for _ in range(sentence_count)]


CORPUS = make_corpus()
KNOWN_TEXTS = [CORPUS[0], CORPUS[-1], "the lazy cat sleeps under the brown dog", "fox"]

TOKENIZER_SETUPS = {
    "char": ("char", {}),
    "word": ("word", {}),
    "sentencepiece-bpe": ("sentencepiece", {"vocab_size": 80, "model_type": "bpe"}),
    "sentencepiece-unigram": ("sentencepiece", {"vocab_size": 80, "model_type": "unigram"}),
}


@pytest.fixture(scope="module", params=sorted(TOKENIZER_SETUPS))
def tokenizer(request):
    kind, options = TOKENIZER_SETUPS[request.param]
    return build_tokenizer(kind, CORPUS, **options)


def test_vocabulary_build_orders_by_frequency_then_alphabet():
    sequences = [["b", "a", "c", "a"], ["c", "a", "d", "b", "e", "<unk>"]]
    # counts: a 3, b 2, c 2, d 1, e 1; the special "<unk>" is not counted
    assert Vocabulary.build(sequences).state_dict()["tokens"] == [*SPECIAL_TOKENS, "a", "b", "c", "d", "e"]
    assert Vocabulary.build(sequences, min_freq=2).state_dict()["tokens"] == [*SPECIAL_TOKENS, "a", "b", "c"]
    assert Vocabulary.build(sequences, max_size=6).state_dict()["tokens"] == [*SPECIAL_TOKENS, "a", "b"]


def test_vocabulary_lookups_and_state():
    vocab = Vocabulary([*SPECIAL_TOKENS, "x", "y"])
    assert len(vocab) == 6
    assert "y" in vocab and "z" not in vocab
    assert (vocab.id_of("x"), vocab.id_of("y"), vocab.id_of("z")) == (4, 5, UNK_ID)
    assert vocab.token_of(5) == "y"
    with pytest.raises(IndexError):
        vocab.token_of(6)
    restored = Vocabulary.from_state_dict(vocab.state_dict())
    assert [restored.token_of(i) for i in range(len(restored))] == [*SPECIAL_TOKENS, "x", "y"]


@pytest.mark.parametrize(
    "tokens",
    [["x", *SPECIAL_TOKENS], [*SPECIAL_TOKENS[:3], "x"], [*SPECIAL_TOKENS, "x", "x"]],
)
def test_vocabulary_rejects_misplaced_specials_and_repeats(tokens):
    with pytest.raises(ValueError):
        Vocabulary(tokens)


@pytest.mark.parametrize("arguments", [{"min_freq": 0}, {"max_size": 3}])
def test_vocabulary_build_rejects_bad_limits(arguments):
    with pytest.raises(ValueError):
        Vocabulary.build([["a"]], **arguments)


def test_char_tokenizer_ids_by_hand():
    # counts: "b" 3, "a" 2, " " 1, "c" 1 -> ids 4, 5, 6, 7
    tokenizer = CharTokenizer.train(["abca", "b b"])
    assert tokenizer.vocab_size == 8
    assert tokenizer.encode("ab cz") == [5, 4, 6, 7, UNK_ID]
    assert tokenizer.decode([BOS_ID, 5, 4, UNK_ID, 7, EOS_ID, PAD_ID]) == "ab<unk>c"
    assert CharTokenizer.train(["abca", "b b"], min_freq=2).encode("abc") == [5, 4, UNK_ID]


def test_word_tokenizer_ids_by_hand():
    # counts: "cat" 3, "a" 2, "dog" 2 -> ids 4, 5, 6 ("a" before "dog")
    tokenizer = WordTokenizer.train(["cat  dog cat", " a cat", "dog a"])
    assert tokenizer.encode("dog\tcat a bird ") == [6, 4, 5, UNK_ID]
    assert tokenizer.decode(torch.tensor([BOS_ID, 6, 4, UNK_ID, EOS_ID])) == "dog cat <unk>"
    assert WordTokenizer.train(["cat dog cat", "a cat", "dog a"], max_size=5).encode("a cat") == [UNK_ID, 4]


def test_round_trip_of_known_text_is_exact(tokenizer):
    for text in KNOWN_TEXTS:
        ids = tokenizer.encode(text)
        assert all(UNK_ID < index < tokenizer.vocab_size for index in ids)
        assert tokenizer.decode(ids) == text
        assert tokenizer.decode([BOS_ID, *ids, EOS_ID, PAD_ID, PAD_ID]) == text


def test_sentencepiece_keeps_spacing():
    tokenizer = build_tokenizer("sentencepiece", CORPUS, vocab_size=80)
    for text in ["  the dog", "the  dog ", " the   dog  "]:
        assert tokenizer.decode(tokenizer.encode(text)) == text


def test_unknown_characters_become_unk(tokenizer):
    ids = tokenizer.encode("the ☃ dog")
    assert UNK_ID in ids
    assert "<unk>" in tokenizer.decode(ids)


def test_special_ids_are_shared(tokenizer):
    assert tokenizer.decode([PAD_ID, BOS_ID, EOS_ID]) == ""
    assert tokenizer.decode([UNK_ID]) == "<unk>"
    state = tokenizer.state_dict()
    if state["kind"] == "sentencepiece":
        processor = sentencepiece.SentencePieceProcessor(model_proto=state["model_proto"])
        pieces = [processor.id_to_piece(index) for index in range(len(SPECIAL_TOKENS))]
    else:
        pieces = state["tokens"][: len(SPECIAL_TOKENS)]
    assert tuple(pieces) == SPECIAL_TOKENS


def test_state_survives_a_weights_only_checkpoint(tokenizer):
    checkpoint = io.BytesIO()
    torch.save({"tokenizer": tokenizer.state_dict()}, checkpoint)
    checkpoint.seek(0)
    restored = tokenizer_from_state_dict(torch.load(checkpoint, weights_only=True)["tokenizer"])
    assert type(restored) is type(tokenizer)
    assert restored.kind == tokenizer.kind
    assert restored.vocab_size == tokenizer.vocab_size
    for text in [*KNOWN_TEXTS, "the ☃ dog", ""]:
        assert restored.encode(text) == tokenizer.encode(text)


def test_sentencepiece_trains_in_memory_and_quietly(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    tokenizer = SentencePieceTokenizer.train(CORPUS, vocab_size=60, model_type="bpe")
    assert tokenizer.vocab_size == 60
    assert list(tmp_path.iterdir()) == []
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("model_type", SentencePieceTokenizer.MODEL_TYPES)
def test_sentencepiece_vocab_size_beyond_the_data_shrinks(model_type):
    tokenizer = SentencePieceTokenizer.train(KNOWN_TEXTS, vocab_size=10_000, model_type=model_type)
    assert len(set("".join(KNOWN_TEXTS))) < tokenizer.vocab_size < 10_000
    for text in KNOWN_TEXTS:
        assert tokenizer.decode(tokenizer.encode(text)) == text


def test_sentencepiece_rejects_unknown_model_type():
    with pytest.raises(ValueError, match="bpe"):
        SentencePieceTokenizer.train(CORPUS, model_type="word")


def test_unknown_kind_names_the_valid_ones():
    with pytest.raises(ValueError, match="char.*sentencepiece.*word"):
        build_tokenizer("bytes", CORPUS)
    with pytest.raises(ValueError, match="char.*sentencepiece.*word"):
        tokenizer_from_state_dict({"kind": "bytes"})
