"""frames_search's stop logic, step cap (with its warning) and per-segment decoding, on a scripted head."""
import logging

import torch

from seqcore.modules.state import EncoderOutput
from seqcore.search import frames_search


class ScriptedHead:
    """Emits r frames per step whose values count the steps; the stop logit fires at a row's scripted step."""

    frame_dim, reduction = 2, 3

    def __init__(self, stop_at: list[int | None]):
        self.stop_at = stop_at
        self.refined = 0

    def init_frame_state(self, encoded, attention_window=0):
        rows = encoded.states.shape[0]
        return {"step": torch.zeros(rows), "row": torch.arange(rows), "mask": encoded.mask}

    def frame_step(self, previous, state):
        step = state["step"] + 1
        stop = torch.tensor([10.0 if self.stop_at[r] is not None and s >= self.stop_at[r] else -10.0
                             for r, s in zip(state["row"].tolist(), step.tolist())])
        frames = step[:, None, None].expand(-1, self.reduction, self.frame_dim).clone()
        attention = state["mask"].float() / state["mask"].float().sum(1, keepdim=True)
        return frames, stop, attention, {**state, "step": step}

    def refine(self, frames):
        self.refined += 1
        return frames + 0.5


def encoded(lengths, segments=None):
    mask = torch.arange(max(lengths))[None, :] < torch.tensor(lengths)[:, None]
    extras = {"segments": segments} if segments is not None else None
    return EncoderOutput(torch.zeros(len(lengths), max(lengths), 4), mask, extras)


def test_each_row_stops_at_its_stop_token_and_keeps_that_steps_frames():
    head = ScriptedHead([2, 4])
    hypotheses = frames_search(head, encoded([5, 5]), max_len_a=10.0, max_len_b=0)
    first, second = hypotheses[0][0], hypotheses[1][0]
    assert first.frames.shape == (2 * 3, 2) and second.frames.shape == (4 * 3, 2)
    assert first.frames[:, 0].tolist() == [1.5] * 3 + [2.5] * 3  # postnet applied (+0.5) to the kept frames only
    assert first.alignment.shape == (2, 5) and torch.allclose(first.alignment.sum(1), torch.ones(2))
    assert first.score == second.score == 1.0 and first.tokens == []


def test_the_cap_is_relative_to_input_length_and_warns(caplog):
    head = ScriptedHead([None, 1])
    with caplog.at_level(logging.WARNING):
        hypotheses = frames_search(head, encoded([4, 2]), max_len_a=2.0, max_len_b=1)
    # cap = 2 * 4 + 1 = 9 frames -> 3 steps of 3 frames for the row that never stops
    assert hypotheses[0][0].frames.shape[0] == 9 and hypotheses[0][0].score == 0.0
    assert hypotheses[1][0].frames.shape[0] == 3 and hypotheses[1][0].score == 1.0
    assert "1 segment(s) reached the step cap" in caplog.text


def test_min_length_delays_an_early_stop():
    hypotheses = frames_search(ScriptedHead([1]), encoded([6]), min_length=7)
    assert hypotheses[0][0].frames.shape[0] == 9  # 7 frames need 3 steps of 3


def test_segments_are_spoken_one_after_another_with_attention_inside_each():
    segments = torch.tensor([[0, 0, 1, 1, 1], [0, 0, 0, 0, 0]])
    hypotheses = frames_search(ScriptedHead([2, 2]), encoded([5, 3], segments))
    two_parts, one_part = hypotheses[0][0], hypotheses[1][0]
    assert two_parts.frames.shape[0] == 2 * 2 * 3 and one_part.frames.shape[0] == 2 * 3
    assert torch.allclose(two_parts.alignment[:2], torch.tensor([[0.5, 0.5, 0, 0, 0]] * 2))
    assert torch.allclose(two_parts.alignment[2:], torch.tensor([[0, 0, 1 / 3, 1 / 3, 1 / 3]] * 2))
    assert torch.allclose(one_part.alignment, torch.tensor([[1 / 3, 1 / 3, 1 / 3]] * 2))  # its own 3 positions
