"""Token <-> id tables with the special ids every part of seqcore agrees on.

Heads, search and collate all need to know which id pads a batch, which one
starts and ends a sequence and which one stands for an unknown token.  They
are fixed here, once, so a tokenizer of any kind (characters, words,
SentencePiece) hands out ids a model can use without further translation.
"""

from collections import Counter
from collections.abc import Iterable

PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
SPECIAL_TOKENS = ("<pad>", "<s>", "</s>", "<unk>")


class Vocabulary:
    """An ordered list of distinct tokens; a token's id is its position.

    The first four tokens are always ``SPECIAL_TOKENS`` so that ids 0..3 mean
    pad, begin, end and unknown everywhere.
    """

    def __init__(self, tokens: list[str]):
        tokens = list(tokens)
        if tuple(tokens[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
            raise ValueError(
                f"a vocabulary must start with the special tokens {list(SPECIAL_TOKENS)}, "
                f"got {tokens[: len(SPECIAL_TOKENS)]}"
            )
        self._id_by_token = {token: index for index, token in enumerate(tokens)}
        if len(self._id_by_token) != len(tokens):
            repeated = sorted(token for token, count in Counter(tokens).items() if count > 1)
            raise ValueError(f"a vocabulary's tokens must be distinct, repeated: {repeated[:10]}")
        self._tokens = tokens

    @classmethod
    def build(
        cls,
        token_sequences: Iterable[Iterable[str]],
        min_freq: int = 1,
        max_size: int | None = None,
    ) -> "Vocabulary":
        """Counts tokens and keeps the frequent ones, most frequent first.

        Ties are broken alphabetically so the same data always gives the same
        ids.  ``max_size`` counts the four special tokens too, like the
        ``vocab_size`` of every tokenizer.  Special tokens found in the data
        are not counted: they already have their ids.
        """
        if min_freq < 1:
            raise ValueError(f"min_freq must be at least 1, got {min_freq}")
        if max_size is not None and max_size < len(SPECIAL_TOKENS):
            raise ValueError(
                f"max_size must leave room for the {len(SPECIAL_TOKENS)} special tokens, got {max_size}"
            )
        counts = Counter(token for sequence in token_sequences for token in sequence)
        frequent = sorted(
            (token for token, count in counts.items() if count >= min_freq and token not in SPECIAL_TOKENS),
            key=lambda token: (-counts[token], token),
        )
        if max_size is not None:
            frequent = frequent[: max_size - len(SPECIAL_TOKENS)]
        return cls([*SPECIAL_TOKENS, *frequent])

    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._id_by_token

    def id_of(self, token: str) -> int:
        """The token's id, or ``UNK_ID`` when the token is not in the vocabulary."""
        return self._id_by_token.get(token, UNK_ID)

    def token_of(self, index: int) -> str:
        if not 0 <= index < len(self._tokens):
            raise IndexError(f"token id {index} is outside this vocabulary of {len(self._tokens)} tokens")
        return self._tokens[index]

    def state_dict(self) -> dict:
        """Primitives only, so a checkpoint holding it loads with ``weights_only=True``."""
        return {"tokens": list(self._tokens)}

    @classmethod
    def from_state_dict(cls, state: dict) -> "Vocabulary":
        return cls(state["tokens"])
