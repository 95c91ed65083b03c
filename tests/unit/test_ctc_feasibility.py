"""CTC feasibility: the frame count an example needs, checked against every alignment of small cases,
and the warning training gives for examples that do not fit, with the upsample that fits them."""
import itertools
import random

import torch

from seqcore.ctc_feasibility import count_infeasible, frames_needed, infeasibility_warning, smallest_upsample
from seqcore.data import Example
from seqcore.heads import AttentionHead, CTCHead, HybridHead, TransducerHead
from seqcore.model import Seq2Seq
from seqcore.modules import TokenEmbedding, TransformerDecoder, TransformerEncoder
from seqcore.modules.image_frontend import ImageFrontend

BLANK = 0


def collapse(path) -> list[int]:
    """CTC's many-to-one map: merge repeats, then drop blanks."""
    return [label for label, _ in itertools.groupby(path) if label != BLANK]


def alignable(frames: int, target: list[int]) -> bool:
    """Brute force: some path of `frames` labels (blank or the target's) collapses to the target."""
    labels = sorted({BLANK, *target})
    return any(collapse(path) == target for path in itertools.product(labels, repeat=frames))


def test_frames_needed_is_the_shortest_path_that_collapses_to_the_target():
    rng = random.Random(0)
    for _ in range(60):
        target = [rng.randint(1, 2) for _ in range(rng.randint(0, 4))]
        shortest = next(frames for frames in range(9) if alignable(frames, target))
        assert frames_needed(target) == shortest, target


def test_count_on_a_hand_example():
    # "aab" needs a blank between the a's: 4 frames; "abc" 3; "aaa" 5
    targets = [[1, 1, 2], [1, 2, 3], [1, 1, 1]]
    assert count_infeasible([3, 3, 4], targets, upsample=1) == (2, 3)
    assert count_infeasible([3, 3, 4], targets, upsample=2) == (0, 3)
    assert smallest_upsample([3, 3, 4], targets) == 2
    assert smallest_upsample([0, 3, 4], targets) is None  # an empty input has no frames to upsample


def model_with(head) -> Seq2Seq:
    return Seq2Seq(TokenEmbedding(8, 16), TransformerEncoder(16, layers=1, heads=2, ffn_dim=32), head)


def examples(pairs) -> list[Example]:
    return [Example(i, torch.ones(source, dtype=torch.long), torch.tensor(target)) for i, (source, target) in
            enumerate(pairs)]


def test_the_warning_counts_the_examples_a_ctc_loss_cannot_learn_and_says_which_upsample_fits():
    data = examples([(3, [1, 1, 2]), (3, [1, 2, 3]), (2, [1, 2, 3, 4, 5])])
    warning = infeasibility_warning(model_with(CTCHead(8, 16)), data)
    assert warning == ("ctc: 2 of 3 training examples have targets longer than their input frames (+repeats) and "
                       "cannot be learned; head.upsample=3 fits them")
    assert infeasibility_warning(model_with(CTCHead(8, 16, upsample=3)), data) is None
    decoder = TransformerDecoder(8, 16, layers=1, heads=2, ffn_dim=32)
    assert infeasibility_warning(model_with(HybridHead(decoder, 8, 16, ctc_weight=0.3)), data).startswith("ctc: 2 of 3")
    assert infeasibility_warning(model_with(HybridHead(decoder, 8, 16, ctc_weight=0.0)), data) is None
    assert infeasibility_warning(model_with(AttentionHead(decoder, 8)), data) is None
    assert infeasibility_warning(model_with(TransducerHead(8, 16, ctc_weight=0.3)), data).startswith("ctc: 2 of 3")
    assert infeasibility_warning(model_with(TransducerHead(8, 16)), data) is None


def test_an_image_frontend_counts_the_frames_its_convolutions_leave():
    frontend = ImageFrontend(height=16, dim=16, channels=(4, 4), height_pools=(2, 2), width_pools=(2, 2))
    model = Seq2Seq(frontend, TransformerEncoder(16, layers=1, heads=2, ffn_dim=32), CTCHead(8, 16))
    # 40 px wide -> 10 frames: 10 labels fit, 11 do not
    data = [Example(i, torch.zeros(40, 16), torch.arange(1, length + 1) % 7 + 1) for i, length in enumerate((10, 11))]
    assert infeasibility_warning(model, data).startswith("ctc: 1 of 2 training examples")
