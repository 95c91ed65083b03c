"""Transducer head and searches against independent references: the forward algorithm written out,
step-by-step prediction, a scripted joiner, and exhaustive enumeration of alignments."""
import math

import pytest
import torch
from torchaudio.functional import rnnt_loss

from seqcore.data import Example, collate_examples
from seqcore.heads.transducer import BLANK_ID, TransducerHead
from seqcore.heads.transducer_loss import transducer_nll
from seqcore.modules.state import EncoderOutput
from seqcore.search.transducer import transducer_beam_search, transducer_greedy_search

ENCODER_DIM = 8


pytestmark = pytest.mark.usefixtures("one_thread")  # tiny tensors (tests/conftest.py)


def make_head(predictor: str, vocab_size: int = 5, seed: int = 0) -> TransducerHead:
    torch.manual_seed(seed)
    return TransducerHead(vocab_size, ENCODER_DIM, predictor=predictor, predictor_dim=16, joiner_dim=16,
                          dropout=0.0)


def make_encoded(frame_lengths, seed: int = 0, scale: float = 1.0) -> EncoderOutput:
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.tensor(frame_lengths)
    states = scale * torch.randn(len(frame_lengths), max(frame_lengths), ENCODER_DIM, generator=generator)
    return EncoderOutput(states, torch.arange(max(frame_lengths))[None, :] < lengths[:, None])


