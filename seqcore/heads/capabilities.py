"""What a search needs from a head, as typed protocols: a search decodes every head that implements
its protocol, and nothing else.

A head does not list the searches it allows, nor declare a kind: selection
(`seqcore.search.common.check_search`) checks `isinstance(head, search.decodes)`, so a new head
works with every search whose protocol it implements, and a new search with every head that
implements its protocol. The protocols are `runtime_checkable`: the check is that the members
exist (their signatures are documented here and type-checked statically, not at run time).
"""
from __future__ import annotations

from typing import Any, Callable, Protocol, TypeVar, runtime_checkable

import torch

from seqcore.modules.state import EncoderOutput


@runtime_checkable
class Autoregressive(Protocol):
    """One output symbol (a token or a source position) at a time, conditioned on those before:
    greedy, beam and sampling searches (attention, pointer-generator, pointer network, hybrid)."""

    def init_state(self, encoded: EncoderOutput) -> Any:
        """The search state of a batch of encoded sources (rows follow `select_rows`)."""

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        """tokens [N] (the previous symbols) -> log-probabilities [N, V] of the next, new state."""


@runtime_checkable
class FrameAligned(Protocol):
    """An output distribution per encoder frame, blank at index 0: CTC searches (CTC, hybrid)."""

    def log_probs(self, encoded: EncoderOutput) -> tuple[torch.Tensor, torch.Tensor]:
        """log-probabilities [B, T, V] and the number of real frames [B]."""


@runtime_checkable
class WithCTCBranch(Protocol):
    """A head with a CTC branch beside its decoder (hybrid): joint CTC/attention beam search
    (`search.ctc_weight`) scores prefixes with it."""

    ctc: FrameAligned


@runtime_checkable
class Transducer(Protocol):
    """Encoder frames x prediction network, joined: frame-synchronous transducer searches."""

    def project_encoder(self, states: torch.Tensor) -> torch.Tensor:
        """Encoder states [B, T, D] -> the joiner's frame inputs."""

    def predictor_initial_state(self, batch_size: int, device: torch.device) -> Any:
        """The prediction network's state before any token."""

    def predict(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        """tokens [N] -> the prediction network's outputs [N, D'] and its new state."""

    def join(self, frames: torch.Tensor, predictions: torch.Tensor) -> torch.Tensor:
        """Frame and prediction inputs -> log-probabilities over blank + tokens."""


@runtime_checkable
class FrameDecoder(Protocol):
    """Continuous frames (a mel spectrogram), `reduction` per step, until a stop token: frames search (TTS)."""

    frame_dim: int
    reduction: int

    def init_frame_state(self, encoded: EncoderOutput, attention_window: int = 0) -> Any:
        """The decoder state of a batch of encoded inputs (`attention_window` > 0: monotonic window)."""

    def frame_step(self, previous_frame: torch.Tensor, state: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Any]:
        """previous frame [N, F] -> frames [N, reduction, F], stop logits [N], attention [N, S], new state."""

    def refine(self, frames: torch.Tensor) -> torch.Tensor:
        """Decoder frames [B, T, F] -> the refined frames (a postnet's residual correction)."""


SearchFunction = TypeVar("SearchFunction", bound=Callable)


def decodes(protocol: type) -> Callable[[SearchFunction], SearchFunction]:
    """Marks a search with the protocol of the heads it decodes (read by `check_search`)."""

    def mark(search: SearchFunction) -> SearchFunction:
        search.decodes = protocol
        return search

    return mark
