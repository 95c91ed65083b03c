"""The transducer loss on CPU as a vectorized forward (alpha) recursion, gradients by autograd.

torchaudio's `rnnt_loss` walks the lattice cell by cell in C++ on CPU; here each frame is one
batched step over every utterance and every target position. Along a frame t, the alphas obey
alpha[t, u] = logaddexp(alpha[t-1, u] + blank[t-1, u], alpha[t, u-1] + emit[t, u-1]): a scan
over u, which a prefix sum of the emissions E[u] = sum_{j<u} emit[t, j] turns into one
`logcumsumexp`: alpha[t, u] = E[u] + logcumsumexp_k(alpha[t-1, k] + blank[t-1, k] - E[k])[u].
The recursion runs in float64 (the prefix sums of log-probabilities grow large), on tensors of
[B, U+1]; the [B, T, U+1, V] lattice is touched twice, by the log-softmax and a gather.
-log P(y | x) = -(alpha[T-1, U] + blank[T-1, U]) at each utterance's own lengths. Checked
against torchaudio's `rnnt_loss` and the forward algorithm written out (tests/unit/test_transducer.py);
`TransducerHead` uses it on CPU and keeps torchaudio's on GPU.
"""
from __future__ import annotations

import torch


def transducer_nll(logits: torch.Tensor, targets: torch.Tensor, frame_lengths: torch.Tensor,
                   target_lengths: torch.Tensor, blank: int) -> torch.Tensor:
    """-log P(target | frames) of each utterance [B], from logits [B, T, U+1, V], targets [B, U]
    (padded with anything), frame_lengths [B] <= T and target_lengths [B] <= U."""
    batch, frames, positions, _ = logits.shape
    log_probs = logits.float().log_softmax(-1)
    blank_log_probs = log_probs[..., blank].double()  # [B, T, U+1]
    emit_log_probs = log_probs[:, :, :-1].gather(-1, targets[:, None, :positions - 1, None].long().expand(
        -1, frames, -1, 1)).squeeze(-1).double()  # [B, T, U]
    prefix = torch.cat([emit_log_probs.new_zeros(batch, frames, 1), emit_log_probs.cumsum(-1)], -1)  # E, [B, T, U+1]
    alpha = prefix[:, 0]  # frame 0: only emissions
    alphas = [alpha]
    for t in range(1, frames):
        arriving = alpha + blank_log_probs[:, t - 1]
        alpha = prefix[:, t] + torch.logcumsumexp(arriving - prefix[:, t], -1)
        alphas.append(alpha)
    rows = torch.arange(batch, device=logits.device)
    last_frame, last_position = frame_lengths.long() - 1, target_lengths.long()
    final = torch.stack(alphas, 1)[rows, last_frame, last_position] + blank_log_probs[rows, last_frame, last_position]
    return -final.float()
