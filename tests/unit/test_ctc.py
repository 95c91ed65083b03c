"""CTC head, searches and prefix scores against brute force (every path of tiny inputs enumerated)
and, on longer inputs, against the exact CTC forward algorithm (torch's ctc_loss)."""
import itertools
import math
from collections import defaultdict

import pytest
import torch
import torch.nn.functional as F

from seqcore.data import Example, collate_examples
from seqcore.data.vocab import BOS_ID, EOS_ID
from seqcore.heads.ctc import BLANK_ID, CTCHead
from seqcore.modules.state import EncoderOutput
from seqcore.search.common import searches_for
from seqcore.search.ctc import ctc_greedy_search, ctc_prefix_beam_search
from seqcore.search.ctc_prefix_score import CTCPrefixScorer


def labeling_probabilities(log_probs: torch.Tensor) -> dict[tuple[int, ...], float]:
    """p(l | x) of every labeling l: all V**T paths of log_probs [T, V] enumerated, collapsed and summed."""
    frames, vocab = log_probs.shape
    probs = log_probs.double().exp().tolist()
    totals = defaultdict(float)
    for path in itertools.product(range(vocab), repeat=frames):
        labeling = tuple(token for token, _ in itertools.groupby(path) if token != BLANK_ID)
        totals[labeling] += math.prod(probs[t][token] for t, token in enumerate(path))
    return dict(totals)


def log(probability: float) -> float:
    return math.log(probability) if probability > 0 else float("-inf")


