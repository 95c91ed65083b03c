"""Conformer encoder: torchaudio's layer computation, outputs independent of the padding."""
import torch

from seqcore.modules.conformer import ConformerEncoder, masked_layer


def test_masked_layer_equals_torchaudio_without_padding():
    torch.manual_seed(0)
    encoder = ConformerEncoder(dim=32, layers=2, heads=4, ffn_dim=64, kernel_size=7, dropout=0.0).eval()
    x = torch.randn(12, 3, 32)  # [S, B, D]
    keep = torch.ones(12, 3, 1)
    for layer in encoder.conformer.conformer_layers:
        torch.testing.assert_close(masked_layer(layer, x, torch.zeros(3, 12, dtype=torch.bool), keep),
                                   layer(x, None), rtol=1e-5, atol=1e-5)


def test_padding_does_not_change_the_outputs():
    torch.manual_seed(1)
    encoder = ConformerEncoder(dim=32, layers=2, heads=4, ffn_dim=64, kernel_size=7).eval()
    lengths = torch.tensor([30, 17, 5])
    mask = torch.arange(30)[None, :] < lengths[:, None]
    x = torch.randn(3, 30, 32)
    states, out_mask = encoder(x, mask)
    assert torch.equal(out_mask, mask) and (states[~mask] == 0).all()
    for row, length in enumerate(lengths.tolist()):
        alone, _ = encoder(x[row:row + 1, :length], mask[row:row + 1, :length])
        torch.testing.assert_close(states[row, :length], alone[0], rtol=1e-4, atol=1e-4)


def test_trains():
    torch.manual_seed(2)
    encoder = ConformerEncoder(dim=16, layers=1, heads=2, ffn_dim=32, kernel_size=3)
    x, mask = torch.randn(2, 10, 16), torch.ones(2, 10, dtype=torch.bool)
    states, _ = encoder(x, mask)
    states.pow(2).mean().backward()
    assert all(p.grad is not None for p in encoder.parameters() if p.requires_grad)
    assert encoder.output_dim == 16
