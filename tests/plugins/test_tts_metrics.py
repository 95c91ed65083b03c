"""MCD-DTW and attention-shape metrics against brute force and hand computations."""
import math

import numpy as np
import torch

from plugins.tts.metrics import MCD_SCALE, dct_matrix, diagonality, dtw, focus, mcd_dtw, mel_cepstrum


def brute_force_dtw(cost):
    n, m = cost.shape
    best, length = np.full((n + 1, m + 1), np.inf), np.zeros((n + 1, m + 1), int)
    best[0, 0] = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            value, steps = min([(best[i - 1, j - 1], length[i - 1, j - 1]), (best[i - 1, j], length[i - 1, j]),
                                (best[i, j - 1], length[i, j - 1])], key=lambda x: x[0])
            best[i, j], length[i, j] = cost[i - 1, j - 1] + value, steps + 1
    return best[n, m], length[n, m]


def test_dtw_matches_brute_force():
    rng = np.random.default_rng(0)
    for _ in range(25):
        cost = rng.random((rng.integers(1, 10), rng.integers(1, 10)))
        total, length = dtw(cost)
        expected_total, expected_length = brute_force_dtw(cost)
        assert math.isclose(total, expected_total, rel_tol=1e-9) and length == expected_length


def test_dct_is_orthonormal_and_matches_the_definition():
    matrix = dct_matrix(8)
    assert np.allclose(matrix @ matrix.T, np.eye(8))
    x = np.random.default_rng(1).random(8)
    k = 3
    expected = math.sqrt(2 / 8) * sum(x[n] * math.cos(math.pi * k * (n + 0.5) / 8) for n in range(8))
    assert math.isclose((matrix @ x)[k], expected)


def test_mcd_is_zero_for_identical_and_hand_computed_for_a_shifted_cepstrum():
    mel = torch.randn(20, 80)
    assert mcd_dtw(mel, mel) == 0.0
    # adding 0.1 * (DCT basis vector 1) changes exactly c1 by 0.1 on every frame
    shifted = mel + 0.1 * torch.from_numpy(dct_matrix(80)[1]).float()
    assert math.isclose(mcd_dtw(shifted, mel), MCD_SCALE * 0.1, rel_tol=1e-4)
    # c0 (loudness) is not part of MCD; a time-stretched copy aligns at zero cost
    assert mcd_dtw(mel + 1.0, mel) < 1e-4
    assert mcd_dtw(mel.repeat_interleave(2, 0), mel) < 1e-4
    assert mel_cepstrum(mel, order=13).shape == (20, 13)


def test_diagonality_and_focus():
    diagonal = torch.eye(10)
    assert diagonality(diagonal) == 1.0 and focus(diagonal) == 1.0
    uniform = torch.full((10, 10), 0.1)
    assert math.isclose(focus(uniform), 0.1, rel_tol=1e-6)
    assert 0.3 < diagonality(uniform) < 0.5  # about 2 * band of the mass
    backwards = torch.eye(10).flip(1)
    assert diagonality(backwards) < 0.25
