"""Forward + backward time of a stacked BiLSTM over a padded batch: torch's PackedSequence path
against seqcore's PaddedRNN (no packing). Prints a markdown table of medians.

    python benchmarks/rnn_packing.py [--threads 1] [--repeats 7]

The shapes are about those of seqcore's default runs: OCR text lines (`task=ocr`: ~25 lines of
~85 frames, dim 192, 2 layers), LSTM translation (`model=lstm`: 2,048-token batches, dim 256,
2 layers) and the TTS phoneme encoder (`model=tacotron2`: dim 256, 1 layer). Lengths are
spread over the batch as bucketing leaves them (the longest about 15% above the shortest).
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqcore.modules.padded_rnn import PaddedRNN

SHAPES = [  # (what, batch, steps, dim, layers)
    ("OCR lines (crnn_lstm)", 25, 85, 192, 2),
    ("translation (lstm)", 64, 32, 256, 2),
    ("TTS phonemes (tacotron2)", 16, 120, 256, 1),
]


def _median_ms(run, repeats: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"| shape | B x S x dim, layers | packed (ms) | PaddedRNN (ms) | speed-up |\n|---|---|--:|--:|--:|")
    for what, batch, steps, dim, layers in SHAPES:
        torch.manual_seed(0)
        lengths = torch.randint(int(steps * 0.85), steps + 1, (batch,))
        lengths[0] = steps
        mask = torch.arange(steps)[None, :] < lengths[:, None]
        x = (torch.randn(batch, steps, dim) * mask[..., None]).requires_grad_()
        packed_rnn = nn.LSTM(dim, dim // 2, num_layers=layers, batch_first=True, bidirectional=True)
        padded_rnn = PaddedRNN("lstm", dim, dim // 2, layers)

        def packed():
            sequence = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            out, _ = pad_packed_sequence(packed_rnn(sequence)[0], batch_first=True, total_length=steps)
            out.sum().backward()

        def padded():
            padded_rnn(x, mask).sum().backward()

        packed_ms, padded_ms = _median_ms(packed, args.repeats), _median_ms(padded, args.repeats)
        print(f"| {what} | {batch} x {steps} x {dim}, {layers} | {packed_ms:.0f} | {padded_ms:.0f} | "
              f"{packed_ms / padded_ms:.1f}x |")


if __name__ == "__main__":
    main()
