"""The image frontend: frame counts match what the CNN really outputs, and batching changes nothing."""
import pytest
import torch

from seqcore.modules import ImageFrontend


def _frontend(**options) -> ImageFrontend:
    torch.manual_seed(0)
    return ImageFrontend(height=32, dim=24, channels=(4, 6, 8, 8), dropout=0.0, **options).eval()


@pytest.mark.parametrize("width_pools", [(2, 2, 1, 1), (2, 1, 2, 2), (1, 1, 1, 1), (3, 2, 1, 1)])
def test_frames_match_the_cnn_output_width_for_many_widths(width_pools):
    frontend = _frontend(width_pools=width_pools)
    widths = list(range(12, 44)) + [63, 64, 65, 127, 128, 129, 501]
    with torch.no_grad():
        for width in widths:
            features, mask = frontend(torch.rand(1, width, 32), torch.tensor([width]))
            # the CNN's own output width (no masking involved) is the count `output_lengths` predicts
            x = torch.rand(1, 1, 32, width)
            for block in frontend.blocks:
                x = block(x)
            expected = -(-width // width_pools[0])  # hand arithmetic: the strided stem rounds up,
            for pool in width_pools[1:]:
                expected //= pool  # later 3x3 convs with padding 1 keep the width and pools floor it
            assert x.shape[-1] == expected == features.shape[1] == int(frontend.output_lengths(torch.tensor(width)))
            assert int(mask.sum()) == expected and features.shape[2] == 24


def test_an_image_gets_the_same_features_alone_and_padded_in_a_batch():
    frontend = _frontend()
    short, long = torch.rand(53, 32), torch.rand(120, 32)
    batch = torch.zeros(2, 120, 32)
    batch[0, :53], batch[1] = short, long
    with torch.no_grad():
        alone, alone_mask = frontend(short[None], torch.tensor([53]))
        together, mask = frontend(batch, torch.tensor([53, 120]))
    assert mask.tolist()[0] == [True] * 13 + [False] * 17 and mask[1].all()  # ceil(53 / 2) // 2 = 13 of 30
    torch.testing.assert_close(together[0, :13], alone[0], atol=1e-5, rtol=1e-5)


def test_height_and_block_checks():
    with pytest.raises(ValueError, match="pooled away"):
        ImageFrontend(height=8, channels=(4, 4, 4, 4))
    with pytest.raises(ValueError, match="one entry per block"):
        ImageFrontend(height=32, channels=(4, 4), width_pools=(2,))
    with pytest.raises(ValueError, match="32 px high"):
        _frontend()(torch.rand(1, 40, 48), torch.tensor([40]))
