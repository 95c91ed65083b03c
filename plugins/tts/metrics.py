"""Speech synthesis metrics: mel-cepstral distortion with DTW alignment, and attention shape.

MCD-DTW (dB): the mel cepstrum of a frame is the orthonormal DCT-II of its natural-log mel
spectrum (80 bands), coefficients 1..`order` (c0, the loudness, left out as usual). The two
utterances are aligned by dynamic time warping on the Euclidean distance of those vectors, and
MCD = 10 / ln 10 * sqrt(2 * sum_k (c_k - c'_k)^2) is averaged over the warping path. This is the
classic formula on a DCT-of-log-mel cepstrum rather than SPTK's mel-generalized cepstrum, so its
values are comparable between systems measured here (the bounds are computed the same way), not
with papers' absolute numbers.

Alignment shape of attention weights A [steps, S] (rows sum to 1):
- diagonality: the share of attention within `band` (a fraction of both lengths) of the diagonal
  s/S = t/T; 1.0 for a clean monotonic alignment of uniform pace, ~2 * band for attention spread
  evenly over the input.
- focus: the mean over steps of the largest weight (1.0 = every step attends to one symbol).
"""
from __future__ import annotations

import math

import numpy as np
import torch

MCD_SCALE = 10.0 / math.log(10.0) * math.sqrt(2.0)


def mel_cepstrum(log_mel: torch.Tensor | np.ndarray, order: int = 24) -> np.ndarray:
    """[frames, n_mels] natural-log mel -> [frames, order] cepstral coefficients 1..order."""
    values = log_mel.detach().cpu().double().numpy() if isinstance(log_mel, torch.Tensor) else np.asarray(log_mel, float)
    return values @ dct_matrix(values.shape[-1])[1:order + 1].T


def dct_matrix(size: int) -> np.ndarray:
    """Orthonormal DCT-II: row k is sqrt(2 / N) cos(pi k (n + 1/2) / N), row 0 scaled by 1 / sqrt(2)."""
    k, n = np.arange(size)[:, None], np.arange(size)[None, :]
    matrix = np.sqrt(2.0 / size) * np.cos(np.pi * k * (n + 0.5) / size)
    matrix[0] /= np.sqrt(2.0)
    return matrix


def dtw(cost: np.ndarray) -> tuple[float, int]:
    """(total cost, path length) of the cheapest monotonic path from (0, 0) to (N-1, M-1) with steps
    (1, 0), (0, 1), (1, 1). Each row is one vectorized min-plus scan: D[i, j] = S_j + min_{k<=j}(a_k - S_k),
    with S the row's cumulative cost and a_k the cost of entering (i, k) from the row above."""
    n, m = cost.shape
    total = np.full((n, m), np.inf)
    total[0] = np.cumsum(cost[0])
    for i in range(1, n):
        above = np.minimum(total[i - 1], np.concatenate([[np.inf], total[i - 1][:-1]]))
        entered = cost[i] + above
        running = np.cumsum(cost[i])
        total[i] = running + np.minimum.accumulate(entered - running)
    i, j, length = n - 1, m - 1, 1
    while i or j:  # walk back along the cheapest predecessors to count the path's frame pairs
        moves = [(i - 1, j - 1), (i - 1, j), (i, j - 1)]
        i, j = min((p for p in moves if p[0] >= 0 and p[1] >= 0), key=lambda p: total[p])
        length += 1
    return float(total[-1, -1]), length


def mcd_dtw(predicted: torch.Tensor, reference: torch.Tensor, order: int = 24) -> float:
    """Mean MCD (dB) of two log-mel spectrograms [frames, n_mels] along their DTW path."""
    a, b = mel_cepstrum(predicted, order), mel_cepstrum(reference, order)
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    distances = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    total, length = dtw(distances)
    return MCD_SCALE * total / length


def diagonality(alignment: torch.Tensor, band: float = 0.2) -> float:
    steps, sources = alignment.shape
    if steps == 0 or sources == 0:
        return 0.0
    t = (torch.arange(steps, dtype=torch.float32)[:, None] + 0.5) / steps
    s = (torch.arange(sources, dtype=torch.float32)[None, :] + 0.5) / sources
    inside = ((s - t).abs() <= band).float()
    return float((alignment.float().cpu() * inside).sum() / steps)


def focus(alignment: torch.Tensor) -> float:
    return float(alignment.float().max(-1).values.mean()) if alignment.numel() else 0.0
