"""CPU benchmark of the default translation Transformer on the embedded synthetic data.

    python benchmarks/transformer_cpu.py [--repeats 5] [--threads N] [--decode-sentences N] [hydra overrides...]
    python benchmarks/transformer_cpu.py model.dim=128 data.max_tokens=2048

Task, data module, model and optimizer are built from the training config exactly as
`seqcore-train` builds them (overrides work the same way). Prints a markdown table of:

- training throughput, target tokens/s (EOS included): forward + backward + gradient clipping
  + AdamW step on real training batches from the bucketing sampler, `--train-batches` per repeat;
- greedy and beam-5 decoding, sentences/s, on the test split batched at `data.eval_max_tokens`;
  the model is untrained, so outputs tend to run to the length cap (`search.max_len_a/b`):
  the mean output length is printed next to it and a trained model decodes faster;
- the padding fraction of one training epoch with and without length bucketing;
- peak resident memory of the process so far after training and after decoding, and the
  model's parameter count and memory.

Timings are the median of `--repeats` runs after warm-up; collation is done beforehand and
not timed. Numbers depend on the machine and its load: compare runs on the same machine.
"""
from __future__ import annotations

import argparse
import itertools
import platform
import resource
import statistics
import time

import hydra
import torch
from hydra import compose, initialize_config_module

from seqcore.data import TokenBudgetBatchSampler, collate_examples, padding_fraction
from seqcore.lightning import TaskDataModule
from seqcore.model import build_model
from seqcore.optim import build_optimizer
from seqcore.plugins import check_head
from seqcore.search import beam_search, greedy_search


