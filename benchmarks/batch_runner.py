"""seqcore-batch on this machine: items/s with 1 and 2 processes, the cost of resumability, and
peak resident memory as the input grows. Prints markdown tables.

    python benchmarks/batch_runner.py --ckpt runs/mt/checkpoints/best.ckpt [--lines 3000] [--repeats 3]
    python benchmarks/batch_runner.py          # trains a short translation model first

Inputs are the embedded translation test sentences, cycled to the wanted number of lines.
"items/s" is decoding throughput as the job reports it (reading, decoding, committing; not
the process start, printed separately as wall time). Each configuration runs `--repeats`
times; the tables give medians. Memory: the peak RSS of the job process (getrusage of
children), for inputs 10x apart: flat memory means the same figure for both.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from plugins.translation.synthetic import generate_corpus

CONFIGS = {
    "1 process, resumable (default)": [],
    "1 process, no commits (resumable=false)": ["resumable=false"],
    "2 processes (trainer=ddp), resumable": ["trainer=ddp"],
}


def make_input(path: Path, lines: int) -> None:
    sentences = [source for source, _ in generate_corpus(1234)["test"]]
    with path.open("w") as handle:
        for number in range(lines):
            handle.write(sentences[number % len(sentences)] + "\n")


# runs a command and prints its peak RSS: a fresh parent per job, so RUSAGE_CHILDREN is that job's alone
PEAK_RSS = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
            "print('peak_rss_kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def run_job(ckpt: str, input_path: Path, output: Path, overrides: list[str], run_dir: Path) -> tuple[float, float, float]:
    """(items/s reported, wall seconds, peak RSS MiB of the job's main process)."""
    command = [sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "apps.batch", f"ckpt={ckpt}",
               f"input={input_path}", f"output={output}", f"hydra.run.dir={run_dir}", *overrides]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.monotonic() - started
    if result.returncode:
        sys.exit(f"batch job failed:\n{result.stderr[-3000:]}")
    rate = float(re.search(r"at ([\d.]+) items/s", result.stdout).group(1))
    peak_kib = int(re.search(r"peak_rss_kib (\d+)", result.stdout).group(1))
    return rate, wall, peak_kib / 1024


def train_checkpoint(run_dir: Path) -> str:
    subprocess.run([sys.executable, "-m", "apps.train", "trainer.max_steps=300", "test_after_training=false",
                    f"hydra.run.dir={run_dir}"], check=True, capture_output=True)
    return str(run_dir / "checkpoints" / "last.ckpt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ckpt")
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-lines", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--runs", default="benchmarks/runs/batch")
    args, overrides = parser.parse_known_args()
    runs = Path(args.runs).resolve()
    runs.mkdir(parents=True, exist_ok=True)
    ckpt = args.ckpt or train_checkpoint(runs / "model")
    input_path = runs / f"in-{args.lines}.txt"
    make_input(input_path, args.lines)

    print(f"\n{args.lines} lines, median of {args.repeats} runs\n")
    print("| configuration | items/s | wall time (s) |")
    print("|---|--:|--:|")
    rates = {}
    for name, config in CONFIGS.items():
        results = [run_job(ckpt, input_path, runs / "out.jsonl", [*config, *overrides], runs / "job")
                   for _ in range(args.repeats)]
        rates[name] = statistics.median(r[0] for r in results)
        print(f"| {name} | {rates[name]:.1f} | {statistics.median(r[1] for r in results):.1f} |", flush=True)
    one, two = rates["1 process, resumable (default)"], rates["2 processes (trainer=ddp), resumable"]
    plain = rates["1 process, no commits (resumable=false)"]
    print(f"\nscaling efficiency 2 processes: {two / (2 * one):.2f}; resumability costs {100 * (1 - one / plain):.1f}% "
          f"of throughput\n")

    print("| input lines | items/s | peak RSS (MiB) |")
    print("|--:|--:|--:|")
    for lines in args.memory_lines:
        path = runs / f"in-{lines}.txt"
        make_input(path, lines)
        rate, _, peak = run_job(ckpt, path, runs / "out-memory.txt", ["search=greedy", *overrides], runs / "job")
        print(f"| {lines:,} | {rate:.1f} | {peak:.0f} |", flush=True)


if __name__ == "__main__":
    main()
