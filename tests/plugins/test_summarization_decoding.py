"""Summary decoding on generated articles: trigram blocking, the coverage loss and the decoding-time
coverage penalty of the pointer-generator, checked by recomputation through the head's own steps."""
import functools

import pytest
import torch

from plugins.summarization.task import SummarizationTask
from seqcore.data import BOS_ID, EOS_ID, Example, collate_examples
from seqcore.errors import ConfigError
from seqcore.heads import AttentionHead
from seqcore.heads.pointer_generator import PointerGeneratorHead
from seqcore.model import Seq2Seq
from seqcore.modules import LSTMDecoder, LSTMEncoder, TokenEmbedding, TransformerDecoder, TransformerEncoder
from seqcore.modules.state import select_rows
from seqcore.search import beam_search
from seqcore.search.common import check_search

DIM = 32


@pytest.fixture(scope="module")
def task_and_batch():
    task = SummarizationTask(embedded_sizes={"train": 60, "valid": 2, "test": 2}, copy_extras=True,
                             tokenizer_options={"min_freq": 2})
    task.fit(task.load_split("train"))
    samples = task.load_split("test")
    batch = collate_examples([Example(i, task.encode_source(s), task.encode_target(s), task.encode_extras(s))
                              for i, s in enumerate(samples)])
    return task, batch


def make_model(task, head_class=PointerGeneratorHead, kind: str = "transformer", **options) -> Seq2Seq:
    torch.manual_seed(0)
    if kind == "transformer":
        encoder = TransformerEncoder(DIM, layers=1, heads=4, ffn_dim=64, dropout=0.0)
        decoder = TransformerDecoder(task.target_vocab_size, DIM, layers=1, heads=4, ffn_dim=64, dropout=0.0)
    else:
        encoder = LSTMEncoder(DIM, layers=1, dropout=0.0)
        decoder = LSTMDecoder(task.target_vocab_size, DIM, layers=1, dropout=0.0)
    if head_class is PointerGeneratorHead:
        options.update(encoder_dim=DIM, coverage=True)
    head = head_class(decoder=decoder, vocab_size=task.target_vocab_size, **options)
    return Seq2Seq(TokenEmbedding(task.frontend_args()["vocab_size"], DIM), encoder, head).eval()


def repeated_trigrams(tokens) -> int:
    grams = [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]
    return len(grams) - len(set(grams))


def test_trigram_blocking_never_emits_a_repeated_trigram(task_and_batch):
    task, batch = task_and_batch
    model = make_model(task)
    encoded = model.encode(batch)

    def decode(size):
        return beam_search(model.head, encoded, beam_size=3, nbest=3, max_len_a=0.0, max_len_b=60, min_length=60,
                           no_repeat_ngram_size=size, coverage_penalty=0.5)

    assert any(repeated_trigrams(h.tokens) for hyps in decode(0) for h in hyps), "the fixture should repeat"
    blocked = [h.tokens for hyps in decode(3) for h in hyps]
    assert len(blocked) == 3 * len(batch) and all(len(tokens) == 60 for tokens in blocked)
    assert not any(repeated_trigrams(tokens) for tokens in blocked)


@torch.no_grad()
def replay(head, encoded, row: int, tokens: list[int]):
    """Step the head through BOS + tokens + EOS for one sentence: (per-step log-probs of the
    chosen tokens, per-step attentions [T, S], the final coverage [S])."""
    state = head.init_state(select_rows(encoded, torch.tensor([row])))
    previous, chosen, attentions = BOS_ID, [], []
    for token in [*tokens, EOS_ID]:
        before = state["coverage"][0].clone()
        log_probs, state = head.step(torch.tensor([previous]), state)
        chosen.append(float(log_probs[0, token]))
        attentions.append(state["coverage"][0] - before)
        previous = token
    return chosen, torch.stack(attentions), state["coverage"][0]


@pytest.mark.parametrize("kind", ["transformer", "lstm"])
def test_coverage_loss_equals_its_hand_computation(task_and_batch, kind):
    """sum over target steps t and source words i of min(a_t,i, c_t,i), c_t = sum of earlier a,
    from attentions replayed step by step, against the teacher-forced loss."""
    task, batch = task_and_batch
    model = make_model(task, kind=kind)
    encoded = model.encode(batch)
    _, logs = model.head.loss(batch, encoded)
    total = 0.0
    for row in range(len(batch)):
        target = batch.extras["target_copy_ids"][row, :int(batch.target_lengths[row])].tolist()
        _, attentions, _ = replay(model.head, encoded, row, target)
        coverage = torch.cumsum(attentions, 0) - attentions  # attention before step t
        total += float(torch.minimum(attentions, coverage).sum())
    assert float(logs["coverage"]) == pytest.approx(total / int(logs["target_tokens"]), rel=1e-4)


def test_beam_scores_include_the_summary_coverage_penalty(task_and_batch):
    """score = log P / (length + 1) ** alpha - beta * sum_i max(c_i - 1, 0), c the final coverage."""
    task, batch = task_and_batch
    model = make_model(task)
    with torch.no_grad():  # peaky copy attention, so that some source words are attended more than once
        model.head.copy_attention.v.weight.mul_(30.0)
    encoded = model.encode(batch)
    alpha, beta = 0.8, 2.0
    results = beam_search(model.head, encoded, beam_size=3, nbest=2, max_len_a=0.0, max_len_b=25, min_length=20,
                          length_penalty=alpha, coverage_penalty=beta)
    penalties = []
    for row, hyps in enumerate(results):
        for hyp in hyps:
            chosen, _, coverage = replay(model.head, encoded, row, hyp.tokens)
            penalty = float((coverage - 1).clamp(min=0).sum())
            penalties.append(penalty)
            assert hyp.log_prob == pytest.approx(sum(chosen), abs=1e-3)
            assert hyp.score == pytest.approx(sum(chosen) / (len(hyp.tokens) + 1) ** alpha - beta * penalty, abs=1e-3)
    assert max(penalties) > 0.1, "the fixture should attend some source word more than once"


def test_coverage_penalty_needs_a_head_with_coverage(task_and_batch):
    task, _ = task_and_batch
    attention = make_model(task, AttentionHead, label_smoothing=0.0).head
    search = functools.partial(beam_search, coverage_penalty=1.0)
    with pytest.raises(ConfigError, match="search.coverage_penalty=1.0 needs a head that tracks attention coverage"):
        check_search(attention, search, "search")
    check_search(make_model(task).head, search, "search")  # the pointer-generator with coverage: fine