def batch_lengths(examples) -> list[int]:
    """The length TaskDataModule batches by: the longer of source and target + EOS."""
    return [max(len(e.source), len(e.target) + 1) for e in examples]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def measure_training(cfg, model, examples, batches_per_repeat: int, repeats: int, warmup: int) -> list[float]:
    """Target tokens/s of full optimizer steps, one value per repeat over fresh batches."""
    sampler = TokenBudgetBatchSampler(batch_lengths(examples), cfg.data.max_tokens, shuffle=True, seed=cfg.seed)
    needed = warmup + batches_per_repeat * repeats  # cycle wraps around a tiny epoch
    batches = [collate_examples([examples[i] for i in b]) for b in itertools.islice(itertools.cycle(sampler), needed)]
    optimizer, scheduler = build_optimizer(model, cfg.optim, needed)
    clip = cfg.trainer.get("gradient_clip_val")

    def step(batch):
        loss, _ = model(batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        scheduler.step()

    model.train()
    for batch in batches[:warmup]:
        step(batch)
    rates = []
    for r in range(repeats):
        chunk = batches[warmup + r * batches_per_repeat: warmup + (r + 1) * batches_per_repeat]
        tokens = sum(int((b.target_lengths + 1).sum()) for b in chunk)
        rates.append(tokens / timed(lambda: [step(b) for b in chunk]))
    return rates


def measure_decoding(cfg, model, examples, search, repeats: int) -> tuple[list[float], float]:
    """Sentences/s of encode + search over all `examples`, and the mean output length in tokens."""
    sampler = TokenBudgetBatchSampler(batch_lengths(examples), cfg.data.eval_max_tokens, shuffle=False)
    batches = [collate_examples([examples[i] for i in indices]) for indices in sampler]
    lengths: list[int] = []

    def decode_all():
        lengths.clear()
        for batch in batches:
            lengths.extend(len(nbest[0].tokens) for nbest in search(model.head, model.encode(batch)))

    model.eval()
    with torch.no_grad():
        search(model.head, model.encode(batches[-1]))  # warm-up on the shortest batch
        rates = [len(examples) / timed(decode_all) for _ in range(repeats)]
    return rates, statistics.mean(lengths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats; the median is reported")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--train-batches", type=int, default=8, help="training batches per repeat")
    parser.add_argument("--decode-sentences", type=int, default=None, help="decode only the first N test sentences")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. model.dim=128")
    args = parser.parse_intermixed_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    with initialize_config_module("conf", version_base="1.3"):
        cfg = compose("config", overrides=args.overrides)
    torch.manual_seed(cfg.seed)
    task = hydra.utils.instantiate(cfg.task)
    check_head(task, cfg.head.name)
    datamodule = TaskDataModule(task, **cfg.data, seed=cfg.seed)
    datamodule.fit_task()
    model = build_model(cfg.model, cfg.head, task.frontend_args(), task.target_vocab_size)
    parameters = list(model.parameters())
    train, test = datamodule.examples("train"), datamodule.examples("test")[: args.decode_sentences]
    rss_after_setup = peak_rss_mib()

    train_rates = measure_training(cfg, model, train, args.train_batches, args.repeats, warmup=2)
    rss_after_training = peak_rss_mib()
    search = dict(max_len_a=cfg.search.max_len_a, max_len_b=cfg.search.max_len_b)
    greedy_rates, greedy_length = measure_decoding(
        cfg, model, test, lambda head, enc: greedy_search(head, enc, **search), args.repeats)
    beam_rates, beam_length = measure_decoding(
        cfg, model, test, lambda head, enc: beam_search(head, enc, beam_size=5, **search), args.repeats)
    rss_after_decoding = peak_rss_mib()

    lengths = batch_lengths(train)
    padding = {bucketing: padding_fraction(lengths, TokenBudgetBatchSampler(
        lengths, cfg.data.max_tokens, shuffle=True, seed=cfg.seed, bucketing=bucketing)) for bucketing in (True, False)}

    def describe(part) -> str:
        return f"{part._target_.rsplit('.', 1)[-1]}(" + ", ".join(f"{k}={v}" for k, v in part.items() if k != "_target_") + ")"

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU: {cpu_model()}")
    print(f"model: {describe(cfg.model.encoder)} + {describe(cfg.model.decoder)}, head={cfg.head.name}, "
          f"vocab source={task.frontend_args()['vocab_size']} target={task.target_vocab_size}")
    print(f"data: {len(train)} train / {len(test)} decoded test sentences, max_tokens={cfg.data.max_tokens}, "
          f"eval_max_tokens={cfg.data.eval_max_tokens}, max_len={search['max_len_a']}*src+{search['max_len_b']}; "
          f"median of {args.repeats} repeats\n")

    def timing(values: list[float]) -> tuple[str, str]:
        return f"{statistics.median(values):,.1f}", f"{min(values):,.1f} .. {max(values):,.1f}"

    rows = [
        ("measurement", "median", "min .. max", "unit"),
        ("training (fwd+bwd+AdamW)", *timing(train_rates), "target tokens/s"),
        (f"greedy decoding (mean output {greedy_length:.1f} tokens)", *timing(greedy_rates), "sentences/s"),
        (f"beam-5 decoding (mean output {beam_length:.1f} tokens)", *timing(beam_rates), "sentences/s"),
        ("padding, bucketed batches", f"{100 * padding[True]:.1f}", "", "% of positions"),
        ("padding, unbucketed batches", f"{100 * padding[False]:.1f}", "", "% of positions"),
        ("peak RSS after data and model setup", f"{rss_after_setup:,.0f}", "", "MiB"),
        ("peak RSS after training", f"{rss_after_training:,.0f}", "", "MiB"),
        ("peak RSS after decoding", f"{rss_after_decoding:,.0f}", "", "MiB"),
        ("parameters", f"{sum(p.numel() for p in parameters) / 1e6:.2f}", "", "million"),
        ("parameter memory", f"{sum(p.numel() * p.element_size() for p in parameters) / 2**20:.1f}", "", "MiB"),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for index, row in enumerate(rows):
        cells = [cell.rjust(w) if i in (1, 2) else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        print("| " + " | ".join(cells) + " |")
        if index == 0:  # numbers right-aligned in markdown too
            print("|" + "|".join("-" * (w + 1) + (":" if i in (1, 2) else "-") for i, w in enumerate(widths)) + "|")


if __name__ == "__main__":
    main()
