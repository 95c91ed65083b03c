"""Paired CPU benchmark: seqcore's Transformer against Hugging Face `transformers` BART, same sizes, same batches.

    pip install -e ".[bench]"      # transformers: for this benchmark only, never a seqcore dependency
    python benchmarks/peer_transformer.py [--rounds 7] [--threads N] [--compile] [--profile train|greedy|beam] [overrides...]

One process builds both models from seqcore's training config (`model`, `head`, `optim`,
`trainer.gradient_clip_val`; Hydra overrides work as in `seqcore-train`): seqcore's `Seq2Seq`
(TokenEmbedding + TransformerEncoder + AttentionHead over the TransformerDecoder) and a
`BartForConditionalGeneration` with the same width, layers, heads, feed-forward size, dropout,
vocabulary and tied output projection. The one vocabulary serves both sides, so seqcore shares
its source and target embeddings (`model.share_embeddings=true`) as BART does. Both models see
the same random token batches:

- training, target tokens/s (EOS included): forward + backward + gradient clipping + optimizer
  step on `--batch` x `--length` source and target tokens, both with the optimizer and schedule
  that the `optim` config builds (`+optim.fused=true` gives both the fused AdamW); seqcore with
  its loss (label smoothing), BART with its own (plain cross-entropy, a little less work);
- greedy and beam-5 decoding, sentences/s, of `--sentences` sources, encoding included, every
  output forced to exactly `--length` tokens (seqcore: min_length and max_len_b, then the EOS
  step that scores the hypothesis; BART: min_new_tokens = max_new_tokens).

Each round measures every (model, measurement) pair once, the two models back to back and the
first of them swapped every round, so load from other processes falls on both. The table gives
medians over rounds and the ratio seqcore / BART as the median of the rounds' paired ratios;
the load average before and after is printed with it: compare only figures measured in one run.
`--profile` prints the top operators by self CPU time of one measurement instead of timing.
`--compile` runs both models' training forward through `torch.compile` (seqcore's
`model.compile=true`; the warm-up step compiles), so compiled is compared with compiled.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable

import torch
from hydra import compose, initialize_config_module

from seqcore.data.batch import Batch
from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID
from seqcore.model import build_model
from seqcore.optim import build_optimizer
from seqcore.search import beam_search, greedy_search

try:
    import transformers
    from transformers import BartConfig, BartForConditionalGeneration
except ImportError:
    raise SystemExit('this benchmark needs transformers: pip install -e ".[bench]"') from None

MEASUREMENTS = {"train": "training (fwd+bwd+clip+AdamW)", "greedy": "greedy decoding", "beam": "beam-5 decoding"}
UNITS = {"train": "target tokens/s", "greedy": "sentences/s", "beam": "sentences/s"}
TARGETS = {"train": 1.2, "greedy": 1.5, "beam": 1.5}  # issue 20: CPU ratios seqcore / BART to reach
SHARED = "model.share_embeddings=true"  # one vocabulary for both sides, as BART's


def random_tokens(generator: torch.Generator, rows: int, length: int, vocab: int) -> torch.Tensor:
    """Ids of ordinary tokens (never PAD/BOS/EOS/UNK)."""
    return torch.randint(4, vocab, (rows, length), generator=generator)


def bart_like(cfg, vocab: int, length: int) -> BartForConditionalGeneration:
    """BART with seqcore's sizes and ids: PAD 0, BOS 1 starts decoding, EOS 2; embeddings scaled by
    sqrt(dim) and the output projection tied to them, as in seqcore; positions for `length` tokens."""
    encoder, decoder = cfg.model.encoder, cfg.model.decoder
    if encoder.dropout != decoder.dropout:
        raise SystemExit("BART has one dropout: give model.encoder.dropout and model.decoder.dropout one value")
    config = BartConfig(
        vocab_size=vocab, d_model=cfg.model.dim, max_position_embeddings=2 * length + 2,
        encoder_layers=encoder.layers, encoder_attention_heads=encoder.heads, encoder_ffn_dim=encoder.ffn_dim,
        decoder_layers=decoder.layers, decoder_attention_heads=decoder.heads, decoder_ffn_dim=decoder.ffn_dim,
        dropout=encoder.dropout, attention_dropout=encoder.dropout, activation_dropout=encoder.dropout,
        activation_function="gelu", scale_embedding=True, tie_word_embeddings=bool(cfg.head.tie_embeddings),
        pad_token_id=PAD_ID, bos_token_id=BOS_ID, eos_token_id=EOS_ID, decoder_start_token_id=BOS_ID,
        forced_bos_token_id=None, forced_eos_token_id=None)
    return BartForConditionalGeneration(config)


class Contender:
    """One model, its loss on the training batch and its decoding of the test sentences (beam 1 = greedy),
    trained with the optimizer, schedule and gradient clipping of the config."""

    def __init__(self, name: str, model: torch.nn.Module, loss: Callable[[], torch.Tensor],
                 decode: Callable[[int], torch.Tensor], cfg, steps: int):
        self.name, self.model, self.loss, self.decode = name, model, loss, decode
        self.optimizer, self.scheduler = build_optimizer(model, cfg.optim, steps)
        self.clip = cfg.trainer.get("gradient_clip_val")

    def train_step(self) -> None:
        self.model.train()
        loss = self.loss()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.clip:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.optimizer.step()
        self.scheduler.step()

    @torch.no_grad()
    def output_lengths(self, beam: int) -> torch.Tensor:
        self.model.eval()
        return self.decode(beam)

    def parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())  # tied weights counted once


def seqcore_contender(cfg, vocab: int, source: torch.Tensor, target: torch.Tensor, sentences: torch.Tensor,
                      length: int, steps: int) -> Contender:
    model = build_model(cfg.model, cfg.head, {"vocab_size": vocab}, vocab)

    def full(rows: int, value: int) -> torch.Tensor:
        return torch.full((rows,), value)

    train_batch = Batch(torch.arange(len(source)), source, full(len(source), source.shape[1]), target,
                        full(len(target), target.shape[1]))
    decode_batch = Batch(torch.arange(len(sentences)), sentences, full(len(sentences), sentences.shape[1]), None, None)
    forced = dict(max_len_a=0.0, max_len_b=length, min_length=length)  # EOS forbidden before, forced after

    def decode(beam: int) -> torch.Tensor:
        encoded = model.encode(decode_batch)
        nbest = beam_search(model.head, encoded, beam_size=beam, **forced) if beam > 1 else \
            greedy_search(model.head, encoded, **forced)
        return torch.tensor([len(hypotheses[0].tokens) for hypotheses in nbest])

    return Contender("seqcore", model, lambda: model(train_batch)[0], decode, cfg, steps)


def bart_contender(cfg, vocab: int, source: torch.Tensor, target: torch.Tensor, sentences: torch.Tensor,
                   length: int, steps: int) -> Contender:
    model = bart_like(cfg, vocab, length)
    decoder_input = torch.cat([torch.full((len(target), 1), BOS_ID), target], 1)  # seqcore's T+1 positions
    labels = torch.cat([target, torch.full((len(target), 1), EOS_ID)], 1)

    def loss() -> torch.Tensor:
        return model(input_ids=source, attention_mask=torch.ones_like(source), decoder_input_ids=decoder_input,
                     labels=labels).loss

    def decode(beam: int) -> torch.Tensor:
        output = model.generate(input_ids=sentences, attention_mask=torch.ones_like(sentences), num_beams=beam,
                                do_sample=False, min_new_tokens=length, max_new_tokens=length, length_penalty=1.0,
                                no_repeat_ngram_size=0, early_stopping=False)
        return torch.full((len(output),), output.shape[1] - 1)  # every row ran until max_new_tokens

    return Contender("BART", model, loss, decode, cfg, steps)


def measure(contender: Contender, what: str, steps: int, decodings: int, tokens_per_step: int,
            sentences: int, length: int) -> float:
    """One timed measurement: tokens/s over `steps` training steps or sentences/s over `decodings` passes."""
    start = time.perf_counter()
    if what == "train":
        for _ in range(steps):
            contender.train_step()
        return steps * tokens_per_step / (time.perf_counter() - start)
    for _ in range(decodings):
        lengths = contender.output_lengths(5 if what == "beam" else 1)
        if not bool((lengths == length).all()):  # unequal work would make the ratio meaningless
            raise SystemExit(f"{contender.name} {what}: output lengths {lengths.tolist()} are not all {length}")
    return decodings * sentences / (time.perf_counter() - start)


def profile(contenders: list[Contender], what: str, run: Callable[[Contender], float], top: int = 10) -> None:
    for contender in contenders:
        run(contender)  # warm-up
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profiler:
            run(contender)
        print(f"\n## {contender.name}, {MEASUREMENTS[what]}: top {top} operators by self CPU time\n")
        print(profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=top))


def table(rates: dict[tuple[str, str], list[float]], names: list[str]) -> None:
    print(f"| measurement | unit | {names[0]} | {names[1]} | ratio | target |")
    print("|---|---|--:|--:|--:|--:|")
    for what, label in MEASUREMENTS.items():
        ours, theirs = rates[names[0], what], rates[names[1], what]
        ratio = statistics.median(a / b for a, b in zip(ours, theirs))
        print(f"| {label} | {UNITS[what]} | {statistics.median(ours):,.1f} | {statistics.median(theirs):,.1f} | "
              f"{ratio:.2f}x | >= {TARGETS[what]}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds; medians are reported")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--vocab", type=int, default=8000, help="source = target vocabulary size")
    parser.add_argument("--batch", type=int, default=64, help="training sentences per batch")
    parser.add_argument("--length", type=int, default=20, help="source and target tokens (decoded tokens too)")
    parser.add_argument("--sentences", type=int, default=32, help="sentences decoded in one batch")
    parser.add_argument("--train-steps", type=int, default=5, help="training steps per measurement")
    parser.add_argument("--decodings", type=int, default=5, help="decoding passes per measurement")
    parser.add_argument("--profile", choices=list(MEASUREMENTS), help="print top operators instead of timing")
    parser.add_argument("--compile", action="store_true", help="torch.compile both models' training forward")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides of the training config, e.g. +optim.fused=true")
    args = parser.parse_intermixed_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with initialize_config_module("conf", version_base="1.3"):
        cfg = compose("config", overrides=[SHARED, *args.overrides])

    generator = torch.Generator().manual_seed(cfg.seed)
    source, target = (random_tokens(generator, args.batch, args.length, args.vocab) for _ in range(2))
    sentences = random_tokens(generator, args.sentences, args.length, args.vocab)
    steps = 2 + args.rounds * args.train_steps
    torch.manual_seed(cfg.seed)
    contenders = [seqcore_contender(cfg, args.vocab, source, target, sentences, args.length, steps),
                  bart_contender(cfg, args.vocab, source, target, sentences, args.length, steps)]
    tokens_per_step = args.batch * (args.length + 1)
    if args.compile:
        for contender in contenders:
            contender.loss = torch.compile(contender.loss)

    def run(contender: Contender, what: str, repeats: int | None = None) -> float:
        return measure(contender, what, repeats or args.train_steps, repeats or args.decodings, tokens_per_step,
                       args.sentences, args.length)

    print(f"torch {torch.__version__}, transformers {transformers.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs")
    print(f"model: dim {cfg.model.dim}, {cfg.model.encoder.layers}+{cfg.model.decoder.layers} layers, "
          f"{cfg.model.encoder.heads} heads, ffn {cfg.model.encoder.ffn_dim}, dropout {cfg.model.encoder.dropout}, "
          f"vocabulary {args.vocab}, compiled training: {args.compile}, optimizer {cfg.optim._target_}(fused={cfg.optim.get('fused')}); parameters: "
          + ", ".join(f"{c.name} {c.parameters() / 1e6:.2f}M" for c in contenders))
    if args.profile:
        profile(contenders, args.profile, lambda contender: run(contender, args.profile))
        return
    print(f"training: batch {args.batch} x {args.length} source / {args.length} target tokens (+EOS), "
          f"{args.train_steps} steps per measurement; decoding: {args.sentences} sentences forced to {args.length} "
          f"tokens, {args.decodings} passes per measurement; {args.rounds} rounds")
    load_before = os.getloadavg()
    for contender in contenders:  # warm-up: first-call allocations, lazy initializations
        for what in MEASUREMENTS:
            run(contender, what, repeats=1)
    rates: dict[tuple[str, str], list[float]] = {(c.name, what): [] for c in contenders for what in MEASUREMENTS}
    for index in range(args.rounds):
        for what in MEASUREMENTS:
            for contender in contenders if index % 2 == 0 else contenders[::-1]:
                rates[contender.name, what].append(run(contender, what))
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {', '.join(f'{x:.2f}' for x in load_after)}\n")
    table(rates, [c.name for c in contenders])
    print("\nper round: " + "; ".join(f"{name} {what} " + "/".join(f"{r:,.0f}" for r in values)
                                      for (name, what), values in rates.items()))


if __name__ == "__main__":
    main()
