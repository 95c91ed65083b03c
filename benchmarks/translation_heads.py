"""Train the translation default with each head on the same budget and print a table of test scores.

    python benchmarks/translation_heads.py [--heads attention pointer ctc hybrid] [extra overrides...]

Every run is the README's `seqcore-train` with one `head=` override (CTC-based heads get an
upsampled encoder so outputs may be longer than inputs, as in non-autoregressive NMT with
CTC), in its own run directory under `benchmarks/runs/`; wall time includes everything.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HEAD_OVERRIDES = {
    "attention": ["head=attention"],
    "pointer": ["head=pointer"],
    "ctc": ["head=ctc", "head.upsample=3"],
    "hybrid": ["head=hybrid", "head.upsample=3"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heads", nargs="+", default=list(HEAD_OVERRIDES), choices=list(HEAD_OVERRIDES))
    parser.add_argument("--runs", default="benchmarks/runs", help="parent directory of the run directories")
    args, overrides = parser.parse_known_args()
    rows = []
    for head in args.heads:
        run_dir = Path(args.runs).resolve() / f"translation-{head}"
        command = [sys.executable, "-m", "apps.train", *HEAD_OVERRIDES[head], *overrides, f"hydra.run.dir={run_dir}"]
        print("+", " ".join(command), flush=True)
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        if result.returncode:
            print(result.stderr[-2000:], file=sys.stderr)
            rows.append((head, float("nan"), float("nan"), elapsed, "failed"))
            continue
        metrics = json.loads((run_dir / "test_metrics.json").read_text())
        config = (run_dir / "config.yaml").read_text()
        search = next(line.split(":", 1)[1].strip() for line in config.splitlines() if "_target_: seqcore.search" in line)
        rows.append((head, metrics["test/bleu"], metrics["test/chrf"], elapsed, search.rsplit(".", 1)[-1]))
    print("\n| head | test BLEU | test chrF | wall time (min) | test search |")
    print("|---|--:|--:|--:|---|")
    for head, bleu, chrf, elapsed, search in rows:
        print(f"| {head} | {bleu:.2f} | {chrf:.2f} | {elapsed / 60:.1f} | {search} |")


if __name__ == "__main__":
    main()
