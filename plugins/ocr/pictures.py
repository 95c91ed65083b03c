"""A PNG sheet of decoded text lines: the image, its reference and prediction, and where the decoder looked.

For heads with an attention decoder (attention, hybrid) whose decoder can return its
attention weights (`forward(..., return_attention=True)`, the LSTM decoder), each line gets
the attention map of the predicted characters over the image's columns, from a
teacher-forced pass of the decoder over the prediction: row t is what the decoder read to
emit character t (the last row, to emit the end of the line).
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Callable, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the file-only backend)
import torch  # noqa: E402

from seqcore.data import Example, collate_examples  # noqa: E402
from seqcore.data.vocab import BOS_ID  # noqa: E402
from seqcore.search.common import Hypothesis  # noqa: E402


def attention_decoder(model):
    """The model's attention decoder when it can report its weights, else None."""
    head = model.head
    decoder = getattr(getattr(head, "attention", head), "decoder", None)
    if decoder is None or "return_attention" not in inspect.signature(decoder.forward).parameters:
        return None
    return decoder


@torch.no_grad()
def attention_map(model, decoder, source: torch.Tensor, tokens: Sequence[int]) -> torch.Tensor:
    """[T + 1, frames] attention weights of the decoder reading `tokens` (then EOS) from one image."""
    device = next(model.parameters()).device
    batch = collate_examples([Example(0, source, None)])
    batch.source, batch.source_lengths = batch.source.to(device), batch.source_lengths.to(device)
    encoded = model.encode(batch)
    inputs = torch.tensor([[BOS_ID, *tokens]], dtype=torch.long, device=device)
    _, weights = decoder(inputs, encoded.states, encoded.mask, return_attention=True)
    return weights[0].float().cpu()


def save_sheet(model, samples: Sequence[dict], nbest: Sequence[Sequence[Hypothesis]], encode: Callable,
               postprocess: Callable, path: Path) -> Path:
    """One panel per sample (image, "ref:" and "hyp:" lines), plus its attention map when available."""
    decoder = attention_decoder(model)
    panels = []  # (source, title, attention map or None, prediction) per sample
    for sample, hypotheses in zip(samples, nbest):
        source, best = encode(sample), hypotheses[0]  # source [W, H], ink 1
        prediction = postprocess(best.tokens, sample)
        weights = None
        if decoder is not None:
            weights = best.alignment if best.alignment is not None else attention_map(model, decoder, source,
                                                                                       best.tokens)
        panels.append((source, f"ref: {sample.get('target', '')}\nhyp: {prediction}", weights, prediction))
    # the image and its attention map share the x axis (pixel columns), so a map row sits under its letters
    ratios = [r for _, _, weights, _ in panels
              for r in ([1.0] if weights is None else [1.0, max(1.0, len(weights) / 10)])]
    widest = max(source.shape[0] for source, _, _, _ in panels)
    height_inches = 0.9  # of an image row; the figure is as wide as keeps the widest line's aspect
    figure, axes = plt.subplots(len(ratios), 1, squeeze=False, gridspec_kw={"height_ratios": ratios},
                                figsize=(min(max(6.0, 1.1 * height_inches * widest / panels[0][0].shape[1]), 40),
                                         height_inches * sum(ratios) + 0.3))
    row = 0
    for source, title, weights, prediction in panels:
        image_axis = axes[row, 0]
        image_axis.imshow(1.0 - source.t().numpy(), cmap="gray", vmin=0, vmax=1, aspect="auto",
                          extent=(0, source.shape[0], source.shape[1], 0))
        image_axis.set_xlim(0, widest)
        image_axis.set_title(title, fontsize=8, loc="left")
        image_axis.axis("off")
        row += 1
        if weights is not None:
            map_axis = axes[row, 0]
            map_axis.imshow(weights.numpy(), cmap="viridis", aspect="auto", interpolation="nearest",
                            extent=(0, source.shape[0], weights.shape[0] - 0.5, -0.5))
            labels = [*prediction, "</s>"]
            if len(labels) == weights.shape[0] and len(labels) <= 60:
                map_axis.set_yticks(range(len(labels)), [repr(c)[1:-1] for c in labels], fontsize=5)
            map_axis.set_xlim(0, widest)
            map_axis.set_xlabel("image column (px)", fontsize=6)
            map_axis.tick_params(axis="x", labelsize=6)
            row += 1
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
