"""Pointer-generator head and the text tasks' copy extras, against hand computations and full recomputation."""
import math
import random
import string

import pytest
import torch

from seqcore.data import BOS_ID, EOS_ID, UNK_ID, Example, build_tokenizer, collate_examples
from seqcore.heads import AttentionHead
from seqcore.heads.attention import teacher_forcing_pair
from seqcore.errors import ConfigError
from seqcore.heads.pointer_generator import CopyAttention, PointerGeneratorHead, extended_log_probs
from seqcore.model import Seq2Seq
from seqcore.modules import LSTMDecoder, LSTMEncoder, TokenEmbedding, TransformerDecoder, TransformerEncoder
from seqcore.search import beam_search, greedy_search, sample_search
from seqcore.text_task import TextToTextTask

VOCAB = 23


def make_model(kind: str, head_class=PointerGeneratorHead, source_vocab: int = VOCAB, target_vocab: int = VOCAB,
               dim: int = 32, **head_options) -> Seq2Seq:
    torch.manual_seed(0)
    if kind == "transformer":
        encoder = TransformerEncoder(dim, layers=1, heads=4, ffn_dim=2 * dim, dropout=0.0)
        decoder = TransformerDecoder(target_vocab, dim, layers=2, heads=4, ffn_dim=2 * dim, dropout=0.0)
    else:
        encoder = LSTMEncoder(dim, layers=1, dropout=0.0)
        decoder = LSTMDecoder(target_vocab, dim, layers=2, dropout=0.0)
    if head_class is PointerGeneratorHead:
        head_options["encoder_dim"] = dim
    head = head_class(decoder=decoder, vocab_size=target_vocab, **head_options)
    return Seq2Seq(TokenEmbedding(source_vocab, dim), encoder, head).eval()


def make_copy_batch(lengths=(5, 3, 7), target_lengths=(4, 6, 2)):
    """Example i has i + 1 source words unknown to the target vocabulary (extended ids VOCAB + j)
    and copies its last one as its first target word, which the plain target holds as UNK."""
    generator = torch.Generator().manual_seed(1)
    examples = []
    for i, (source_length, target_length) in enumerate(zip(lengths, target_lengths)):
        copy_ids = torch.randint(4, VOCAB, (source_length,), generator=generator)
        copy_ids[: i + 1] = VOCAB + torch.arange(i + 1)
        target = torch.randint(4, VOCAB, (target_length,), generator=generator)
        target_copy_ids = target.clone()
        target_copy_ids[0], target[0] = VOCAB + i, UNK_ID
        source = torch.randint(4, VOCAB, (source_length,), generator=generator)
        examples.append(Example(i, source, target, {"source_copy_ids": copy_ids, "target_copy_ids": target_copy_ids}))
    return collate_examples(examples)


def test_copy_and_generate_mass_of_a_word_add_up():
    vocab_logits = torch.tensor([0.0, 0.0, 0.5, 0.0, 1.0, 2.0, -1.0, 0.3])  # V = 8
    p_vocab = vocab_logits.softmax(-1)
    g = 0.25
    attention = torch.tensor([0.1, 0.2, 0.3, 0.4])
    copy_ids = torch.tensor([5, 7, 5, 8])  # word 5 twice, word 7, then the first unknown word (id 8)
    log_probs = extended_log_probs(vocab_logits.view(1, 1, 8), torch.tensor([[[math.log(g / (1 - g))]]]),
                                   attention.view(1, 1, 4), copy_ids.view(1, 4), width=10)[0, 0]
    expected = torch.cat([g * p_vocab, torch.zeros(2)])
    expected[5] += (1 - g) * (0.1 + 0.3)
    expected[7] += (1 - g) * 0.2
    expected[8] += (1 - g) * 0.4
    torch.testing.assert_close(log_probs.exp(), expected)
    assert log_probs[9] == -math.inf  # an extended id this example does not have


@pytest.mark.parametrize("copy_attention", ["additive", "dot"])
@pytest.mark.parametrize("coverage", [False, True])
@pytest.mark.parametrize("kind", ["transformer", "lstm"])
def test_incremental_steps_equal_teacher_forcing_and_sum_to_one(kind, coverage, copy_attention):
    model, batch = make_model(kind, coverage=coverage, copy_attention=copy_attention), make_copy_batch()
    head, encoded = model.head, model.encode(batch)
    extended_input, extended_output = teacher_forcing_pair(batch.extras["target_copy_ids"], batch.target_lengths)
    decoder_input, _ = teacher_forcing_pair(batch.target, batch.target_lengths)
    with torch.no_grad():
        full, _ = head.teacher_forced(decoder_input, encoded)
        _, logs = head.loss(batch, encoded)
    width = VOCAB + 3
    assert full.shape == (3, decoder_input.shape[1], width)
    state = head.init_state(encoded)
    for t in range(decoder_input.shape[1]):
        step_log_probs, state = head.step(extended_input[:, t], state)  # extended ids: fed as UNK
        torch.testing.assert_close(step_log_probs, full[:, t], atol=1e-5, rtol=0)
        torch.testing.assert_close(step_log_probs.exp().sum(-1), torch.ones(3))
    keep = extended_output != 0
    nll = -full.gather(-1, extended_output[..., None]).squeeze(-1)[keep].mean()
    assert float(logs["nll"]) == pytest.approx(float(nll), rel=1e-5)
    assert int(logs["target_tokens"]) == int(keep.sum())