def random_log_probs(seed: int, batch: int, frames: int, vocab: int, sharpness: float = 2.0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (sharpness * torch.randn(batch, frames, vocab, generator=generator)).log_softmax(-1)


class FixedLogProbs:
    """A stand-in head whose frame log-probabilities are given."""

    def __init__(self, values: torch.Tensor, lengths):
        self.values, self.lengths = values, torch.as_tensor(lengths)

    def log_probs(self, encoded):
        return self.values, self.lengths


@pytest.mark.parametrize("vocab, lengths", [(3, (6, 4, 5)), (4, (5, 3, 4))])
@pytest.mark.parametrize("seed", range(3))
def test_wide_prefix_beam_search_ranks_labelings_by_brute_force_probability(vocab, lengths, seed):
    log_probs = random_log_probs(seed, len(lengths), max(lengths), vocab)
    references = [labeling_probabilities(log_probs[row, :length]) for row, length in enumerate(lengths)]
    beam_size = max(len(reference) for reference in references)  # a beam per labeling: nothing is pruned
    nbest = 5
    results = ctc_prefix_beam_search(FixedLogProbs(log_probs, lengths), None, beam_size=beam_size, nbest=nbest)
    for hypotheses, reference in zip(results, references):
        best_first = sorted(reference.values(), reverse=True)[:nbest]
        assert [h.log_prob for h in hypotheses] == pytest.approx([math.log(p) for p in best_first], abs=1e-5)
        for hypothesis in hypotheses:
            assert hypothesis.log_prob == pytest.approx(math.log(reference[tuple(hypothesis.tokens)]), abs=1e-5)
            assert hypothesis.score == hypothesis.log_prob


def test_prefix_beam_search_sums_the_alignments_greedy_search_misses():
    # two frames of p(blank) = 0.6, p(token 1) = 0.4: the best path is blank-blank (0.36), but
    # the labeling [1] has three paths, 1-, -1 and 11: 0.24 + 0.24 + 0.16 = 0.64
    head = FixedLogProbs(torch.tensor([[[0.6, 0.4], [0.6, 0.4]]]).log(), [2])
    [[greedy]] = ctc_greedy_search(head, None)
    assert greedy.tokens == [] and greedy.log_prob == pytest.approx(math.log(0.36))
    [[best, second]] = ctc_prefix_beam_search(head, None, beam_size=2, nbest=2)
    assert (best.tokens, best.log_prob) == ([1], pytest.approx(math.log(0.64)))
    assert (second.tokens, second.log_prob) == ([], pytest.approx(math.log(0.36)))
    assert best.timestamps == [0]  # 1- and 11 (0.40) outweigh -1 (0.24)


def test_both_searches_read_tokens_and_their_first_frames_off_a_peaky_path():
    path = [0, 1, 1, 0, 2, 2, 0, 2, 3]
    head = FixedLogProbs((10.0 * torch.eye(4)[path]).log_softmax(-1)[None], [len(path)])
    for [[hypothesis]] in (ctc_greedy_search(head, None), ctc_prefix_beam_search(head, None, beam_size=4)):
        assert hypothesis.tokens == [1, 2, 2, 3]
        assert hypothesis.timestamps == [1, 4, 7, 8]


@pytest.mark.parametrize("seed", range(3))
def test_greedy_search_is_the_collapsed_best_path(seed):
    lengths = (9, 3, 6, 1)
    log_probs = random_log_probs(seed, len(lengths), max(lengths), vocab=4)
    results = ctc_greedy_search(FixedLogProbs(log_probs, lengths), None)
    for [hypothesis], row, length in zip(results, log_probs, lengths):
        path = row[:length].argmax(-1).tolist()
        tokens, frames, frame = [], [], 0
        for token, group in itertools.groupby(path):
            if token != BLANK_ID:
                tokens.append(token)
                frames.append(frame)
            frame += len(list(group))
        assert (hypothesis.tokens, hypothesis.timestamps) == (tokens, frames)
        path_log_prob = sum(row[t, token].item() for t, token in enumerate(path))
        assert hypothesis.score == hypothesis.log_prob == pytest.approx(path_log_prob, abs=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_prefix_beam_search_agrees_with_greedy_search_on_peaky_outputs(seed):
    lengths = (40, 25, 33)
    head = FixedLogProbs(random_log_probs(seed, len(lengths), max(lengths), vocab=12, sharpness=8.0), lengths)
    for [greedy], [beam] in zip(ctc_greedy_search(head, None), ctc_prefix_beam_search(head, None, beam_size=4)):
        assert (beam.tokens, beam.timestamps) == (greedy.tokens, greedy.timestamps)
        assert beam.log_prob >= greedy.log_prob


def test_narrow_prefix_beam_search_returns_distinct_labelings_with_at_most_their_exact_probability():
    lengths = (30, 17, 24)
    log_probs = random_log_probs(0, len(lengths), max(lengths), vocab=6)
    results = ctc_prefix_beam_search(FixedLogProbs(log_probs, lengths), None, beam_size=4, nbest=4)
    for hypotheses, row, length in zip(results, log_probs, lengths):
        assert len({tuple(h.tokens) for h in hypotheses}) == len(hypotheses) == 4
        assert [h.log_prob for h in hypotheses] == sorted((h.log_prob for h in hypotheses), reverse=True)
        for hypothesis in hypotheses:  # the beam counts only the alignments it kept: a lower bound
            exact = -F.ctc_loss(row[:length, None], torch.tensor([hypothesis.tokens]), torch.tensor([length]),
                                torch.tensor([len(hypothesis.tokens)]), blank=BLANK_ID, reduction="sum").item()
            assert hypothesis.log_prob <= exact + 1e-4


@pytest.mark.parametrize("seed", range(2))
def test_ctc_prefix_scores_equal_brute_force_prefix_probabilities(seed):
    tokens, lengths, vocab = (3, 4), (5, 3, 4), 5  # ids 1 (BOS) and 2 (EOS) are emittable too
    log_probs = random_log_probs(seed, len(lengths), max(lengths), vocab)
    references = [labeling_probabilities(log_probs[row, :length]) for row, length in enumerate(lengths)]

    def prefix_probability(row: int, prefix: tuple) -> float:
        return log(sum(p for labeling, p in references[row].items() if labeling[:len(prefix)] == prefix))

    scorer = CTCPrefixScorer(log_probs, torch.tensor(lengths))
    state, last = scorer.initial_state(), torch.full((len(lengths),), BOS_ID)
    hypotheses = [(row, ()) for row in range(len(lengths))]  # (row of log_probs, prefix) of each state row
    candidates = torch.tensor([*tokens, EOS_ID])
    for _ in range(4):  # prefixes up to length 3, each extended and ended
        assert scorer.prefix_score(state).tolist() == pytest.approx(
            [prefix_probability(row, prefix) for row, prefix in hypotheses], abs=1e-5)
        scores, candidate_states = scorer.score(state, last, candidates.expand(len(hypotheses), -1))
        expected = [[prefix_probability(row, prefix + (token,)) for token in tokens]
                    + [log(references[row].get(prefix, 0.0))] for row, prefix in hypotheses]
        assert not scores.isnan().any()
        assert scores.tolist() == [pytest.approx(row, abs=1e-5) for row in expected]
        rows = torch.arange(len(hypotheses)).repeat_interleave(len(tokens))
        columns = torch.arange(len(tokens)).repeat(len(hypotheses))
        state, last = scorer.select(candidate_states, rows, columns), candidates[columns]
        hypotheses = [(row, prefix + (token,)) for row, prefix in hypotheses for token in tokens]


def test_ctc_head_loss_is_the_brute_force_negative_log_likelihood_per_target_token():
    torch.manual_seed(0)
    head = CTCHead(vocab_size=3, encoder_dim=4, upsample=3)
    encoded = EncoderOutput(torch.randn(2, 2, 4), torch.tensor([[True, True], [True, False]]))
    targets = [[1, 1, 2], [2]]  # the first is longer than its 2 encoder frames: upsampling makes room
    batch = collate_examples([Example(i, torch.tensor([5, 6]), torch.tensor(target))
                              for i, target in enumerate(targets)])
    log_probs, lengths = head.log_probs(encoded)
    assert log_probs.shape == (2, 6, 3) and lengths.tolist() == [6, 3]
    nll = -sum(math.log(labeling_probabilities(log_probs[row, :length].detach())[tuple(target)])
               for row, (length, target) in enumerate(zip(lengths.tolist(), targets)))
    loss, logs = head.loss(batch, encoded)
    assert loss.item() == pytest.approx(nll / 4, rel=1e-5)
    assert logs["nll"].item() == pytest.approx(loss.item()) and logs["target_tokens"] == 4
    loss.backward()
    assert head.split.weight.grad.abs().sum() > 0


def test_ctc_head_without_upsampling_keeps_frames_and_is_decoded_by_the_ctc_searches():
    head = CTCHead(vocab_size=7, encoder_dim=4)
    log_probs, lengths = head.log_probs(EncoderOutput(torch.randn(2, 5, 4), torch.arange(5) < torch.tensor([[5], [2]])))
    assert log_probs.shape == (2, 5, 7) and lengths.tolist() == [5, 2]
    assert searches_for(head) == ["ctc_greedy_search", "ctc_prefix_beam_search"]
