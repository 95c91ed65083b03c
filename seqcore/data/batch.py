"""One example and a padded batch of them: the data contract between tasks and models.

A task plugin turns its inputs into ``Example``s (token ids or feature
frames); ``collate_examples`` pads them into a ``Batch`` that every frontend,
head and search understands.  Each example carries its own ``id`` through
the batch because a length-bucketing sampler reorders examples, so outputs
must be written back by id, never by position.

``Batch`` is a plain (non-frozen) dataclass of tensors, which Lightning's
``move_data_to_device`` moves field by field.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch.nn.utils.rnn import pad_sequence

from seqcore.data.vocab import PAD_ID


@dataclass
class Example:
    id: int
    source: torch.Tensor  # LongTensor[S] of token ids, or FloatTensor[S, F] of feature frames
    target: torch.Tensor | None  # LongTensor[T] of token ids without BOS/EOS; None at inference
    # per-example tensors some heads need, e.g. a pointer-generator's source ids in the extended
    # target vocabulary; each is padded with 0 along its first dim into Batch.extras
    extras: dict[str, torch.Tensor] = field(default_factory=dict)


@dataclass
class Batch:
    ids: torch.Tensor  # LongTensor[B]: the examples' ids
    source: torch.Tensor  # [B, S] or [B, S, F], padded with 0
    source_lengths: torch.Tensor  # LongTensor[B]
    target: torch.Tensor | None  # LongTensor[B, T] padded with PAD_ID; None at inference
    target_lengths: torch.Tensor | None  # LongTensor[B]; None at inference
    extras: dict[str, torch.Tensor] = field(default_factory=dict)  # padded Example.extras, by key

    def __len__(self) -> int:
        return self.ids.shape[0]

    @property
    def source_mask(self) -> torch.Tensor:
        """BoolTensor[B, S], True at real (not padded) positions."""
        return _mask_from_lengths(self.source_lengths, self.source.shape[1])

    @property
    def target_mask(self) -> torch.Tensor | None:
        """BoolTensor[B, T], True at real positions; None without targets."""
        if self.target is None:
            return None
        return _mask_from_lengths(self.target_lengths, self.target.shape[1])


def _mask_from_lengths(lengths: torch.Tensor, max_length: int) -> torch.Tensor:
    positions = torch.arange(max_length, device=lengths.device)
    return positions.unsqueeze(0) < lengths.unsqueeze(1)


def pad_sequences(
    sequences: Sequence[torch.Tensor], pad_value: float = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stacks tensors of shapes [L_i, *trailing] into ([B, max L_i, *trailing], LongTensor[B] of L_i)."""
    if not sequences:
        raise ValueError("cannot pad an empty list of sequences")
    lengths = torch.tensor([sequence.shape[0] for sequence in sequences], dtype=torch.long)
    return pad_sequence(list(sequences), batch_first=True, padding_value=pad_value), lengths


def collate_examples(examples: Sequence[Example]) -> Batch:
    """Pads examples into a batch; sources pad with 0 (``PAD_ID`` for ids, 0.0 for features)."""
    if not examples:
        raise ValueError("cannot collate an empty list of examples")
    with_target = [example.target is not None for example in examples]
    if any(with_target) and not all(with_target):
        missing = [example.id for example, has_target in zip(examples, with_target) if not has_target]
        raise ValueError(
            f"either every example in a batch has a target or none has; examples without one: {missing[:10]}"
        )
    source, source_lengths = pad_sequences([example.source for example in examples], pad_value=PAD_ID)
    target, target_lengths = None, None
    if all(with_target):
        target, target_lengths = pad_sequences([example.target for example in examples], pad_value=PAD_ID)
    extras = {key: pad_sequences([example.extras[key] for example in examples])[0] for key in examples[0].extras}
    return Batch(
        ids=torch.tensor([example.id for example in examples], dtype=torch.long),
        source=source,
        source_lengths=source_lengths,
        target=target,
        target_lengths=target_lengths,
        extras=extras,
    )
