"""Sinusoidal positions come from a cached table: equal to the formula at every offset, in any mode."""
import math

import torch

from seqcore.modules.transformer import sinusoidal_positions


def formula(length: int, dim: int, offset: int) -> torch.Tensor:
    positions = torch.arange(offset, offset + length, dtype=torch.float32)[:, None]
    rates = torch.exp(torch.arange(0, dim, 2, dtype=torch.float32) * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim)
    table[:, 0::2] = torch.sin(positions * rates)
    table[:, 1::2] = torch.cos(positions * rates[: dim // 2])
    return table


def test_every_offset_equals_the_formula_also_after_the_table_grew():
    for length, offset, dim in [(20, 0, 24), (1, 5, 24), (1, 63, 24), (1, 64, 24), (300, 0, 24), (3, 1000, 24),
                                (4, 2, 7)]:
        assert torch.equal(sinusoidal_positions(length, dim, offset), formula(length, dim, offset))


def test_a_table_made_under_inference_mode_serves_training():
    with torch.inference_mode():
        sinusoidal_positions(10, 18)
    x = torch.zeros(10, 18, requires_grad=True)
    (x + sinusoidal_positions(10, 18)).sum().backward()  # an inference tensor here would raise
    assert not sinusoidal_positions(10, 18).is_inference()
