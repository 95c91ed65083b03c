"""Audio frontend: exact subsampling lengths, SpecAugment only in training, mean/variance normalization."""
import pytest
import torch

from seqcore.errors import ConfigError
from seqcore.modules.audio_frontend import AudioFrontend, ConvSubsampling, FeatureNormalization, SpecAugment


@pytest.mark.parametrize("factor", [4, 8])
def test_output_lengths_match_the_module_output(factor):
    torch.manual_seed(0)
    module = ConvSubsampling(input_dim=40, dim=16, factor=factor, channels=4).eval()
    for length in [1, 2, 6, 7, 8, 9, 14, 15, 16, 17, 31, 64, 100, 101, 257]:
        out, lengths = module(torch.randn(1, length, 40), torch.tensor([length]))
        assert out.shape[1] == int(lengths[0]) >= 1, length
    # hand computation of two/three unpadded stride-2 kernel-3 convolutions: floor((L - 3) / 2) + 1 each
    assert module.output_lengths(torch.tensor([100])).item() == {4: 24, 8: 11}[factor]


@pytest.mark.parametrize("factor", [4, 8])
def test_padding_does_not_change_the_frames_of_a_shorter_utterance(factor):
    torch.manual_seed(0)
    module = ConvSubsampling(input_dim=40, dim=16, factor=factor, channels=4).eval()
    lengths = torch.tensor([90, 61, 23])
    batch = torch.randn(3, 90, 40) * (torch.arange(90)[None, :, None] < lengths[:, None, None])
    out, out_lengths = module(batch, lengths)
    for row, length in enumerate(lengths.tolist()):
        alone, alone_length = module(batch[row:row + 1, :length], lengths[row:row + 1])
        assert int(alone_length) == int(out_lengths[row])
        torch.testing.assert_close(out[row, :alone_length], alone[0], rtol=1e-5, atol=1e-5)


def test_subsampling_rejects_other_factors():
    with pytest.raises(ConfigError, match="4 or 8"):
        ConvSubsampling(40, 16, factor=2)


def test_spec_augment_only_in_training_mode():
    torch.manual_seed(0)
    augment = SpecAugment(freq_masks=2, freq_width=10, time_masks=2, time_width=0.1, time_warp=5)
    features, lengths = torch.randn(4, 200, 80) + 5.0, torch.tensor([200, 150, 120, 60])
    augment.eval()
    assert torch.equal(augment(features, lengths), features)
    augment.train()
    masked = augment(features, lengths)
    assert masked.shape == features.shape and not torch.equal(masked, features)


def test_spec_augment_masks_are_bounded_and_inside_the_utterance():
    torch.manual_seed(1)
    augment = SpecAugment(freq_masks=2, freq_width=10, time_masks=2, time_width=0.1).train()
    features, lengths = torch.randn(8, 200, 80) + 5.0, torch.tensor([200, 180, 150, 120, 100, 80, 60, 40])
    masked = augment(features, lengths)
    for row, length in enumerate(lengths.tolist()):
        zero = masked[row] == 0
        zero_bins = zero[:length].all(0)  # a frequency mask zeroes its bins over every frame
        zero_frames = zero.all(1)
        assert int(zero_bins.sum()) <= 2 * 10
        assert int(zero_frames[:length].sum()) <= 2 * int(length * 0.1)
        # everything not in a mask is left as it was
        kept = ~(zero_bins[None, :] | zero_frames[:, None])
        assert torch.equal(masked[row][kept], features[row][kept])
    hits = sum(int((masked[r] == 0).all(0).sum()) for r in range(8))
    assert hits > 0  # some frequency band was masked somewhere


def test_time_warp_keeps_length_and_endpoints():
    torch.manual_seed(2)
    augment = SpecAugment(freq_masks=0, time_masks=0, time_warp=5).train()
    ramp = torch.arange(100.0)[None, :, None].expand(1, 100, 3).contiguous()
    warped = augment(ramp, torch.tensor([100]))
    assert warped.shape == ramp.shape
    assert (warped[0, 1:, 0] - warped[0, :-1, 0] >= -1e-4).all()  # a warp of time stays monotonic
    assert not torch.allclose(warped, ramp)


def test_utterance_normalization_against_a_direct_computation():
    torch.manual_seed(3)
    features, lengths = torch.randn(2, 50, 6) * 3 + 7, torch.tensor([50, 20])
    mask = torch.arange(50)[None, :] < lengths[:, None]
    out = FeatureNormalization("utterance", eps=0.0)(features, mask)
    for row, length in enumerate(lengths.tolist()):
        real = features[row, :length]
        expected = (real - real.mean(0)) / real.std(0, unbiased=False)
        torch.testing.assert_close(out[row, :length], expected, rtol=1e-4, atol=1e-4)
        assert (out[row, length:] == 0).all()


def test_global_normalization_uses_the_given_statistics():
    features, mask = torch.full((1, 4, 2), 5.0), torch.ones(1, 4, dtype=torch.bool)
    out = FeatureNormalization("global", mean=[1.0, 3.0], std=[2.0, 4.0])(features, mask)
    assert torch.allclose(out[0, 0], torch.tensor([2.0, 0.5]))
    with pytest.raises(ConfigError, match="mean and std"):
        FeatureNormalization("global")


def test_frontend_mask_follows_the_output_lengths():
    frontend = AudioFrontend(input_dim=80, dim=32, subsampling=4, channels=4).eval()
    lengths = torch.tensor([101, 40, 3])
    states, mask = frontend(torch.randn(3, 101, 80), lengths)
    assert states.shape == (3, 24, 32)
    assert mask.sum(1).tolist() == frontend.output_lengths(lengths).tolist() == [24, 9, 1]
