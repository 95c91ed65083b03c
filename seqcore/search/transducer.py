"""Frame-synchronous searches for transducer heads (`seqcore.heads.transducer.TransducerHead`).

Both searches walk the encoder frames in order and, on each frame, let a hypothesis emit
up to `max_symbols_per_frame` tokens: each decision is blank (go to the next frame) or a
token (stay on the frame); after the last allowed token the hypothesis moves on without a
blank. A hypothesis' `log_prob` is the sum of the log-probabilities of its decisions, and
`timestamps` are the frames its tokens were emitted on.

`transducer_beam_search` is icefall/k2's "modified beam search" (time-synchronous, one
symbol per frame at `max_symbols_per_frame=1`), generalized to several expansion rounds per
frame: each round keeps the best `beam_size` hypotheses of each utterance and, before
pruning, log-adds the candidates that reach the same state (same tokens, same frame, same
"may still emit on this frame"), keeping the timestamps of the more probable one. On the
same topology, greedy search is exactly beam search with `beam_size=1`.
"""
from __future__ import annotations

import torch

from seqcore.heads.capabilities import Transducer, decodes
from seqcore.heads.transducer import BLANK_ID
from seqcore.modules.state import EncoderOutput, select_rows
from seqcore.search.common import Hypothesis


@decodes(Transducer)
@torch.no_grad()
def transducer_greedy_search(head, encoded: EncoderOutput, max_symbols_per_frame: int = 3) -> list[list[Hypothesis]]:
    """Best decision at each step, batched over utterances; one hypothesis per utterance."""
    frames, lengths = head.project_encoder(encoded.states), encoded.lengths
    batch, device = frames.shape[0], frames.device
    predictions, state = head.predict(torch.full((batch,), BLANK_ID, device=device),
                                      head.predictor_initial_state(batch, device))
    log_prob = torch.zeros(batch, device=device)
    emissions = []  # (frame, token [B], emitted [B]) of every step, read back once at the end
    for t in range(int(lengths.max())):
        on_frame = lengths > t
        for _ in range(max_symbols_per_frame):
            best, token = head.join(frames[:, t], predictions).max(-1)
            log_prob += torch.where(on_frame, best, 0.0)
            on_frame &= token != BLANK_ID
            if not on_frame.any():
                break  # every utterance is done with this frame
            emissions.append((t, token, on_frame.clone()))
            predictions, state = _advance(head, token, on_frame, predictions, state)
    tokens: list[list[int]] = [[] for _ in range(batch)]
    timestamps: list[list[int]] = [[] for _ in range(batch)]
    for t, token, emitted in emissions:
        for row in emitted.nonzero().squeeze(1).tolist():
            tokens[row].append(int(token[row]))
            timestamps[row].append(t)
    return [[Hypothesis(hyp_tokens, score, score, hyp_timestamps)]
            for hyp_tokens, hyp_timestamps, score in zip(tokens, timestamps, log_prob.tolist())]


@decodes(Transducer)
@torch.no_grad()
def transducer_beam_search(head, encoded: EncoderOutput, beam_size: int = 4, nbest: int = 1,
                           max_symbols_per_frame: int = 3) -> list[list[Hypothesis]]:
    """Modified beam search, batched over utterances x beams; n-best per utterance, best first."""
    frames, lengths = head.project_encoder(encoded.states), encoded.lengths
    batch, device, k = frames.shape[0], frames.device, beam_size
    rows = batch * k
    predictions, state = head.predict(torch.full((rows,), BLANK_ID, device=device),
                                      head.predictor_initial_state(rows, device))
    scores = torch.full((batch, k), float("-inf"), device=device)
    scores[:, 0] = 0.0
    tokens: list[tuple[int, ...]] = [()] * rows  # per beam row
    timestamps: list[tuple[int, ...]] = [()] * rows
    for t in range(int(lengths.max())):
        on_frame = (lengths > t)[:, None] & scores.isfinite()  # [B, K] may still emit on frame t
        frame = frames[:, t].repeat_interleave(k, 0)
        for expansion in range(max_symbols_per_frame):
            if not on_frame.any():
                break
            last = expansion == max_symbols_per_frame - 1
            log_probs = head.join(frame, predictions).view(batch, k, -1)
            stay = torch.full_like(log_probs[0, 0], float("-inf"))
            stay[BLANK_ID] = 0.0  # a hypothesis done with the frame only carries over, unchanged
            candidates = scores[..., None] + torch.where(on_frame[..., None], log_probs, stay)
            _merge_duplicates(candidates, tokens, on_frame, last)
            scores, index = candidates.view(batch, -1).topk(k, dim=1)
            parent, token = index // log_probs.shape[-1], index % log_probs.shape[-1]
            emitted = (token != BLANK_ID) & scores.isfinite()
            on_frame = emitted  # after the last expansion, every hypothesis moves on to the next frame
            parent_rows = (torch.arange(batch, device=device)[:, None] * k + parent).flatten()
            predictions, state = _advance(head, token.flatten(), emitted.flatten(),
                                          predictions[parent_rows], select_rows(state, parent_rows))
            tokens, timestamps = _extend(tokens, timestamps, parent_rows, token, emitted, t)
    return [[Hypothesis(list(tokens[b * k + j]), score, score, list(timestamps[b * k + j]))
             for j, score in enumerate(beam_scores[:nbest]) if score > float("-inf")]
            for b, beam_scores in enumerate(scores.tolist())]  # topk keeps each beam sorted, best first


