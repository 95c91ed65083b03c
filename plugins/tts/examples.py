"""What people look at and listen to after an evaluation: per sentence a wav, a PNG of the predicted
vs the reference mel spectrogram, and a PNG of the attention alignment (text position vs decoder step)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the headless backend is chosen)
import torch  # noqa: E402


def mel_figure(predicted: torch.Tensor, reference: torch.Tensor | None, title: str, path: Path) -> Path:
    rows = 2 if reference is not None else 1
    figure, axes = plt.subplots(rows, 1, figsize=(10, 2.6 * rows), squeeze=False)
    low = float(reference.min()) if reference is not None else float(predicted.min())
    high = float(reference.max()) if reference is not None else float(predicted.max())
    panels = [("predicted", predicted)] + ([("reference", reference)] if reference is not None else [])
    for axis, (name, mel) in zip(axes[:, 0], panels):
        image = axis.imshow(mel.T.cpu().numpy(), origin="lower", aspect="auto", vmin=low, vmax=high, cmap="magma")
        axis.set_title(f"{name} log-mel ({len(mel)} frames)", fontsize=9)
        axis.set_ylabel("mel band")
        figure.colorbar(image, ax=axis)
    axes[-1, 0].set_xlabel("frame")
    figure.suptitle(title[:110], fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


def alignment_figure(alignment: torch.Tensor, text: str, title: str, path: Path) -> Path:
    figure, axis = plt.subplots(figsize=(8, 5))
    image = axis.imshow(alignment.T.cpu().numpy(), origin="lower", aspect="auto", vmin=0.0, vmax=1.0, cmap="viridis")
    axis.set_xlabel("decoder step")
    axis.set_ylabel("input symbol")
    if len(text) == alignment.shape[1] and len(text) <= 80:
        axis.set_yticks(range(len(text)), list(text), fontsize=6)
    axis.set_title(title[:100], fontsize=9)
    figure.colorbar(image, ax=axis)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
