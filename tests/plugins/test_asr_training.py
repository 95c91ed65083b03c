"""A short training run on the embedded eSpeak corpus lowers the character error rate."""
import torch

from plugins.asr import ASRTask
from seqcore.data import Example, collate_examples
from seqcore.heads import CTCHead
from seqcore.model import Seq2Seq
from seqcore.modules import AudioFrontend, ConformerEncoder
from seqcore.search import ctc_greedy_search


def _cer(model, task, batch, samples) -> float:
    model.eval()
    hypotheses = ctc_greedy_search(model.head, model.encode(batch))
    texts = [task.postprocess(h[0].tokens, s) for h, s in zip(hypotheses, samples)]
    model.train()
    return task.metrics(texts, [s["target"] for s in samples])["cer"]


def test_short_training_run_lowers_cer(tmp_path):
    torch.manual_seed(0)
    task = ASRTask(embedded_sizes={"train": 8, "valid": 1, "test": 1}, stats_utterances=8,
                   embedded_speech={"noise_fraction": 0.0, "train_variants": ["m1"], "voices": ["en-us"]},
                   cache_dir=str(tmp_path))
    samples = task.load_split("train")
    task.fit(samples)
    examples = [Example(i, task.encode_source(s), task.encode_target(s)) for i, s in enumerate(samples)]
    batch = collate_examples(examples)
    frontend = AudioFrontend(80, dim=64, subsampling=4, channels=16, spec_augment={"freq_masks": 0, "time_masks": 0})
    model = Seq2Seq(frontend, ConformerEncoder(dim=64, layers=1, heads=4, ffn_dim=128, kernel_size=7),
                    CTCHead(task.target_vocab_size, 64))
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    before = _cer(model, task, batch, samples)
    for _ in range(25):
        loss, _ = model(batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    after = _cer(model, task, batch, samples)
    assert after < 0.5 * before, (before, after)
