"""The label-smoothed loss (one fused autograd function) against the log-softmax formula it replaced."""
import torch

from seqcore.data.vocab import PAD_ID
from seqcore.heads.attention import teacher_forcing_pair
from seqcore.heads.losses import label_smoothed_nll
from tests.unit.tiny_models import make_batch, make_model


def log_softmax_formula(logits, target, epsilon, ignore_index=0):
    """The previous implementation: log-softmax, kept rows, NLL and the mean log-probability."""
    log_probs = logits.log_softmax(-1)
    keep = target != ignore_index
    log_probs, target = log_probs[keep], target[keep]
    nll = -log_probs.gather(1, target[:, None]).squeeze(1)
    return ((1.0 - epsilon) * nll - epsilon * log_probs.mean(1)).sum(), nll.sum()


def test_loss_nll_and_gradient_equal_the_log_softmax_formula():
    generator = torch.Generator().manual_seed(0)
    logits = 3 * torch.randn(50, 37, generator=generator, dtype=torch.float64)
    target = torch.randint(1, 37, (50,), generator=generator)
    target[:7] = PAD_ID
    ours, theirs = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    loss, nll = label_smoothed_nll(ours, target, 0.1)
    expected_loss, expected_nll = log_softmax_formula(theirs, target, 0.1)
    (loss / 3).backward()
    (expected_loss / 3).backward()
    torch.testing.assert_close(loss, expected_loss, rtol=1e-12, atol=0)
    torch.testing.assert_close(nll, expected_nll.detach(), rtol=1e-12, atol=0)
    torch.testing.assert_close(ours.grad, theirs.grad, rtol=0, atol=1e-12)
    assert not nll.requires_grad and ours.grad[:7].abs().max() == 0  # padding rows get no gradient


def test_in_float32_the_loss_is_the_formula_within_one_millionth():
    generator = torch.Generator().manual_seed(1)
    logits = 4 * torch.randn(300, 8000, generator=generator)
    target = torch.randint(1, 8000, (300,), generator=generator)
    loss, nll = label_smoothed_nll(logits, target, 0.1)
    expected_loss, expected_nll = log_softmax_formula(logits, target, 0.1)
    assert abs(float(loss) / float(expected_loss) - 1) < 1e-6
    assert abs(float(nll) / float(expected_nll) - 1) < 1e-6


def test_the_logits_keep_their_values():
    logits = torch.randn(4, 5, requires_grad=True)
    intermediate = logits * 1.0
    before = logits.detach().clone()
    label_smoothed_nll(intermediate, torch.tensor([1, 2, 0, 4]), 0.1)[0].backward()
    assert torch.equal(intermediate.detach(), before) and logits.grad is not None


def test_attention_head_loss_is_the_formula_with_padding_ignored():
    model, batch = make_model("transformer").train(), make_batch(lengths=(5, 3, 7), target_lengths=(4, 6, 2))
    model.head.label_smoothing = 0.1
    loss, logs = model(batch)
    encoded = model.encode(batch)
    decoder_input, decoder_output = teacher_forcing_pair(batch.target, batch.target_lengths)
    logits = model.head.projection(model.head.decoder(decoder_input, encoded.states, encoded.mask))
    expected_sum, expected_nll = log_softmax_formula(logits.flatten(0, 1), decoder_output.flatten(), 0.1)
    tokens = (decoder_output != PAD_ID).sum()
    assert abs(float(loss.detach()) - float(expected_sum.detach() / tokens)) < 1e-6
    assert abs(float(logs["nll"]) - float(expected_nll.detach() / tokens)) < 1e-6
