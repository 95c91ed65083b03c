"""The pointer-generator's training step with additive vs dot-product copy attention.

    python benchmarks/pointer_copy_attention.py [--batch 28] [--source 130] [--target 40] [--repeats 7]

Shapes default to a GeoQuery batch of the text-to-SQL recipe (4,096 tokens: questions plus the
serialized schema, about 130 source tokens; SQL of about 40 tokens) and its model (d=256,
3+2 Transformer layers). Each repeat times forward + backward of the head's loss for both kinds,
alternating, so the ratio is measured under one load; prints medians in a markdown table.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch

from seqcore.data import Example, collate_examples
from seqcore.heads.pointer_generator import PointerGeneratorHead
from seqcore.model import Seq2Seq
from seqcore.modules import TokenEmbedding, TransformerDecoder, TransformerEncoder


def build(kind: str, vocab: int, dim: int) -> Seq2Seq:
    torch.manual_seed(0)
    decoder = TransformerDecoder(vocab, dim, layers=2, heads=4, ffn_dim=2 * dim, dropout=0.0)
    head = PointerGeneratorHead(decoder, vocab, encoder_dim=dim, copy_attention=kind)
    return Seq2Seq(TokenEmbedding(vocab, dim), TransformerEncoder(dim, layers=3, heads=4, ffn_dim=2 * dim, dropout=0.0),
                   head)


def batch_of(size: int, source: int, target: int, vocab: int):
    generator = torch.Generator().manual_seed(0)
    examples = []
    for i in range(size):
        source_ids = torch.randint(4, vocab, (source,), generator=generator)
        target_ids = torch.randint(4, vocab, (target,), generator=generator)
        examples.append(Example(i, source_ids, target_ids,
                                {"source_copy_ids": source_ids.clone(), "target_copy_ids": target_ids.clone()}))
    return collate_examples(examples)


def step_seconds(model: Seq2Seq, batch) -> float:
    start = time.perf_counter()
    loss, _ = model.head.loss(batch, model.encode(batch))
    loss.backward()
    model.zero_grad(set_to_none=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=28)
    parser.add_argument("--source", type=int, default=130)
    parser.add_argument("--target", type=int, default=40)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--vocab", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    batch = batch_of(args.batch, args.source, args.target, args.vocab)
    models = {kind: build(kind, args.vocab, args.dim).train() for kind in ("additive", "dot")}
    times = {kind: [] for kind in models}
    for kind, model in models.items():
        step_seconds(model, batch)  # warm-up
    for _ in range(args.repeats):
        for kind, model in models.items():
            times[kind].append(step_seconds(model, batch))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {platform.machine()}; batch {args.batch} x "
          f"{args.source} source / {args.target} target tokens, d={args.dim}; median of {args.repeats}\n")
    print("| copy attention | forward + backward, ms | vs additive |")
    print("|---|--:|--:|")
    base = statistics.median(times["additive"])
    for kind, seconds in times.items():
        print(f"| {kind} | {1000 * statistics.median(seconds):.0f} | {base / statistics.median(seconds):.2f}x |")


if __name__ == "__main__":
    main()
