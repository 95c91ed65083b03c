"""Scan distortions for training OCR on real lines: identity in eval, width and padding kept, a shear
that slants a vertical stroke by the drawn amount."""
import pytest
import torch

from seqcore.modules import ImageFrontend
from seqcore.modules.scan_augment import ScanAugment


def stroke_images(batch: int = 4, height: int = 32, width: int = 64, column: int = 30) -> torch.Tensor:
    images = torch.zeros(batch, 1, height, width)
    images[:, :, 4:28, column] = 1.0  # a vertical stroke
    return images


def test_identity_in_eval_mode_and_with_no_amounts():
    images, widths = stroke_images(), torch.tensor([64, 50, 40, 64])
    augment = ScanAugment(slant=0.5, scale=0.2, shift=0.1, ink=0.3, noise=0.1).eval()
    assert torch.equal(augment(images, widths), images)
    assert torch.equal(ScanAugment().train()(images, widths), images)


def test_training_distorts_inside_the_width_only_and_keeps_values_in_range():
    torch.manual_seed(0)
    images, widths = stroke_images() + 0.0, torch.tensor([64, 50, 40, 33])
    out = ScanAugment(slant=0.5, scale=0.2, shift=0.1, ink=0.3, noise=0.1).train()(images, widths)
    assert out.shape == images.shape and not torch.equal(out, images)
    assert out.min() >= 0 and out.max() <= 1
    for row, width in enumerate(widths.tolist()):
        assert torch.all(out[row, :, :, width:] == 0)


def test_slant_shears_a_vertical_stroke_linearly_and_by_at_most_the_amount():
    torch.manual_seed(1)
    images = stroke_images(batch=64)
    out = ScanAugment(slant=0.4).train()(images, torch.full((64,), 64))
    columns = torch.arange(64, dtype=torch.float32)
    slopes = []
    for image in out[:, 0]:
        rows = torch.arange(8, 24)  # inside the stroke, away from its ends
        centres = (image[rows] * columns).sum(1) / image[rows].sum(1)
        slope = torch.linalg.lstsq(torch.stack([rows.float(), torch.ones(16)], 1), centres[:, None]).solution[0, 0]
        fitted = slope * rows + (centres.mean() - slope * rows.float().mean())
        assert torch.allclose(centres, fitted, atol=0.05)  # a straight, slanted stroke
        slopes.append(float(slope))
    assert max(abs(s) for s in slopes) <= 0.4 + 1e-4 and max(slopes) > 0.2 and min(slopes) < -0.2


def test_the_frontend_keeps_its_output_lengths_under_augmentation():
    frontend = ImageFrontend(height=32, dim=8, channels=(4, 4, 4, 4), augment={"slant": 0.3, "noise": 0.05}).train()
    columns, widths = torch.rand(3, 70, 32), torch.tensor([70, 41, 9])
    features, mask = frontend(columns, widths)
    assert mask.sum(1).tolist() == frontend.output_lengths(widths).tolist()
    with pytest.raises(ValueError, match="augment.ink"):
        ScanAugment(ink=1.5)
