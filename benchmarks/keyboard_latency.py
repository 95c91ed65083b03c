"""On-device figures of a trained keyboard model: float vs int8 dynamic quantization.

    python benchmarks/keyboard_latency.py CKPT [--latency-sentences 200] [--threads 1]

Prints a markdown table with, for the float model and its int8 dynamic-quantized copy
(`plugins.keyboard.export.quantize`):

- parameters, size on disk of the state_dict and of the exported TorchScript file;
- accuracy on the checkpoint's test split (WER, CER, word and sentence accuracy,
  false-correction rate on already-correct inputs), next to the identity baseline;
- latency per sentence at batch size 1 on `--threads` CPU threads (default 1, as on a phone's
  keyboard process), p50 and p95 over the first `--latency-sentences` test sentences, through
  the Python model with greedy search and through the exported TorchScript module.

Latencies depend on the machine and its load: compare rows of one run only.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

from plugins.keyboard.decoding import decode_texts
from plugins.keyboard.export import parameter_count, quantize, size_on_disk, to_torchscript
from seqcore.checkpoint import load_module


def percentiles(seconds: list[float]) -> tuple[float, float]:
    ordered = sorted(seconds)
    return 1000 * statistics.median(ordered), 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def latency(function, texts: list[str]) -> tuple[float, float]:
    function(texts[0])  # warm-up
    timings = []
    for text in texts:
        start = time.perf_counter()
        function(text)
        timings.append(time.perf_counter() - start)
    return percentiles(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ckpt")
    parser.add_argument("--latency-sentences", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    module = load_module(args.ckpt)
    samples = module.task.load_split("test")
    sources, references = [s["source"] for s in samples], [s["target"] for s in samples]
    texts = sources[: args.latency_sentences]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {platform.machine()}; "
          f"test split: {len(samples)} sentences, latency over {len(texts)} at batch size 1\n")
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for name, model in (("float32", module), ("int8 dynamic", quantize(module))):
            outputs = [best for best, *_ in decode_texts(model, sources)]
            scores = model.task.evaluate(outputs, references, samples)
            scripted = to_torchscript(model)
            path = Path(directory) / f"{name.split()[0]}.pt"
            scripted.save(str(path))
            ids = {text: model.task.encode_source({"source": text})[None] for text in texts}
            with torch.no_grad():
                python_p50, python_p95 = latency(lambda text: decode_texts(model, [text]), texts)
                script_p50, script_p95 = latency(lambda text: scripted(ids[text]), texts)
            sizes = size_on_disk(model.model) / 1e6, path.stat().st_size / 1e6
            rows.append((name, parameter_count(module.model), *sizes, scores, python_p50, python_p95,
                         script_p50, script_p95))
    identity = rows[0][4]
    print("| model | params | state_dict MB | TorchScript MB | WER | CER | word acc | sentence acc | false corr. "
          "| p50 ms | p95 ms | TorchScript p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| identity (input as output) | - | - | - | {identity['identity_wer']:.2f} | {identity['identity_cer']:.2f} "
          f"| {identity['identity_word_acc']:.2f} | {identity['identity_sentence_acc']:.2f} | 0.00 | - | - | - | - |")
    for name, params, state_mb, script_mb, s, p50, p95, sp50, sp95 in rows:
        print(f"| {name} | {params / 1e6:.3f}M | {state_mb:.2f} | {script_mb:.2f} | {s['wer']:.2f} | {s['cer']:.2f} "
              f"| {s['word_acc']:.2f} | {s['sentence_acc']:.2f} | {s['false_correction']:.2f} "
              f"| {p50:.1f} | {p95:.1f} | {sp50:.1f} | {sp95:.1f} |")


if __name__ == "__main__":
    main()
