"""Keyboard models on fixtures: the GRU options of the recurrent core, TorchScript export and
int8 quantization against the float model, bad input, and completion ranking."""
import pytest
import torch
from hydra import compose, initialize_config_module
from hydra.utils import instantiate
from omegaconf import OmegaConf

from plugins.keyboard.completion import candidate_words, complete
from plugins.keyboard.correct import correct_lines, pieces
from plugins.keyboard.decoding import decode_texts, sequence_log_probs
from plugins.keyboard.export import parameter_count, quantize, size_on_disk, to_torchscript
from seqcore.data import Example, collate_examples
from seqcore.lightning import Seq2SeqModule, TaskDataModule
from seqcore.modules import CharCNNEncoder, LSTMDecoder
from seqcore.search import beam_search, greedy_search

FIXTURES = ["Helo, I'm goign hmoe now.", "See you tomorow!", "The meeting is at noon.", "a", "wat"]


def build_module(*overrides: str) -> Seq2SeqModule:
    """A keyboard module with random weights (the checks below hold for any weights)."""
    torch.manual_seed(0)
    with initialize_config_module("conf", version_base="1.3"):
        cfg = compose("config", overrides=["task=keyboard", "task.embedded_sizes={train:200,valid:5,test:5}",
                                           "model.dim=32", *overrides])
    task = instantiate(cfg.task)
    TaskDataModule(task).fit_task()
    return Seq2SeqModule(OmegaConf.to_container(cfg, resolve=True), task.state_dict()).eval()


@pytest.fixture(scope="module")
def module():
    return build_module()


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_decoder_without_input_feeding_matches_its_own_steps(cell):
    torch.manual_seed(0)
    decoder = LSTMDecoder(vocab_size=11, dim=8, cell=cell, input_feeding=False, dropout=0.0).eval()
    memory, mask = torch.randn(2, 5, 8), torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    tokens = torch.randint(0, 11, (2, 4))
    state, steps = decoder.init_state(memory, mask), []
    for t in range(4):
        hidden, state = decoder.step(tokens[:, t], state)
        steps.append(hidden)
    assert torch.allclose(decoder(tokens, memory, mask), torch.stack(steps, 1), atol=1e-6)
    assert ("c" in state) == (cell == "lstm")


def test_char_cnn_encoder_ignores_padding():
    """A padded batch gives each sentence the states it gets alone (padding is masked before
    every convolution and packed away from the GRU)."""
    torch.manual_seed(0)
    encoder = CharCNNEncoder(dim=8, conv_layers=2, kernel_size=3, dropout=0.0).eval()
    x = torch.randn(2, 6, 8)
    mask = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])
    batched, _ = encoder(x, mask)
    alone, _ = encoder(x[1:, :4], mask[1:, :4])
    assert torch.allclose(batched[1, :4], alone[0], atol=1e-6)
    assert encoder.output_dim == 8


def encoded_fixtures(module):
    examples = [Example(i, module.task.encode_source({"source": t}), None, module.task.encode_extras({"source": t}))
                for i, t in enumerate(FIXTURES)]
    return module.model.encode(collate_examples(examples))


@pytest.mark.parametrize("overrides", [[], ["head=pointer"], ["model.decoder.input_feeding=false"]])
def test_beam_search_reorders_gru_states_right(overrides):
    """Beam 1 equals greedy, and each beam-4 hypothesis's log-probability is what teacher forcing
    gives its tokens: wrongly reordered states would score tokens under another prefix."""
    module = build_module(*overrides)
    encoded = encoded_fixtures(module)
    greedy = greedy_search(module.model.head, encoded, max_len_a=1.0, max_len_b=3)
    beam = beam_search(module.model.head, encoded, beam_size=1, length_penalty=0.0, max_len_a=1.0, max_len_b=3)
    assert [g[0].tokens for g in greedy] == [b[0].tokens for b in beam]
    wide = beam_search(module.model.head, encoded, beam_size=4, nbest=4, max_len_a=1.0, max_len_b=3)
    for text, hypotheses in zip(FIXTURES, wide):  # (at the length cap, a search keeps EOS's real score)
        outputs = [module.task.target_tokenizer.decode(h.tokens) for h in hypotheses]
        scores = sequence_log_probs(module, [text] * len(outputs), outputs)
        assert scores.tolist() == pytest.approx([h.log_prob for h in hypotheses], abs=1e-3)