def _advance(head, token: torch.Tensor, emitted: torch.Tensor, predictions: torch.Tensor, state):
    """Feed `token` to the predictor on the rows that emitted it; other rows keep their prediction and state."""
    if not emitted.any():
        return predictions, state
    new_predictions, new_state = head.predict(token, state)
    return torch.where(emitted[:, None], new_predictions, predictions), _where_rows(emitted, new_state, state)


def _where_rows(condition: torch.Tensor, if_true, if_false):
    """Row-wise `torch.where` over two nested states of one structure (the batch on dim 0)."""
    if isinstance(if_true, torch.Tensor):
        return torch.where(condition.view(-1, *[1] * (if_true.dim() - 1)), if_true, if_false)
    if isinstance(if_true, dict):
        return {key: _where_rows(condition, value, if_false[key]) for key, value in if_true.items()}
    if isinstance(if_true, (list, tuple)):
        chosen = [_where_rows(condition, a, b) for a, b in zip(if_true, if_false)]
        return type(if_true)(*chosen) if hasattr(if_true, "_fields") else type(if_true)(chosen)
    return if_true


def _merge_duplicates(candidates: torch.Tensor, tokens: list[tuple[int, ...]], on_frame: torch.Tensor,
                      last: bool) -> None:
    """Log-add, in place, the candidates [B, K, V] that lead to the same hypothesis state.

    Candidates ending the frame (blank, or the carry-over of a hypothesis already done with it)
    collide when their tokens are equal; at the last expansion a token also ends the frame, so
    "prefix + y" collides with a blank extension of "prefix, y". Token candidates that stay on
    the frame are distinct (beam rows are distinct states), so those are all the collisions.
    The sum goes to the most probable cell of each group, the others become -inf.
    """
    batch, k, _ = candidates.shape
    alive, open_rows = candidates.isfinite().any(-1).tolist(), on_frame.tolist()
    for b in range(batch):
        ending: dict[tuple[int, ...], list[tuple[int, int]]] = {}
        for j in range(k):
            if alive[b][j]:
                ending.setdefault(tokens[b * k + j], []).append((j, BLANK_ID))
        if last:
            open_by_tokens = {tokens[b * k + j]: j for j in range(k) if alive[b][j] and open_rows[b][j]}
            for sequence, cells in ending.items():
                if sequence and sequence[:-1] in open_by_tokens:
                    cells.append((open_by_tokens[sequence[:-1]], sequence[-1]))
        for cells in ending.values():
            if len(cells) > 1:
                beams, symbols = torch.tensor(cells, device=candidates.device).T
                values = candidates[b, beams, symbols]
                best = int(values.argmax())
                candidates[b, beams, symbols] = float("-inf")
                candidates[b, beams[best], symbols[best]] = values.logsumexp(0)


def _extend(tokens, timestamps, parent_rows: torch.Tensor, token: torch.Tensor, emitted: torch.Tensor, t: int):
    """The token and timestamp histories of the selected beam rows, with this step's emissions appended."""
    new_tokens, new_timestamps = [], []
    for parent, symbol, emit in zip(parent_rows.tolist(), token.flatten().tolist(), emitted.flatten().tolist()):
        new_tokens.append(tokens[parent] + (symbol,) if emit else tokens[parent])
        new_timestamps.append(timestamps[parent] + (t,) if emit else timestamps[parent])
    return new_tokens, new_timestamps
