"""CTC prefix scores for joint CTC/attention beam search, vectorized over hypotheses x candidates.

An autoregressive search proposes one token at a time; a CTC head can score such a partial
output by its prefix probability psi(g) = sum of p(l | x) over every labeling l that starts with
g (Watanabe et al. 2017, "Hybrid CTC/Attention Architecture for End-to-End Speech Recognition",
Algorithm 2; ESPnet's CTCPrefixScoreTH is the reference design). For each prefix g the state
keeps, at every frame t, r^n_t(g) and r^b_t(g): the probability of frames 0..t collapsing to g
and ending in g's last token or in a blank. Extending g by c costs one pass over the frames.

Conventions:
- log space throughout, -inf for impossible, never NaN;
- the state has a virtual frame before the first, where only the empty prefix is (ending in
  a blank, with probability 1), so the first frame needs no special case;
- frames past a row's length emit the blank with probability 1: alignments run on through them
  unchanged, so every row reads p(g) off its last frame and padding adds nothing to psi;
- the state holds which row of `log_probs` each hypothesis scores against, so a search may
  reorder, grow or shrink its hypotheses with `select` or `seqcore.modules.state.select_rows`.
"""
from __future__ import annotations

import torch

from seqcore.data.vocab import EOS_ID
from seqcore.heads.ctc import BLANK_ID


class CTCPrefixScorer:
    def __init__(self, log_probs: torch.Tensor, lengths: torch.Tensor, eos_id: int = EOS_ID,
                 blank_id: int = BLANK_ID):
        """log_probs [N, T, V] (N = sentences x beams), lengths [N]."""
        _, frames, vocab = log_probs.shape
        padding = torch.arange(frames, device=log_probs.device) >= lengths[:, None]
        blank_only = torch.full((vocab,), float("-inf"), device=log_probs.device)
        blank_only[blank_id] = 0.0
        self.log_probs = torch.where(padding[:, :, None], blank_only, log_probs.float())
        self.eos_id, self.blank_id = eos_id, blank_id

    def initial_state(self) -> dict:
        """The empty prefix in every row: psi = 1, and only blanks so far."""
        rows = self.log_probs.shape[0]
        blank = self.log_probs[:, :, self.blank_id]
        ends_in_blank = torch.cat([blank.new_zeros(rows, 1), blank.cumsum(1)], 1)
        ends_in_token = torch.full_like(ends_in_blank, float("-inf"))
        return {"r": torch.stack([ends_in_token, ends_in_blank], -1),  # [N, T + 1, (r^n, r^b)]
                "prefix_score": blank.new_zeros(rows),
                "row": torch.arange(rows, device=blank.device)}

    def prefix_score(self, state: dict) -> torch.Tensor:
        """log psi(g) of the current prefixes [N] (0 for the empty prefix)."""
        return state["prefix_score"]

    def score(self, state: dict, last_tokens: torch.Tensor, candidates: torch.Tensor) -> tuple[torch.Tensor, dict]:
        """log psi(g + c) for candidates [N, C], and their states; for c = eos, log p(g) instead.

        last_tokens [N]: the last token of each prefix (any non-candidate id, e.g. BOS, when empty).
        """
        row = state["row"]
        frames = torch.arange(self.log_probs.shape[1], device=row.device)
        token = self.log_probs[row[:, None, None], frames[None, :, None], candidates[:, None, :]]  # [N, T, C]
        blank = self.log_probs[row, :, self.blank_id, None].expand_as(token)
        ends_in_token, ends_in_blank = state["r"].unbind(-1)  # [N, T + 1] each
        # phi[:, t]: mass of g up to frame t - 1 that a new emission of c at frame t may follow
        # (only the blank-ending part when c repeats g's last token)
        repeat = candidates[:, None, :] == last_tokens[:, None, None]
        phi = torch.where(repeat, ends_in_blank[:, :-1, None],
                          torch.logaddexp(ends_in_blank, ends_in_token)[:, :-1, None])  # [N, T, C]
        psi = torch.logsumexp(phi + token, dim=1)
        whole = torch.logaddexp(ends_in_blank[:, -1], ends_in_token[:, -1])
        psi = torch.where(candidates == self.eos_id, whole[:, None], psi)
        r = _extended_forward(phi, torch.stack([token, blank], -1))
        return psi, {"r": r, "prefix_score": psi, "row": row[:, None].expand_as(candidates)}

    def select(self, candidate_states: dict, rows: torch.Tensor, columns: torch.Tensor) -> dict:
        """The state of the prefixes g + c chosen as candidate `columns[i]` of row `rows[i]`."""
        return {key: value[rows, columns] for key, value in candidate_states.items()}


def _extended_forward(phi: torch.Tensor, emission: torch.Tensor) -> torch.Tensor:
    """r^n, r^b of every g + c at every frame [N, C, T + 1, 2], one frame at a time.

    phi [N, T, C] as in `score`; emission [N, T, C, 2]: log-probs of c and of the blank.
    r^n_t = (r^n_{t-1} + phi_{t-1}) y^c_t and r^b_t = (r^b_{t-1} + r^n_{t-1}) y^blank_t, with time
    leading so that each frame is one contiguous slice.
    """
    rows, frames, candidates = phi.shape
    phi, emission = phi.transpose(0, 1).contiguous(), emission.transpose(0, 1).contiguous()
    r = phi.new_full((frames + 1, rows, candidates, 2), float("-inf"))
    first = int(phi.isfinite().flatten(1).any(1).long().argmax())  # g + c cannot start before it
    for t in range(first, frames):
        arriving = torch.stack([phi[t], r[t, ..., 0]], -1)
        torch.add(torch.logaddexp(r[t], arriving), emission[t], out=r[t + 1])
    return r.permute(1, 2, 0, 3)
