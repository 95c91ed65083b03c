"""CPU benchmark of the transducer loss at a speech-like size (default B=8, T=200, U=50, V=500).

    python benchmarks/transducer_loss.py [--repeats 5] [--threads N] [--batch 8 --frames 200 --target 50 --vocab 500]

The transducer's cost is its lattice: logits [B, T, U+1, V] in float32 (163 MB at the default
size), which the joiner produces and `torchaudio.functional.rnnt_loss` consumes. Prints a
markdown table of, for a `TransducerHead` of the default config (LSTM predictor, joiner_dim
256, dropout off, encoder_dim 256):

- joiner: projected frames [B, T, 1, J] + projected predictions [B, 1, U+1, J] -> logits, forward
  with autograd recording (as in training);
- rnnt_loss forward + backward on those logits (a leaf tensor), with fused log-softmax (what the
  head uses on GPU) and with an explicit log_softmax first;
- seqcore's `transducer_nll` (`seqcore/heads/transducer_loss.py`, what the head uses on CPU) on
  the same logits;
- the head's whole loss forward + backward: predictor, projections, joiner and the CPU loss.

Times are the median of `--repeats` runs after one warm-up run, as wall-clock seconds and as
the process's CPU seconds (all threads; on a shared machine less sensitive to load). Memory is measured as resident
memory, not by the profiler: each measurement runs in a fresh process, and the table reports that
process's peak RSS (`resource.getrusage`'s ru_maxrss) after the runs minus its peak before them
(after imports and inputs), i.e. the extra memory at the step's high-water mark. Numbers depend on
the machine and its load: compare runs on the same machine.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import time

import torch
from torchaudio.functional import rnnt_loss

from seqcore.data import Example, collate_examples
from seqcore.heads.transducer import BLANK_ID, TransducerHead
from seqcore.heads.transducer_loss import transducer_nll
from seqcore.modules.state import EncoderOutput

ENCODER_DIM = 256


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def make_inputs(sizes: argparse.Namespace):
    torch.manual_seed(0)
    head = TransducerHead(sizes.vocab, ENCODER_DIM, dropout=0.0)
    batch = collate_examples([Example(i, torch.zeros(1, dtype=torch.long), torch.randint(4, sizes.vocab, (sizes.target,)))
                              for i in range(sizes.batch)])
    encoded = EncoderOutput(torch.randn(sizes.batch, sizes.frames, ENCODER_DIM),
                            torch.ones(sizes.batch, sizes.frames, dtype=torch.bool))
    return head, batch, encoded


def setup(measurement: str, sizes: argparse.Namespace):
    """Build the inputs of one measurement and return the function to time."""
    head, batch, encoded = make_inputs(sizes)
    if measurement == "head":
        return lambda: head.loss(batch, encoded)[0].backward()
    frames = head.project_encoder(encoded.states).detach().requires_grad_()
    start = torch.full((sizes.batch, 1), BLANK_ID)
    predictions, _ = head.predictor(torch.cat([start, batch.target], 1), head.predictor_initial_state(sizes.batch, "cpu"))
    predictions = head.predictor_projection(predictions).detach().requires_grad_()
    if measurement == "joiner":
        return lambda: head.joint_logits(frames[:, :, None], predictions[:, None])
    logits = head.joint_logits(frames[:, :, None], predictions[:, None]).detach().requires_grad_()
    targets, target_lengths = batch.target.int(), batch.target_lengths.int()
    frame_lengths = encoded.lengths.int()
    fused = measurement == "rnnt_fused"

    if measurement == "seqcore_loss":
        def loss_step():
            transducer_nll(logits, targets, frame_lengths, target_lengths, BLANK_ID).sum().backward()
            logits.grad = None
        return loss_step

    def loss_step():
        inputs = logits if fused else logits.log_softmax(-1)
        rnnt_loss(inputs, targets, frame_lengths, target_lengths, blank=BLANK_ID, reduction="sum",
                  fused_log_softmax=fused).backward()
        logits.grad = None
    return loss_step


def measure(measurement: str, sizes: argparse.Namespace) -> tuple[list[float], list[float], float]:
    """In a fresh process: wall and CPU seconds per run, and the peak RSS the runs added (MiB)."""
    torch.set_num_threads(sizes.threads)
    step = setup(measurement, sizes)
    before = peak_rss_mib()
    step()  # warm-up
    wall, cpu = [], []
    for _ in range(sizes.repeats):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    return wall, cpu, peak_rss_mib() - before


MEASUREMENTS = {
    "joiner": "joiner forward -> logits",
    "rnnt_fused": "rnnt_loss fwd+bwd, fused log-softmax (head)",
    "rnnt_unfused": "rnnt_loss fwd+bwd, explicit log_softmax",
    "seqcore_loss": "seqcore transducer_nll fwd+bwd (vectorized alphas, the head's on CPU)",
    "head": "head loss fwd+bwd on CPU (predictor + joiner + transducer_nll)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after one warm-up; the median is reported")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="torch.set_num_threads")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--target", type=int, default=50, help="target tokens per utterance")
    parser.add_argument("--vocab", type=int, default=500)
    sizes = parser.parse_args()

    context = multiprocessing.get_context("spawn")  # a fresh process per measurement: its own peak RSS
    results = {}
    for measurement in MEASUREMENTS:
        with context.Pool(1) as pool:
            results[measurement] = pool.apply(measure, (measurement, sizes))

    logits_mib = sizes.batch * sizes.frames * (sizes.target + 1) * sizes.vocab * 4 / 2**20
    print(f"torch {torch.__version__}, {sizes.threads} threads; B={sizes.batch} T={sizes.frames} U={sizes.target} "
          f"V={sizes.vocab}, logits [B, T, U+1, V] float32 = {logits_mib:,.0f} MiB; median of {sizes.repeats} runs\n")
    rows = [("measurement", "median wall s", "min .. max wall s", "median CPU s", "peak RSS added, MiB")]
    for measurement, label in MEASUREMENTS.items():
        wall, cpu, added = results[measurement]
        rows.append((label, f"{statistics.median(wall):.3f}", f"{min(wall):.3f} .. {max(wall):.3f}",
                     f"{statistics.median(cpu):.3f}", f"{added:,.0f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                                for i, (cell, w) in enumerate(zip(row, widths))) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 1) + ("-" if i == 0 else ":") for i, w in enumerate(widths)) + "|")


if __name__ == "__main__":
    main()
