"""Which training examples a CTC loss can learn at all, said before training starts.

CTC emits each target label on a frame of its own and needs a blank frame between two equal
adjacent labels (else they collapse into one), so an example needs at least len(target) +
(adjacent repeats) frames. With fewer its loss is infinite, and the CTC loss's `zero_infinity`
silences it: training would go on without those examples and without a word. A text task whose
outputs are longer than its inputs then needs `head.upsample`; this module counts the examples
that do not fit and the smallest upsample that fits them all.

Input frames come from the frontend's `output_lengths` (token and feature frontends: one frame
per position; image and audio frontends: what their convolutions leave); the encoders keep the
frontend's length.
"""
from __future__ import annotations

import logging
from typing import Protocol, Sequence, runtime_checkable

import torch

from seqcore.data import Example
from seqcore.heads import CTCHead, HybridHead, TransducerHead

log = logging.getLogger(__name__)


@runtime_checkable
class CountsFrames(Protocol):
    """A frontend that knows how many frames an input of a given length becomes."""

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor: ...


def frames_needed(target: Sequence[int]) -> int:
    """The fewest frames a CTC alignment of `target` takes: a frame per label, a blank between repeats."""
    return len(target) + sum(a == b for a, b in zip(target, target[1:]))


def count_infeasible(source_frames: Sequence[int], targets: Sequence[Sequence[int]], upsample: int) -> tuple[int, int]:
    """(examples whose `source_frames` x `upsample` are fewer than their target needs, examples)."""
    infeasible = sum(frames * upsample < frames_needed(target)
                     for frames, target in zip(source_frames, targets, strict=True))
    return infeasible, len(targets)


def smallest_upsample(source_frames: Sequence[int], targets: Sequence[Sequence[int]]) -> int | None:
    """The smallest `head.upsample` that fits every example; None when an input without frames has a target."""
    needs = [(frames, frames_needed(target)) for frames, target in zip(source_frames, targets, strict=True)]
    if any(frames == 0 and need > 0 for frames, need in needs):
        return None
    return max([1] + [-(-need // frames) for frames, need in needs if frames > 0])


def ctc_upsample(head) -> int | None:
    """The upsample of the head's CTC loss; None for a head that trains no CTC loss."""
    if isinstance(head, CTCHead):
        return head.upsample
    if isinstance(head, HybridHead) and head.ctc_weight > 0:
        return head.ctc.upsample
    if isinstance(head, TransducerHead) and head.auxiliary_ctc is not None:
        return head.auxiliary_ctc.upsample
    return None


def infeasibility_warning(model, examples: Sequence[Example]) -> str | None:
    """The warning for the training `examples` of `model` (a Seq2Seq) that its CTC loss cannot learn;
    None when all fit, the head trains no CTC loss, or the frontend does not count its frames."""
    upsample = ctc_upsample(model.head)
    if upsample is None:
        return None
    if not isinstance(model.frontend, CountsFrames):
        log.debug("ctc: %s has no output_lengths, so which examples fit is not checked", type(model.frontend).__name__)
        return None
    lengths = torch.tensor([len(example.source) for example in examples], dtype=torch.long)
    frames = model.frontend.output_lengths(lengths).tolist()
    targets = [example.target.tolist() for example in examples]
    infeasible, total = count_infeasible(frames, targets, upsample)
    if not infeasible:
        return None
    fitting = smallest_upsample(frames, targets)
    remedy = f"head.upsample={fitting} fits them" if fitting else "some inputs have no frames at all"
    return (f"ctc: {infeasible} of {total} training examples have targets longer than their input frames "
            f"(+repeats) and cannot be learned; {remedy}")