def test_scoring_agrees_with_the_search(module):
    outputs = decode_texts(module, FIXTURES)
    hypotheses = greedy_search(module.model.head, encoded_fixtures(module), max_len_a=1.1, max_len_b=10)
    for text, output, (best,) in zip(FIXTURES, outputs, hypotheses):
        target = module.task.target_tokenizer.decode(best.tokens)
        assert output[0] == target
        assert sequence_log_probs(module, [text], [target]).item() == pytest.approx(best.log_prob, abs=1e-3)


@pytest.mark.parametrize("overrides", [[], ["head=pointer"]])
def test_torchscript_export_gives_the_same_outputs(overrides, tmp_path):
    module = build_module(*overrides)
    path = tmp_path / "corrector.pt"
    to_torchscript(module).save(str(path))
    exported = torch.jit.load(str(path))
    for text, (expected,) in zip(FIXTURES, decode_texts(module, FIXTURES)):
        ids = exported(module.task.encode_source({"source": text})[None])
        assert module.task.postprocess(ids.tolist(), {"source": text}) == expected


def test_int8_model_agrees_with_the_float_model_within_tolerance(module):
    """Tolerance: per-character log-probabilities of the float model's outputs within 0.05
    nats on average; the int8 model is smaller on disk."""
    quantized = quantize(module)
    outputs = [best for best, in decode_texts(module, FIXTURES)]
    lengths = torch.tensor([len(o) + 1 for o in outputs], dtype=torch.float32)
    float_scores = sequence_log_probs(module, FIXTURES, outputs)
    int8_scores = sequence_log_probs(quantized, FIXTURES, outputs)
    assert ((float_scores - int8_scores).abs() / lengths).mean() < 0.05
    assert size_on_disk(quantized.model) < size_on_disk(module.model)
    assert parameter_count(module.model) > 0
    exported = to_torchscript(quantized)  # the int8 model exports too
    ids = exported(module.task.encode_source({"source": FIXTURES[0]})[None])
    assert module.task.postprocess(ids.tolist(), {}) == decode_texts(quantized, FIXTURES[:1])[0][0]


def test_bad_input_never_crashes_and_keeps_unknown_characters(module):
    long_line = " ".join(["teh quick brwn fox"] * 60)
    lines = ["", "   ", "café 🙂 naïve", long_line, "\x1f", "ok"]
    outputs = correct_lines(module, lines, window=40)
    assert len(outputs) == len(lines) and outputs[0] == "" and outputs[1] == "   "
    assert [c for c in outputs[2] if not c.isascii()] == ["é", "🙂", "ï"]
    assert outputs[4] == "\x1f"
    known = lambda c: c.isascii()  # noqa: E731
    cut = pieces(long_line, known, 40)
    assert "".join(text for text, _ in cut) == long_line
    assert all(len(text) <= 40 for text, correct in cut if correct) and len(cut) > 20


def test_completion_ranks_the_only_word_with_a_prefix_first(module):
    module.task.lexicon = {"xylophone": 1, "the": 500, "xenon": 20, "station": 40, "stationery": 2, "tomorrow": 9}
    assert complete(module, "I play the xyl", k=3)[0][0] == "xylophone"
    ranked = complete(module, "Meet me at the sta", k=5)
    assert sorted(word for word, _ in ranked) == ["station", "stationery"]
    assert ranked[0][1] >= ranked[1][1]
    assert candidate_words({"tomorrow": 5, "today": 9, "to": 50}, "To", 5) == ["Today", "Tomorrow"]
