"""A short training run on rendered lines lowers CER, and evaluation draws the PNG sheet with attention maps."""
import random

import pytest
import torch
from hydra import compose, initialize_config_module
from hydra.utils import instantiate

from plugins.ocr.corpus import CHARSET
from plugins.ocr.render import find_fonts, render_line
from plugins.ocr.task import OCRTask
from seqcore.data import Example, collate_examples
from seqcore.model import build_model

SMALL = ["task=ocr", "model.dim=64", "model.encoder.layers=1", "model.frontend.channels=[8,16,32,32]",
         "model.frontend.dropout=0", "model.encoder.dropout=0", "model.decoder.dropout=0"]


def _samples(count: int, seed: int) -> list[dict]:
    """Lines of digit groups in one font: learnable in a few dozen steps on a CPU."""
    font, rng = find_fonts(CHARSET)[0], random.Random(seed)
    samples = []
    for _ in range(count):
        text = " ".join(str(rng.randrange(10, 1000)) for _ in range(rng.randint(1, 3)))
        samples.append({"target": text, "pixels": render_line(text, font, rng, 32)})
    return samples


def _model(task: OCRTask, head: str, *overrides: str):
    with initialize_config_module("conf", version_base="1.3"):
        cfg = compose("config", overrides=[*SMALL, f"head={head}", *overrides])
    torch.manual_seed(0)
    return build_model(cfg.model, cfg.head, task.frontend_args(), task.target_vocab_size), cfg


def _cer(task, model, search, samples) -> float:
    model.eval()
    batch = collate_examples([Example(i, task.encode_source(s), None) for i, s in enumerate(samples)])
    with torch.no_grad():
        nbest = search(model.head, model.encode(batch))
    return task.metrics([task.postprocess(n[0].tokens, s) for n, s in zip(nbest, samples)],
                        [s["target"] for s in samples])["cer"]


@pytest.mark.slow
def test_a_short_ctc_run_lowers_cer():
    torch.set_num_threads(1)
    task, train = OCRTask(height=32), _samples(96, 0)
    task.fit(train)
    model, cfg = _model(task, "ctc")
    search = instantiate(cfg.validation.search)
    before = _cer(task, model, search, train[:32])
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    examples = [Example(i, task.encode_source(s), task.encode_target(s)) for i, s in enumerate(train)]
    for step in range(300):
        model.train()
        batch = collate_examples(examples[(step % 6) * 16:(step % 6 + 1) * 16])
        loss, _ = model(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = _cer(task, model, search, train[:32])
    assert before > 80.0 and after < 0.75 * before, (before, after)


@pytest.mark.parametrize("head", ["hybrid", "ctc"])
def test_save_examples_draws_lines_and_attention_maps(tmp_path, head):
    task, samples = OCRTask(height=32), _samples(3, 1)
    task.fit(samples)
    model, cfg = _model(task, head)
    model.eval()
    batch = collate_examples([Example(i, task.encode_source(s), None) for i, s in enumerate(samples)])
    with torch.no_grad():
        options = {"beam_size": 2, **({"max_len_a": 0.2} if head == "hybrid" else {})}
        nbest = instantiate(cfg.search, **options)(model.head, model.encode(batch))
    paths = task.save_examples(model, samples, nbest, tmp_path / "examples")
    assert paths == [tmp_path / "examples" / "lines.png"] and paths[0].stat().st_size > 5000
    from PIL import Image
    height = Image.open(paths[0]).size[1]
    # one panel per line, plus an attention map each for the hybrid head's decoder
    assert height >= 3 * 0.9 * 110 * (2 if head == "hybrid" else 1)  # a row per line, and its map for hybrid


@pytest.mark.parametrize("input_feeding", [False, True])
def test_attention_map_rows_sum_to_one_over_real_frames(input_feeding):
    from plugins.ocr.pictures import attention_decoder, attention_map
    task, samples = OCRTask(height=32), _samples(1, 2)
    task.fit(samples)
    model, _ = _model(task, "attention", f"model.decoder.input_feeding={input_feeding}")
    model.eval()
    source = task.encode_source(samples[0])
    weights = attention_map(model, attention_decoder(model), source, task.encode_target(samples[0])[:3].tolist())
    assert weights.shape == (4, int(model.frontend.output_lengths(torch.tensor(source.shape[0]))))
    torch.testing.assert_close(weights.sum(1), torch.ones(4))


@pytest.mark.parametrize("head,model", [("ctc", "crnn_lstm"), ("attention", "crnn_lstm"), ("transducer", "crnn_lstm"),
                                        ("hybrid", "crnn_transformer")])
def test_every_head_trains_and_decodes_over_image_frames(head, model):
    task, samples = OCRTask(height=32), _samples(4, 3)
    task.fit(samples)
    net, cfg = _model(task, head, f"model={model}")
    batch = collate_examples([Example(i, task.encode_source(s), task.encode_target(s)) for i, s in enumerate(samples)])
    loss, _ = net(batch)
    loss.backward()
    assert torch.isfinite(loss) and all(p.grad is not None for p in net.frontend.parameters())
    net.eval()
    with torch.no_grad():
        encoded = net.encode(batch)
        # a short output cap: an untrained model's joint CTC score is -inf past what the frames can hold
        nbest = instantiate(cfg.search, **({"max_len_a": 0.2} if "max_len_a" in cfg.search else {}))(net.head, encoded)
    assert encoded.lengths.tolist() == [-(-len(task.encode_source(s)) // 2) // 2 for s in samples]  # stem, pool
    assert len(nbest) == 4 and all(0 < t < task.target_vocab_size for n in nbest for t in n[0].tokens)
