"""Text <-> id tokenizers (characters, words, SentencePiece) behind one interface.

A task picks a tokenizer kind in its config, trains it on its training texts
and stores ``state_dict()`` in the checkpoint; ``tokenizer_from_state_dict``
rebuilds it from that alone.  The state holds primitives only (str, int,
list, dict, bytes) so checkpoints load with ``torch.load(weights_only=True)``.

Shared conventions, whatever the kind:

* ids 0..3 are ``PAD_ID, BOS_ID, EOS_ID, UNK_ID`` from ``seqcore.data.vocab``;
* ``encode`` adds no BOS/EOS and maps anything unseen in training to ``UNK_ID``;
* ``decode`` drops PAD, BOS and EOS, and renders ``UNK_ID`` as ``"<unk>"`` so
  an output with unknown tokens shows it (and is scored as wrong) instead of
  silently losing them;
* ``decode(encode(text)) == text`` for any text made of known tokens (for
  ``WordTokenizer``: words separated by single spaces, the only spacing it keeps);
* ``pieces(text)`` are the token strings ``encode`` looks up, one per id
  (``encode(text) == [id_of(piece) for piece in pieces(text)]``), and ``decode``
  renders ids from ``vocab_size`` on as given ``extra_pieces``: together they let
  a pointer-generator copy source pieces the target vocabulary lacks.
"""

import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import ClassVar

import sentencepiece

from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID, Vocabulary

_IDS_DECODE_SKIPS = frozenset({PAD_ID, BOS_ID, EOS_ID})
_SENTENCEPIECE_SPACE = re.compile("(\u2581)")  # "▁", the piece character that stands for a space


class Tokenizer(ABC):
    """What the rest of seqcore relies on; the subclasses differ only in how they cut text."""

    kind: ClassVar[str]

    @property
    @abstractmethod
    def vocab_size(self) -> int: ...

    @abstractmethod
    def pieces(self, text: str) -> list[str]: ...

    @abstractmethod
    def id_of(self, piece: str) -> int:
        """The piece's id, or ``UNK_ID`` when the vocabulary lacks it."""

    @abstractmethod
    def piece_of(self, index: int) -> str:
        """The piece an id stands for (ids below ``vocab_size``)."""

    @abstractmethod
    def encode(self, text: str) -> list[int]: ...

    @abstractmethod
    def decode(self, ids: Sequence[int], extra_pieces: Sequence[str] = ()) -> str:
        """Text of ``ids``; an id ``vocab_size + j`` stands for ``extra_pieces[j]``."""

    @abstractmethod
    def state_dict(self) -> dict: ...

    @classmethod
    @abstractmethod
    def from_state_dict(cls, state: dict) -> "Tokenizer": ...

    @classmethod
    @abstractmethod
    def train(cls, texts: Iterable[str], **options) -> "Tokenizer": ...

    @staticmethod
    def _ids_to_render(ids: Sequence[int]) -> list[int]:
        """The ids ``decode`` turns into text: all but PAD, BOS and EOS (a tensor is fine too)."""
        return [index for index in map(int, ids) if index not in _IDS_DECODE_SKIPS]

    def _extra_piece(self, index: int, extra_pieces: Sequence[str]) -> str:
        """The piece an id beyond the vocabulary stands for."""
        if index - self.vocab_size >= len(extra_pieces):
            raise IndexError(f"token id {index} is beyond this vocabulary of {self.vocab_size} tokens "
                             f"and its {len(extra_pieces)} extra pieces")
        return extra_pieces[index - self.vocab_size]


class _VocabularyTokenizer(Tokenizer):
    """A tokenizer that cuts text into tokens and looks each one up in a ``Vocabulary``."""

    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab

    @staticmethod
    @abstractmethod
    def _split(text: str) -> list[str]: ...

    @staticmethod
    @abstractmethod
    def _join(tokens: list[str]) -> str: ...

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def pieces(self, text: str) -> list[str]:
        return self._split(text)

    def id_of(self, piece: str) -> int:
        return self.vocab.id_of(piece)

    def piece_of(self, index: int) -> str:
        return self.vocab.token_of(index)

    def encode(self, text: str) -> list[int]:
        return [self.id_of(piece) for piece in self.pieces(text)]

    def decode(self, ids: Sequence[int], extra_pieces: Sequence[str] = ()) -> str:
        return self._join([
            self.vocab.token_of(index) if index < self.vocab_size else self._extra_piece(index, extra_pieces)
            for index in self._ids_to_render(ids)])

    def state_dict(self) -> dict:
        return {"kind": self.kind, **self.vocab.state_dict()}

    @classmethod
    def from_state_dict(cls, state: dict) -> "Tokenizer":
        return cls(Vocabulary.from_state_dict(state))

    @classmethod
    def train(cls, texts: Iterable[str], min_freq: int = 1, max_size: int | None = None) -> "Tokenizer":
        """Keeps tokens seen at least ``min_freq`` times, at most ``max_size`` ids in all."""
        return cls(Vocabulary.build((cls._split(text) for text in texts), min_freq, max_size))


