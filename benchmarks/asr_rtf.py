"""Real-time factor of batch transcription on this machine, per search. Prints a markdown table.

    python benchmarks/asr_rtf.py --ctc runs/asr-ctc/checkpoints/last.ckpt \
        --transducer runs/asr/checkpoints/last.ckpt [--utterances 300] [--threads 2]

RTF = processing seconds / audio seconds (below 1: faster than real time). Processing is what a
batch job does per utterance after reading the file: log-mel features, the encoder and the
search, on token-budget batches of the checkpoint's `data.eval_max_tokens` frames, in length
order as seqcore-batch does. Audio comes from the checkpoint task's test split (the embedded
eSpeak test voice by default). The WER column checks that each search decodes what it should.
A CTC checkpoint (or a hybrid one: its CTC branch) gets CTC greedy and CTC prefix beam search;
a transducer checkpoint gets transducer greedy and beam search.
"""
from __future__ import annotations

import argparse
import time

import torch

from seqcore.checkpoint import load_module
from seqcore.data import Example, TokenBudgetBatchSampler, collate_examples
from seqcore.search import (ctc_greedy_search, ctc_prefix_beam_search, transducer_beam_search,
                            transducer_greedy_search)

SEARCHES = {
    "ctc": [("CTC greedy", ctc_greedy_search, {}), ("CTC prefix beam (8)", ctc_prefix_beam_search, {"beam_size": 8})],
    "transducer": [("transducer greedy", transducer_greedy_search, {"max_symbols_per_frame": 3}),
                   ("transducer beam (4)", transducer_beam_search, {"beam_size": 4, "max_symbols_per_frame": 3})],
}


@torch.no_grad()
def measure(module, samples: list[dict], search, options: dict) -> tuple[float, float, float]:
    """(processing seconds, audio seconds, WER) of transcribing `samples` with one search."""
    task, model = module.task, module.model
    audio_seconds = sum(len(task.waveform(s)) for s in samples) / task.mel.sample_rate
    started = time.perf_counter()
    examples = [Example(i, task.encode_source(s), None) for i, s in enumerate(samples)]
    sampler = TokenBudgetBatchSampler([len(e.source) for e in examples], module.config.data.eval_max_tokens,
                                      shuffle=False)
    texts = {}
    for positions in sampler:
        batch = collate_examples([examples[p] for p in positions])
        for index, hypotheses in zip(batch.ids.tolist(), search(model.head, model.encode(batch), **options)):
            texts[index] = task.postprocess(hypotheses[0].tokens, samples[index])
    seconds = time.perf_counter() - started
    wer = task.metrics([texts[i] for i in range(len(samples))], [task.reference(s) for s in samples])["wer"]
    return seconds, audio_seconds, wer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ctc", help="checkpoint of head=ctc or head=hybrid")
    parser.add_argument("--transducer", help="checkpoint of head=transducer")
    parser.add_argument("--utterances", type=int, default=300)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    if not (args.ctc or args.transducer):
        parser.error("give --ctc and/or --transducer checkpoints")
    torch.set_num_threads(args.threads)
    rows = []
    for kind, path in (("ctc", args.ctc), ("transducer", args.transducer)):
        if not path:
            continue
        module = load_module(path)
        head = module.model.head
        if kind == "ctc" and hasattr(head, "ctc"):
            module.model.head = head.ctc  # a hybrid head: decode its CTC branch
        samples = module.task.load_split("test")[: args.utterances]
        for name, search, options in SEARCHES[kind]:
            seconds, audio, wer = measure(module, samples, search, options)
            rows.append((name, len(samples), audio, seconds, seconds / audio, wer))
    print(f"\nbatch transcription, {args.threads} thread(s), features + encoder + search:\n")
    print("| search | utterances | audio (s) | processing (s) | RTF | WER % |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, count, audio, seconds, rtf, wer in rows:
        print(f"| {name} | {count} | {audio:.1f} | {seconds:.2f} | {rtf:.4f} | {wer:.2f} |")


if __name__ == "__main__":
    main()
