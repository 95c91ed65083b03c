"""CPU speed of CTC decoding: greedy and prefix beam search, against pyctcdecode when it is installed.

    python benchmarks/ctc_decoding.py [--batch 16] [--frames 400] [--vocab 500] [--beams 8 32] [--repeats 3]

Decodes one batch of random-but-peaky log-probabilities, shaped like a trained CTC model's: each
frame puts about 0.64 of its mass on one token (the blank 60% of the time), three confusable
tokens share most of the rest, and every other token has a log-prob between about -15 and -8.
Prints frames/s (the median of `--repeats` timed runs after a warm-up) of `ctc_greedy_search`
and of `ctc_prefix_beam_search` at each beam width, and how often the beam changes the output.

If `pyctcdecode` is importable (it is not a seqcore dependency: `pip install pyctcdecode`), the
same log-probabilities are decoded with `decode_beams` at the same beam width, one utterance at
a time, in this process. Its settings:
- labels: "" (the blank, index 0) then V - 1 distinct single characters and no space, so its
  output text maps back to token ids one to one, and there are no words for it to track;
- no language model (kenlm_model_path=None), so it ranks by the CTC log-probability alone;
- token_min_logp = -10 (default -5): every frame's plausible tokens are tried, and some of
  the tail, as seqcore tries each frame's top `beam_size` tokens;
- beam_prune_logp = -50 (default -10): no beam is cut for trailing the best; prune_history off
  (its default).
Its time is reported as a ratio to seqcore's, measured within each run. Agreement counts the
utterances whose top outputs are equal; where they differ, the exact p(l | x) of both outputs
(torch's CTC loss) says which decoder found the more probable labeling. pyctcdecode keeps a
prefix's blank-ending and token-ending states as separate beams (its beams are (text, last
character) pairs), so at the same width it holds fewer distinct prefixes. It runs in pure
Python: at beam 32 a run takes over a minute on one 2.5 GHz core.
"""
from __future__ import annotations

import argparse
import functools
import statistics
import time

import torch
import torch.nn.functional as F

from seqcore.search.ctc import ctc_greedy_search, ctc_prefix_beam_search


def peaky_log_probs(batch: int, frames: int, vocab: int, seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(batch, frames, vocab, generator=generator) - 6.0
    peak = torch.randint(1, vocab, (batch, frames), generator=generator)
    peak = torch.where(torch.rand(batch, frames, generator=generator) < 0.6, 0, peak)
    confusable = torch.randint(1, vocab, (batch, frames, 3), generator=generator)
    logits.scatter_(2, confusable, 3.0 + torch.randn(batch, frames, 3, generator=generator))
    logits.scatter_(2, peak[..., None], 5.0)
    return logits.log_softmax(-1)


class GivenLogProbs:
    """A stand-in CTC head that returns the benchmark's log-probabilities."""

    def __init__(self, log_probs: torch.Tensor):
        self.values = log_probs
        self.lengths = torch.full((log_probs.shape[0],), log_probs.shape[1])

    def log_probs(self, encoded):
        return self.values, self.lengths


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def rates(values: list[float]) -> tuple[str, str]:
    return f"{statistics.median(values):,.0f}", f"{min(values):,.0f} .. {max(values):,.0f}"


def exact_log_prob(log_probs: torch.Tensor, tokens: list[int]) -> float:
    """log p(tokens | x) over all alignments of one utterance's log_probs [T, V]."""
    target = torch.tensor([tokens], dtype=torch.long)
    return -F.ctc_loss(log_probs[:, None], target, torch.tensor([len(log_probs)]), torch.tensor([len(tokens)]),
                       blank=0, reduction="sum").item()


def pyctcdecode_decoder(vocab: int):
    """pyctcdecode's decoder over single-character labels, and the map back to token ids (None if absent)."""
    try:
        from pyctcdecode import build_ctcdecoder
    except ImportError:
        return None, None
    labels = [""] + [chr(0x4E00 + index) for index in range(1, vocab)]  # CJK characters: no spaces, no BPE marks
    token_of = {label: index for index, label in enumerate(labels)}
    return build_ctcdecoder(labels), token_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--frames", type=int, default=400)
    parser.add_argument("--vocab", type=int, default=500)
    parser.add_argument("--beams", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs; medians are reported")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    log_probs = peaky_log_probs(args.batch, args.frames, args.vocab)
    head = GivenLogProbs(log_probs)
    frames = args.batch * args.frames
    decoder, token_of = pyctcdecode_decoder(args.vocab)
    utterances = [row.numpy() for row in log_probs]

    def decode_with_pyctcdecode(beam_size: int) -> list[list[int]]:
        outputs = []
        for utterance in utterances:
            text = decoder.decode_beams(utterance, beam_width=beam_size, token_min_logp=-10.0,
                                        beam_prune_logp=-50.0)[0][0]
            outputs.append([token_of[character] for character in text])
        return outputs

    rows = [("decoder", "beam", "frames/s (median)", "min .. max", "time / seqcore's", "top output = seqcore's",
             "where not, seqcore's is more probable")]
    ctc_greedy_search(head, None)  # warm-up
    greedy_rates, greedy = [], None
    for _ in range(args.repeats):
        seconds, greedy = timed(lambda: ctc_greedy_search(head, None))
        greedy_rates.append(frames / seconds)
    rows.append(("seqcore ctc_greedy_search", "-", *rates(greedy_rates), "", "", ""))
    differs_from_greedy = []
    for beam_size in args.beams:
        search = functools.partial(ctc_prefix_beam_search, head, None, beam_size=beam_size)
        search()  # warm-up
        ours, theirs, ratios = [], [], []
        for _ in range(args.repeats):
            seconds, results = timed(search)
            ours.append(frames / seconds)
            if decoder is not None:
                their_seconds, their_outputs = timed(lambda: decode_with_pyctcdecode(beam_size))
                theirs.append(frames / their_seconds)
                ratios.append(their_seconds / seconds)
        best = [nbest[0].tokens for nbest in results]
        differs_from_greedy.append(sum(mine != nbest[0].tokens for mine, nbest in zip(best, greedy)))
        rows.append(("seqcore ctc_prefix_beam_search", str(beam_size), *rates(ours), "1", "", ""))
        if decoder is not None:
            differ = [i for i, (mine, other) in enumerate(zip(best, their_outputs)) if mine != other]
            ours_better = sum(exact_log_prob(log_probs[i], best[i]) > exact_log_prob(log_probs[i], their_outputs[i])
                              for i in differ)
            rows.append(("pyctcdecode decode_beams", str(beam_size), *rates(theirs),
                         f"{statistics.median(ratios):,.1f}", f"{args.batch - len(differ)} of {args.batch}",
                         f"{ours_better} of {len(differ)}"))

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; B={args.batch} utterances x "
          f"T={args.frames} frames, V={args.vocab}; median of {args.repeats} runs"
          + ("" if decoder is not None else "; pyctcdecode not installed") + "\n")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    print(f"\nseqcore's prefix beam search output differs from greedy search's on "
          + ", ".join(f"{count} of {args.batch} utterances at beam {beam}"
                      for beam, count in zip(args.beams, differs_from_greedy)))


if __name__ == "__main__":
    main()