def test_beam_one_and_top_one_sampling_equal_greedy_over_the_extended_vocabulary():
    model, batch = make_model("transformer", coverage=True), make_copy_batch()
    model.head.gate.bias.data.fill_(-2.0)  # favour copying, so extended ids come up
    encoded = model.encode(batch)
    greedy = greedy_search(model.head, encoded, max_len_a=1.0, max_len_b=3)
    beam = beam_search(model.head, encoded, beam_size=1, max_len_a=1.0, max_len_b=3, length_penalty=0.0)
    assert any(token >= VOCAB for hyps in greedy for token in hyps[0].tokens)
    sampled = sample_search(model.head, encoded, top_k=1, max_len_a=1.0, max_len_b=3)
    assert [g[0].tokens for g in greedy] == [b[0].tokens for b in beam] == [s[0].tokens for s in sampled]


@pytest.mark.parametrize("coverage", [False, True])
def test_dot_copy_attention_against_a_loop_over_positions(coverage):
    torch.manual_seed(3)
    attention = CopyAttention(8, 6, coverage, kind="dot")
    if coverage:
        attention.coverage.weight.data.fill_(-0.7)
    query, memory = torch.randn(2, 3, 8), torch.randn(2, 5, 6)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
    cover = torch.rand(2, 3, 5) if coverage else None
    source = {"memory": memory, "projected": attention.memory(memory), "mask": mask}
    weights, context = attention(query, source, cover)
    for b in range(2):
        for t in range(3):
            real = int(mask[b].sum())
            scores = torch.stack([attention.query(query[b, t]) @ attention.memory(memory[b, i]) / 8 ** 0.5
                                  + (-0.7 * cover[b, t, i] if coverage else 0.0) for i in range(real)])
            expected = torch.cat([scores.softmax(0), torch.zeros(5 - real)])
            torch.testing.assert_close(weights[b, t], expected, atol=1e-6, rtol=1e-5)
            torch.testing.assert_close(context[b, t], expected @ memory[b], atol=1e-6, rtol=1e-5)
    with pytest.raises(ConfigError, match="copy_attention"):
        CopyAttention(8, 6, False, kind="bilinear")


def test_coverage_loss_by_hand():
    """With the copy attention's v at 0, attention is uniform over the S real positions: at output
    position t the coverage is t/S per position, so sum_i min(a, c) = 1 for every t >= 1."""
    model = make_model("lstm", coverage=True)
    model.head.coverage_weight = 0.5
    model.head.copy_attention.v.weight.data.zero_()
    batch = make_copy_batch(lengths=(2, 4), target_lengths=(3, 1))  # 4 + 2 output positions (EOS included)
    with torch.no_grad():
        loss, logs = model.head.loss(batch, model.encode(batch))
    assert float(logs["coverage"]) == pytest.approx((3 + 1) / 6, rel=1e-5)
    assert float(loss) == pytest.approx(float(logs["nll"]) + 0.5 * (3 + 1) / 6, rel=1e-5)


TRAIN = [{"source": "my name is anna .", "target": "hello anna ."},
         {"source": "i am bob .", "target": "hello bob ."}]
# target vocabulary: the specials, then "." and "hello" (twice each), "anna", "bob"
DOT, HELLO, BOB = 4, 5, 7
TARGET_VOCAB = 8


def make_task(kind: str = "word", copy_extras: bool = True) -> TextToTextTask:
    task = TextToTextTask(kind, copy_extras=copy_extras)
    task.fit(TRAIN)
    return task


def test_text_task_extended_ids_by_hand():
    task = make_task()
    sample = {"source": "my name is zed and zed is bob .", "target": "hello zed bob and kim ."}
    assert task.oov_pieces(sample) == ["my", "name", "is", "zed", "and"]
    extras = task.encode_extras(sample)
    assert extras["source_copy_ids"].tolist() == [8, 9, 10, 11, 12, 11, 10, BOB, DOT]
    assert extras["target_copy_ids"].tolist() == [HELLO, 11, BOB, 12, UNK_ID, DOT]  # "kim" is not in the source
    assert task.encode_target(sample).tolist() == [HELLO, UNK_ID, BOB, UNK_ID, UNK_ID, DOT]
    assert len(extras["source_copy_ids"]) == len(task.encode_source(sample))
    assert task.postprocess([BOS_ID, HELLO, 11, 12, BOB, UNK_ID, DOT, EOS_ID], sample) == "hello zed and bob <unk> ."
    assert set(task.encode_extras({"source": sample["source"]})) == {"source_copy_ids"}  # inference: no target
    assert make_task(copy_extras=False).encode_extras(sample) == {}