def make_batch(target_lengths, vocab_size: int = 5, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    return collate_examples([Example(i, torch.zeros(1, dtype=torch.long),
                                     torch.randint(1, vocab_size, (length,), generator=generator))
                             for i, length in enumerate(target_lengths)])


def forward_algorithm_nll(logits, targets, frame_lengths, target_lengths) -> torch.Tensor:
    """-log p(y | x) summed over the batch, by the alpha recursion of Graves (2012) on log_softmax(logits)."""
    log_probs, total = logits.log_softmax(-1), logits.new_zeros(())
    for b, (frames, length) in enumerate(zip(frame_lengths.tolist(), target_lengths.tolist())):
        alpha = {}
        for t in range(frames):
            for u in range(length + 1):
                paths = [] if t or u else [logits.new_zeros(())]
                if t:
                    paths.append(alpha[t - 1, u] + log_probs[b, t - 1, u, BLANK_ID])
                if u:
                    paths.append(alpha[t, u - 1] + log_probs[b, t, u - 1, targets[b, u - 1]])
                alpha[t, u] = torch.stack(paths).logsumexp(0)
        total = total - (alpha[frames - 1, length] + log_probs[b, frames - 1, length, BLANK_ID])
    return total


@pytest.mark.parametrize("predictor", ["lstm", "stateless"])
def test_loss_and_gradients_match_the_forward_algorithm(predictor):
    head, batch = make_head(predictor), make_batch([3, 1])
    encoded = make_encoded([5, 3])
    encoded.states.requires_grad_(True)
    inputs = [encoded.states, *head.parameters()]

    loss, logs = head.loss(batch, encoded)
    logits = head.lattice_logits(batch, encoded)
    reference = forward_algorithm_nll(logits, batch.target, encoded.lengths, batch.target_lengths) / 4

    assert torch.allclose(loss, reference, atol=1e-6, rtol=1e-5), (loss, reference)
    assert logs["target_tokens"] == 4 and torch.equal(logs["nll"], loss.detach())
    for got, expected in zip(torch.autograd.grad(loss, inputs), torch.autograd.grad(reference, inputs)):
        assert torch.allclose(got, expected, atol=1e-5, rtol=1e-4), (got - expected).abs().max()


def test_auxiliary_ctc_mixes_the_two_losses_by_weight():
    """head.ctc_weight: (1 - w) * the transducer loss + w * F.ctc_loss of the CTC layer, per target token."""
    torch.manual_seed(0)
    head = TransducerHead(5, ENCODER_DIM, predictor_dim=16, joiner_dim=16, dropout=0.0, ctc_weight=0.25)
    batch, encoded = make_batch([3, 1]), make_encoded([5, 3])
    loss, logs = head.loss(batch, encoded)

    transducer = forward_algorithm_nll(head.lattice_logits(batch, encoded), batch.target, encoded.lengths,
                                       batch.target_lengths) / 4
    log_probs = head.auxiliary_ctc.projection(encoded.states).log_softmax(-1)
    ctc = torch.nn.functional.ctc_loss(log_probs.transpose(0, 1), batch.target, encoded.lengths, batch.target_lengths,
                                       blank=BLANK_ID, reduction="sum") / 4
    assert torch.allclose(loss, 0.75 * transducer + 0.25 * ctc, atol=1e-5), (loss, transducer, ctc)
    assert torch.allclose(logs["nll"], transducer, atol=1e-5) and torch.allclose(logs["ctc_loss"], ctc, atol=1e-5)
    assert make_head("lstm").auxiliary_ctc is None


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorized_cpu_loss_matches_torchaudio_values_and_gradients(seed):
    generator = torch.Generator().manual_seed(seed)
    frame_lengths, target_lengths = torch.tensor([37, 12, 25, 1]), torch.tensor([9, 12, 0, 1])
    logits = (4 * torch.randn(4, 37, 13, 30, generator=generator)).requires_grad_(True)
    targets = torch.randint(1, 30, (4, 12), generator=generator)
    ours = transducer_nll(logits, targets, frame_lengths, target_lengths, BLANK_ID)
    reference = rnnt_loss(logits, targets.int(), frame_lengths.int(), target_lengths.int(), blank=BLANK_ID,
                          reduction="none")
    torch.testing.assert_close(ours, reference, atol=1e-4, rtol=1e-5)
    weights = torch.rand(4, generator=generator)  # a gradient other than ones
    got, = torch.autograd.grad((ours * weights).sum(), logits)
    expected, = torch.autograd.grad((reference * weights).sum(), logits)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("predictor", ["lstm", "stateless"])
def test_step_by_step_prediction_matches_the_lattice(predictor):
    head, batch = make_head(predictor), make_batch([4, 2])
    encoded = make_encoded([3, 2])
    lattice = head.lattice_logits(batch, encoded).log_softmax(-1)
    frames = head.project_encoder(encoded.states)
    state = head.predictor_initial_state(2, frames.device)
    predictions, state = head.predict(torch.full((2,), BLANK_ID), state)
    for u in range(batch.target.shape[1] + 1):
        for t in range(frames.shape[1]):
            step = head.join(frames[:, t], predictions)
            assert torch.allclose(step, lattice[:, t, u], atol=1e-6), (step - lattice[:, t, u]).abs().max()
        if u < batch.target.shape[1]:
            predictions, state = head.predict(batch.target[:, u], state)


class ScriptedHead:
    """A transducer whose joiner reads its decision from `script`: (frame id, tokens emitted so far) -> token.

    Encoder states hold frame ids and the predictor counts emitted tokens. The scripted token
    gets probability 0.7 and the others share 0.3; unscripted cells choose blank.
    """

    vocab_size = 6

    def __init__(self, script: dict[tuple[int, int], int]):
        self.script = script

    def project_encoder(self, states):
        return states

    def predictor_initial_state(self, batch_size, device):
        return {"count": torch.full((batch_size, 1), -1.0, device=device)}

    def predict(self, tokens, state):
        count = state["count"] + 1
        return count, {"count": count}

    def join(self, frames, predictions):
        chosen = [self.script.get((int(f), int(c)), BLANK_ID) for f, c in zip(frames[:, 0], predictions[:, 0])]
        probs = torch.full((len(chosen), self.vocab_size), 0.3 / (self.vocab_size - 1))
        probs[torch.arange(len(chosen)), chosen] = 0.7
        return probs.log()


# utterance 0 has frames 0-3, utterance 1 frames 10-11: two tokens on frame 2, a run of 5s on frame 3
# that the cap cuts; (3, 2) is only reached when the cap of 1 left the 4 of frame 2 for frame 3
SCRIPT = {(0, 0): 4, (2, 1): 5, (2, 2): 4, (3, 2): 4, (3, 3): 5, (3, 4): 5, (3, 5): 5, (3, 6): 5,
          (10, 0): 5, (11, 1): 4, (11, 2): 4}
EXPECTED = {  # symbols per frame -> per utterance: tokens, timestamps, number of decisions taken
    1: [([4, 5, 4], [0, 2, 3], 4), ([5, 4], [0, 1], 2)],
    2: [([4, 5, 4, 5, 5], [0, 2, 2, 3, 3], 7), ([5, 4, 4], [0, 1, 1], 4)],
    3: [([4, 5, 4, 5, 5, 5], [0, 2, 2, 3, 3, 3], 9), ([5, 4, 4], [0, 1, 1], 5)],
}


@pytest.mark.parametrize("search", ["greedy", "beam-1"])
@pytest.mark.parametrize("max_symbols", [1, 2, 3])
def test_scripted_emissions_per_frame_and_symbol_cap(search, max_symbols):
    frame_ids = torch.tensor([[0.0, 1.0, 2.0, 3.0], [10.0, 11.0, 0.0, 0.0]])
    encoded = EncoderOutput(frame_ids[..., None], torch.tensor([[True] * 4, [True, True, False, False]]))
    head = ScriptedHead(SCRIPT)
    if search == "greedy":
        result = transducer_greedy_search(head, encoded, max_symbols_per_frame=max_symbols)
    else:
        result = transducer_beam_search(head, encoded, beam_size=1, max_symbols_per_frame=max_symbols)
    for (hypothesis,), (tokens, timestamps, decisions) in zip(result, EXPECTED[max_symbols]):
        assert hypothesis.tokens == tokens and hypothesis.timestamps == timestamps
        assert hypothesis.log_prob == pytest.approx(decisions * math.log(0.7), abs=1e-5)


@pytest.mark.parametrize("predictor", ["lstm", "stateless"])
@pytest.mark.parametrize("max_symbols", [1, 2])
def test_beam_one_equals_greedy(predictor, max_symbols):
    head, encoded = make_head(predictor, vocab_size=7).eval(), make_encoded([6, 3, 8, 1], scale=3.0)
    greedy = transducer_greedy_search(head, encoded, max_symbols_per_frame=max_symbols)
    beam = transducer_beam_search(head, encoded, beam_size=1, max_symbols_per_frame=max_symbols)
    assert any(g[0].tokens for g in greedy)
    for (g,), (b,) in zip(greedy, beam):
        assert (g.tokens, g.timestamps) == (b.tokens, b.timestamps)
        assert g.log_prob == pytest.approx(b.log_prob, abs=1e-5)


@pytest.mark.parametrize("predictor", ["lstm", "stateless"])
def test_wider_beam_scores_at_least_greedy(predictor):
    for seed in range(4):
        head, encoded = make_head(predictor, vocab_size=7, seed=seed).eval(), make_encoded([7, 4, 5], seed, 3.0)
        greedy = transducer_greedy_search(head, encoded, max_symbols_per_frame=1)
        beam = transducer_beam_search(head, encoded, beam_size=4, nbest=2, max_symbols_per_frame=1)
        for (g,), b in zip(greedy, beam):
            assert b[0].log_prob >= g.log_prob - 1e-5
            assert b[0].score >= b[1].score


def alignment_log_probs(head, frames, max_symbols) -> dict[tuple[int, ...], list[float]]:
    """Every decision path of the search topology over `frames` [T, J], grouped by token sequence."""
    paths: dict[tuple[int, ...], list[float]] = {}

    def walk(t, on_frame, tokens, log_prob, prediction, state):
        if t == len(frames):
            paths.setdefault(tokens, []).append(log_prob)
            return
        log_probs = head.join(frames[t][None], prediction)[0].tolist()
        walk(t + 1, 0, tokens, log_prob + log_probs[BLANK_ID], prediction, state)
        for token in range(1, len(log_probs)):
            next_prediction, next_state = head.predict(torch.tensor([token]), state)
            capped = on_frame + 1 == max_symbols
            walk(t + 1 if capped else t, 0 if capped else on_frame + 1, tokens + (token,),
                 log_prob + log_probs[token], next_prediction, next_state)

    walk(0, 0, (), 0.0, *head.predict(torch.tensor([BLANK_ID]), head.predictor_initial_state(1, frames.device)))
    return paths


@pytest.mark.parametrize("predictor", ["lstm", "stateless"])
@pytest.mark.parametrize("frames, max_symbols", [(3, 1), (2, 2)])
def test_unpruned_beam_equals_exhaustive_enumeration(predictor, frames, max_symbols):
    head, encoded = make_head(predictor, vocab_size=4).eval(), make_encoded([frames], scale=3.0)
    with torch.no_grad():
        paths = alignment_log_probs(head, head.project_encoder(encoded.states[0]), max_symbols)
    expected = sorted(((math.log(sum(math.exp(p) for p in probs)), list(tokens)) for tokens, probs in paths.items()),
                      reverse=True)
    (beam,) = transducer_beam_search(head, encoded, beam_size=256, nbest=256, max_symbols_per_frame=max_symbols)
    assert [h.tokens for h in beam] == [tokens for _, tokens in expected]
    assert [h.log_prob for h in beam] == pytest.approx([log_prob for log_prob, _ in expected], abs=1e-5)


@pytest.mark.parametrize("predictor", ["lstm", "stateless"])
def test_a_few_steps_reduce_the_loss(predictor):
    head, batch, encoded = make_head(predictor, vocab_size=8), make_batch([4, 2, 3], 8), make_encoded([6, 4, 5])
    losses = []
    for _ in range(20):  # plain SGD steps: constructing a torch.optim optimizer imports torch._dynamo (seconds)
        loss, _ = head.loss(batch, encoded)
        head.zero_grad()
        loss.backward()
        with torch.no_grad():
            for parameter in head.parameters():
                parameter -= 0.5 * parameter.grad
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
