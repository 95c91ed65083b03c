"""Free-running decoding of a frames head (text-to-speech): each step feeds the last predicted
frame back in, until the stop token fires or a cap on steps relative to the input length.

The cap is `max_len_a * source_length + max_len_b` frames (as the token searches' output cap),
turned into decoder steps of `head.reduction` frames; an input that reaches it without a stop
token is cut there and counted in a warning, since a model that never stops (an alignment that
fails on this input) is something to know about, not to hide.

`attention_window` > 0 lets each step attend only near the previous step's attention peak (one
position back to `attention_window` ahead): monotonic speech from a model whose free-running
alignment is still unsure.

With an extras entry "segments" (LongTensor [S] per example: the sentence index of each source
position), each segment is decoded on its own, its attention masked to its positions, and the
frames are concatenated: long inputs are spoken sentence by sentence, as trained.

Returns one Hypothesis per input: `frames` [T, F] (postnet output), `alignment` [steps, S_i] (over its own S_i positions)
(attention weights), empty `tokens`; `score` is 1.0 when stop tokens ended every segment, 0.0 when
the cap cut one; `log_prob` is 0 (there is no likelihood to rank).
"""
from __future__ import annotations

import logging

import torch

from seqcore.heads.capabilities import FrameDecoder, decodes
from seqcore.modules.state import EncoderOutput, select_rows
from seqcore.search.common import Hypothesis, max_lengths

log = logging.getLogger(__name__)


@decodes(FrameDecoder)
@torch.no_grad()
def frames_search(head, encoded: EncoderOutput, max_len_a: float = 12.0, max_len_b: int = 40,
                  stop_threshold: float = 0.5, min_length: int = 1, attention_window: int = 0) -> list[list[Hypothesis]]:
    batch, sources = encoded.mask.shape
    segments = (encoded.extras or {}).get("segments")
    if segments is None:
        segments = torch.zeros_like(encoded.mask, dtype=torch.long)
    segments = segments.masked_fill(~encoded.mask, -1)
    frames = [[] for _ in range(batch)]
    alignments = [[] for _ in range(batch)]
    stopped, capped = [True] * batch, 0
    for segment in range(int(segments.max()) + 1):
        mask = segments == segment
        rows = mask.any(1).nonzero().squeeze(1)
        if len(rows) == 0:
            continue
        part = select_rows(EncoderOutput(encoded.states, mask, None), rows)
        decoded, attention, row_stopped = _decode(head, part, max_len_a, max_len_b, stop_threshold, min_length,
                                                  attention_window)
        for row, out, weights, stop in zip(rows.tolist(), decoded, attention, row_stopped):
            frames[row].append(out)
            alignments[row].append(weights)
            stopped[row] &= stop
            capped += not stop
    if capped:
        log.warning("frames search: %d segment(s) reached the step cap (search.max_len_a=%s x input length + "
                    "search.max_len_b=%s frames) without a stop token and were cut there", capped, max_len_a, max_len_b)
    empty = encoded.states.new_zeros(0, head.frame_dim)
    lengths = encoded.lengths.tolist()  # alignments keep each input's own positions, not the batch's padding
    return [[Hypothesis([], float(stop), 0.0, frames=torch.cat(f) if f else empty,
                        alignment=(torch.cat(a) if a else encoded.states.new_zeros(0, sources))[:, :length])]
            for f, a, stop, length in zip(frames, alignments, stopped, lengths)]


def _decode(head, encoded: EncoderOutput, max_len_a: float, max_len_b: int, stop_threshold: float,
            min_length: int, attention_window: int) -> tuple[list[torch.Tensor], list[torch.Tensor], list[bool]]:
    """Frames [T_i, F] (refined by the postnet) and attention [steps_i, S] of each row, and whether its stop token fired."""
    rows, device, r = encoded.states.shape[0], encoded.states.device, head.reduction
    limits = -(-max_lengths(encoded.lengths, max_len_a, max_len_b) // r)  # in decoder steps
    min_steps = -(-min_length // r)
    state = head.init_frame_state(encoded, attention_window)
    previous = encoded.states.new_zeros(rows, head.frame_dim)
    done = torch.zeros(rows, dtype=torch.bool, device=device)
    ends = limits.clone()
    stopped = torch.zeros(rows, dtype=torch.bool, device=device)
    outputs, weights = [], []
    for step in range(1, int(limits.max()) + 1):
        out, stop_logit, attention, state = head.frame_step(previous, state)
        outputs.append(out)
        weights.append(attention)
        stop = ~done & (torch.sigmoid(stop_logit) > stop_threshold) & (step >= min_steps)
        stopped |= stop
        finished = ~done & (stop | (step >= limits))
        ends[finished] = step
        done |= finished
        previous = out[:, -1]
        if done.all():
            break
    outputs, weights = torch.cat(outputs, 1), torch.stack(weights, 1)
    frames = [head.refine(outputs[i:i + 1, : int(ends[i]) * r])[0] for i in range(rows)]
    attention = [weights[i, : int(ends[i])] for i in range(rows)]
    return frames, attention, stopped.tolist()
