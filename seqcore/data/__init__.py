"""Data pipeline core: vocabularies and tokenizers, Example/Batch and collate, the bucketing sampler."""

from seqcore.data.batch import Batch, Example, collate_examples, pad_sequences
from seqcore.data.sampler import TokenBudgetBatchSampler, padding_fraction
from seqcore.data.tokenizers import (
    CharTokenizer,
    SentencePieceTokenizer,
    Tokenizer,
    WordTokenizer,
    build_tokenizer,
    tokenizer_from_state_dict,
)
from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID, Vocabulary

__all__ = [
    "BOS_ID",
    "EOS_ID",
    "PAD_ID",
    "SPECIAL_TOKENS",
    "UNK_ID",
    "Batch",
    "CharTokenizer",
    "Example",
    "SentencePieceTokenizer",
    "TokenBudgetBatchSampler",
    "Tokenizer",
    "Vocabulary",
    "WordTokenizer",
    "build_tokenizer",
    "collate_examples",
    "pad_sequences",
    "padding_fraction",
    "tokenizer_from_state_dict",
]