class CharTokenizer(_VocabularyTokenizer):
    """One token per unicode code point, spaces included."""

    kind = "char"

    @staticmethod
    def _split(text: str) -> list[str]:
        return list(text)

    @staticmethod
    def _join(tokens: list[str]) -> str:
        return "".join(tokens)


class WordTokenizer(_VocabularyTokenizer):
    """One token per whitespace-separated word; decoding joins words with single spaces."""

    kind = "word"

    @staticmethod
    def _split(text: str) -> list[str]:
        return text.split()

    @staticmethod
    def _join(tokens: list[str]) -> str:
        return " ".join(tokens)


class SentencePieceTokenizer(Tokenizer):
    """Subwords (BPE or unigram) learnt by SentencePiece, trained in memory.

    Training uses the identity normalization and keeps all whitespace, so that
    decoding gives back exactly the text that was encoded.  The serialized
    model is the whole state.
    """

    kind = "sentencepiece"
    MODEL_TYPES = ("bpe", "unigram")

    def __init__(self, model_proto: bytes):
        self._model_proto = bytes(model_proto)
        self._processor = sentencepiece.SentencePieceProcessor(model_proto=self._model_proto)

    @property
    def vocab_size(self) -> int:
        return self._processor.get_piece_size()

    def pieces(self, text: str) -> list[str]:
        return self._processor.encode(text, out_type=str)

    def id_of(self, piece: str) -> int:
        return self._processor.piece_to_id(piece)

    def piece_of(self, index: int) -> str:
        return self._processor.id_to_piece(index)

    def encode(self, text: str) -> list[int]:
        return self._processor.encode(text, out_type=int)

    def decode(self, ids: Sequence[int], extra_pieces: Sequence[str] = ()) -> str:
        """SentencePiece renders a piece it lacks verbatim, so an extra piece's "▁" (its spaces) go
        in as pieces of their own: they then turn into spaces by SentencePiece's own rules."""
        pieces = []
        for index in self._ids_to_render(ids):
            if index < self.vocab_size:
                pieces.append(self._processor.id_to_piece(index))
            else:
                pieces += [part for part in _SENTENCEPIECE_SPACE.split(self._extra_piece(index, extra_pieces)) if part]
        return self._processor.decode_pieces(pieces)

    def state_dict(self) -> dict:
        return {"kind": self.kind, "model_proto": self._model_proto}

    @classmethod
    def from_state_dict(cls, state: dict) -> "Tokenizer":
        return cls(state["model_proto"])

    @classmethod
    def train(
        cls,
        texts: Iterable[str],
        vocab_size: int = 8000,
        model_type: str = "bpe",
        character_coverage: float = 1.0,
    ) -> "Tokenizer":
        """Learns at most ``vocab_size`` pieces (specials included).

        ``vocab_size`` is a soft limit (``hard_vocab_limit=False``): when the
        texts cannot fill it, the vocabulary is as large as they allow, so one
        config works for a tiny embedded data set and a real corpus alike;
        check ``vocab_size`` on the result for the size actually learnt.  A
        ``vocab_size`` too small to hold every character is still an error.
        """
        if model_type not in cls.MODEL_TYPES:
            raise ValueError(f"model_type must be one of {list(cls.MODEL_TYPES)}, got {model_type!r}")
        model = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(
            sentence_iterator=iter(texts),
            model_writer=model,
            model_type=model_type,
            vocab_size=vocab_size,
            hard_vocab_limit=False,
            character_coverage=character_coverage,
            pad_id=PAD_ID,
            bos_id=BOS_ID,
            eos_id=EOS_ID,
            unk_id=UNK_ID,
            pad_piece=SPECIAL_TOKENS[PAD_ID],
            bos_piece=SPECIAL_TOKENS[BOS_ID],
            eos_piece=SPECIAL_TOKENS[EOS_ID],
            unk_piece=SPECIAL_TOKENS[UNK_ID],
            unk_surface=SPECIAL_TOKENS[UNK_ID],
            normalization_rule_name="identity",
            remove_extra_whitespaces=False,
            minloglevel=2,
        )
        return cls(model.getvalue())


_TOKENIZER_CLASSES: dict[str, type[Tokenizer]] = {
    tokenizer_class.kind: tokenizer_class
    for tokenizer_class in (CharTokenizer, WordTokenizer, SentencePieceTokenizer)
}


def _tokenizer_class(kind: str) -> type[Tokenizer]:
    if kind not in _TOKENIZER_CLASSES:
        raise ValueError(f"unknown tokenizer kind {kind!r}; valid kinds: {sorted(_TOKENIZER_CLASSES)}")
    return _TOKENIZER_CLASSES[kind]


def build_tokenizer(kind: str, texts: Iterable[str], **options) -> Tokenizer:
    """Trains a tokenizer of the given kind on ``texts``; ``options`` go to its ``train``."""
    return _tokenizer_class(kind).train(texts, **options)


def tokenizer_from_state_dict(state: dict) -> Tokenizer:
    """Rebuilds the tokenizer that produced ``state`` (its ``"kind"`` says which class)."""
    return _tokenizer_class(state["kind"]).from_state_dict(state)
