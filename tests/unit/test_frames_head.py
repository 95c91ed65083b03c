"""The frames head: teacher forcing, masked losses, stop targets, guided attention, and that it learns."""
import math

import pytest
import torch

from seqcore.data.batch import Batch
from seqcore.heads.frames import FramesHead
from seqcore.heads.losses import guided_attention_weights
from seqcore.modules import TacotronEncoder, TokenEmbedding
from seqcore.modules.state import EncoderOutput


pytestmark = pytest.mark.usefixtures("one_thread")  # tiny recurrent steps (tests/conftest.py)


def tiny_head(**kwargs) -> FramesHead:
    torch.manual_seed(0)
    return FramesHead(encoder_dim=8, frame_dim=3, reduction=2, prenet_dim=8, attention_rnn_dim=8, decoder_rnn_dim=8,
                      attention_dim=8, location_filters=4, location_kernel=3, postnet_channels=8, postnet_layers=2,
                      **kwargs)


def test_guided_attention_weights_match_the_formula_inside_each_example():
    weights = guided_attention_weights(torch.tensor([2, 1]), torch.tensor([4, 2]), steps=2, sources=4, sigma=0.5)
    t, s = 1 / 2, 3 / 4  # example 0, step 1, source 3
    assert math.isclose(float(weights[0, 1, 3]), 1 - math.exp(-((s - t) ** 2) / (2 * 0.25)), rel_tol=1e-6)
    assert float(weights[0, 0, 0]) == 0.0  # on the diagonal
    assert torch.all(weights[1, 1:] == 0) and torch.all(weights[1, :, 2:] == 0)  # outside example 1's 1 x 2


def test_teacher_forcing_feeds_the_last_frame_of_the_previous_step():
    head = tiny_head()
    seen = []
    original = head.decoder.step
    head.decoder.step = lambda previous, state: (seen.append(previous.clone()), original(previous, state))[1]
    target = torch.arange(6 * 3, dtype=torch.float32).view(1, 6, 3)
    head.decoder(torch.zeros(1, 4, 8), torch.ones(1, 4, dtype=torch.bool), target)
    assert [s.tolist() for s in seen] == [[[0.0] * 3], target[:, 1].tolist(), target[:, 3].tolist()]


@pytest.mark.parametrize("sampling", [0.0, 1.0])
def test_scheduled_sampling_feeds_the_decoders_own_frames(sampling):
    """With sampling 1 every step after the first is fed the previous step's output, so the target's
    values cannot change the outputs; with 0 they do (through teacher forcing)."""
    head = tiny_head()
    memory, mask = torch.randn(1, 4, 8), torch.ones(1, 4, dtype=torch.bool)
    outputs = []
    for target in (torch.zeros(1, 6, 3), torch.randn(1, 6, 3)):
        torch.manual_seed(1)  # the same prenet dropout masks
        outputs.append(head.decoder(memory, mask, target, sampling)[0])
    assert torch.equal(outputs[0], outputs[1]) == (sampling == 1.0)


def test_loss_terms_ignore_padding_and_stop_targets_start_at_the_last_real_step():
    head = tiny_head(guided_attention_weight=0.0).eval()
    states = torch.randn(2, 5, 8)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    target = torch.randn(2, 7, 3)
    batch = Batch(torch.tensor([0, 1]), torch.zeros(2, 5, dtype=torch.long), torch.tensor([5, 3]), target,
                  torch.tensor([7, 3]))
    torch.manual_seed(1)
    loss, logs = head.loss(batch, EncoderOutput(states, mask))
    torch.manual_seed(1)  # the same prenet dropout masks as in loss()
    padded = torch.nn.functional.pad(target, (0, 0, 0, 1))
    before, stops, _ = head.decoder(states, mask, padded)
    after = head.refine(before)
    real = torch.tensor([[1.0] * 7 + [0.0], [1.0] * 3 + [0.0] * 5])[..., None]
    expected_l1 = ((after - padded).abs() * real).sum() / (10 * 3)
    assert torch.isclose(logs["mel_l1"], expected_l1, atol=1e-6)
    stop_target = torch.tensor([[0.0, 0, 0, 1], [0, 1, 1, 1]])  # 7 frames -> step 3 is last; 3 frames -> step 1
    expected_stop = torch.nn.functional.binary_cross_entropy_with_logits(stops, stop_target, pos_weight=torch.tensor(5.0))
    assert torch.isclose(logs["stop_loss"], expected_stop, atol=1e-6)
    assert int(logs["target_frames"]) == 10 and torch.isfinite(loss)


def test_a_few_steps_fit_one_batch_and_attention_follows_the_diagonal():
    torch.manual_seed(0)
    frontend, encoder = TokenEmbedding(10, 8), TacotronEncoder(8, conv_layers=1, kernel_size=3, dropout=0.0)
    head = tiny_head(guided_attention_weight=5.0)
    parameters = [*frontend.parameters(), *encoder.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(parameters, 2e-2)
    source = torch.randint(4, 10, (4, 6))
    lengths = torch.tensor([6, 6, 5, 4])
    target = torch.cumsum(torch.randn(4, 12, 3) * 0.3, 1)
    batch = Batch(torch.arange(4), source, lengths, target, torch.tensor([12, 10, 12, 8]))
    history = []
    for _ in range(30):
        encoded = EncoderOutput(*encoder(*frontend(batch.source, batch.source_lengths)))
        loss, logs = head.loss(batch, encoded)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append((float(logs["mel_l1"]), float(logs["guided_attention"])))
    assert history[-1][0] < 0.75 * history[0][0]
    assert history[-1][1] < 0.5 * history[0][1]


def test_attention_window_keeps_each_step_near_the_previous_peak():
    head = tiny_head().eval()
    states, mask = torch.randn(1, 9, 8), torch.ones(1, 9, dtype=torch.bool)
    state = head.init_frame_state(EncoderOutput(states, mask), attention_window=2)
    frame = torch.zeros(1, 1, 3)  # [B, r, F]: the start frame
    for _ in range(4):
        peak = int(state["weights"].argmax())
        frame, _, weights, state = head.frame_step(frame[:, -1], state)
        allowed = torch.zeros(9, dtype=torch.bool)
        allowed[max(0, peak - 1): peak + 3] = True
        assert torch.all(weights[0, ~allowed] == 0) and torch.isclose(weights.sum(), torch.tensor(1.0))
    free = head.init_frame_state(EncoderOutput(states, mask))
    assert "window" not in free and torch.all(head.frame_step(torch.zeros(1, 3), free)[2] > 0)