@pytest.mark.parametrize("kind", ["char", "word", "sentencepiece"])
def test_copied_source_ids_render_the_source(kind):
    """Rendering a source entirely through the extended vocabulary gives the source back."""
    task = make_task(kind)
    sample = {"source": "my  friend zoë is anna", "target": "hello"}
    if kind == "word":
        sample["source"] = " ".join(sample["source"].split())  # words keep single spaces only
    copy_ids = task.encode_extras(sample)["source_copy_ids"]
    assert (copy_ids >= task.target_vocab_size).any()
    assert task.postprocess(copy_ids.tolist(), sample) == sample["source"]


@pytest.mark.parametrize("kind", ["char", "word", "sentencepiece"])
def test_tokenizer_pieces_are_what_encode_looks_up(kind):
    options = {"vocab_size": 40} if kind == "sentencepiece" else {}
    tokenizer = build_tokenizer(kind, [sample["target"] for sample in TRAIN] * 5, **options)
    for text in ["hello anna .", "hello zoë  bob", ""]:
        pieces = tokenizer.pieces(text)
        assert tokenizer.encode(text) == [tokenizer.id_of(piece) for piece in pieces]
    with pytest.raises(IndexError, match="extra pieces"):
        tokenizer.decode([tokenizer.vocab_size + 1], ["one"])


def test_copies_an_unknown_word_when_p_gen_is_zero():
    task = make_task()
    sample = {"source": "zorblax"}  # one source position: all copy attention is on it
    example = Example(0, task.encode_source(sample), None, task.encode_extras(sample))
    model = make_model("transformer", source_vocab=task.frontend_args()["vocab_size"],
                       target_vocab=task.target_vocab_size)
    model.head.gate.bias.data.fill_(-1e4)  # p_gen = 0: copy only
    encoded = model.encode(collate_examples([example]))
    with torch.no_grad():
        log_probs, _ = model.head.step(torch.tensor([BOS_ID]), model.head.init_state(encoded))
    assert log_probs.shape == (1, TARGET_VOCAB + 1)
    assert float(log_probs[0, TARGET_VOCAB].exp()) == pytest.approx(1.0, abs=1e-6)
    hypothesis = greedy_search(model.head, encoded, max_len_a=0.0, max_len_b=1)[0][0]
    assert hypothesis.tokens == [TARGET_VOCAB]
    assert task.postprocess(hypothesis.tokens, sample) == "zorblax"


def name_samples(count: int, seed: int) -> list[dict]:
    """"my name is <name> ." (and other templates) -> "hello <name> .", names of one or two random words."""
    rng = random.Random(seed)
    templates = ["my name is {} .", "{} is my name .", "hi , i am {} and i like tea .", "call me {} please ."]
    samples = []
    for _ in range(count):
        name = " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 7)))
                        for _ in range(rng.randint(1, 2)))
        samples.append({"source": rng.choice(templates).format(name), "target": f"hello {name} .", "name": name})
    return samples


def train(model: Seq2Seq, examples: list[Example], steps: int, batch_size: int = 32) -> None:
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    rng = random.Random(0)
    model.train()
    for _ in range(steps):
        loss, _ = model(collate_examples(rng.sample(examples, batch_size)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


def test_pointer_generator_learns_to_copy_unseen_names_and_the_attention_head_cannot(one_thread):
    """With min_freq=2 no name word is in either vocabulary: only copying can get a name right.
    Two short training runs: 5 to 17 s on a shared 2-core machine, by its load."""
    task = TextToTextTask("word", {"min_freq": 2}, copy_extras=True)
    train_samples, test_samples = name_samples(1000, seed=1), name_samples(40, seed=2)
    task.fit(train_samples)
    examples = [Example(i, task.encode_source(s), task.encode_target(s), task.encode_extras(s))
                for i, s in enumerate(train_samples)]
    test_batch = collate_examples([Example(i, task.encode_source(s), None, task.encode_extras(s))
                                   for i, s in enumerate(test_samples)])
    sizes = {"source_vocab": task.frontend_args()["vocab_size"], "target_vocab": task.target_vocab_size, "dim": 64}
    outputs = {}
    # 100% from about step 50 on; the attention head has learnt all it can (the template) by step 30
    for name, steps, head_class, head_options in [("pointer", 80, PointerGeneratorHead, {}),
                                                  ("attention", 30, AttentionHead, {"label_smoothing": 0.0})]:
        model = make_model("lstm", head_class, **sizes, **head_options)
        train(model, examples, steps)
        hypotheses = greedy_search(model.head, model.encode(test_batch))
        outputs[name] = [task.postprocess(h[0].tokens, s) for h, s in zip(hypotheses, test_samples)]
    references = [s["target"] for s in test_samples]
    assert sum(o == r for o, r in zip(outputs["pointer"], references)) >= 0.9 * len(references)
    # the attention head learns all but the names, which it can only write as <unk>
    assert outputs["attention"] == [s["target"].replace(s["name"], " ".join(["<unk>"] * len(s["name"].split())))
                                    for s in test_samples]
