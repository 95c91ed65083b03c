"""Starting a new run from another checkpoint's weights (`init_from=PATH.ckpt`).

Unlike `ckpt_path=` (resume the same run: step, optimizer, schedule), only the weights come
over, as with fairseq's `--restore-file --reset-optimizer`, ESPnet's `--init_param` or NeMo's
`init_from_nemo_model`: a model pretrained on the embedded data, fine-tuned on a user's.

- Parameters with the same name and shape are copied.
- Rows indexed by a vocabulary (embeddings, output and CTC projections) follow their tokens when
  the new run's vocabulary differs (fine-tuning data with other characters or words): rows of
  tokens both vocabularies hold are copied, rows of new tokens keep their fresh initialization,
  and the counts are logged. A task names its vocabularies with `TaskPlugin.vocabularies()`.
- Anything else that does not fit fails in one line naming the parameter.
- `init_from_freeze=[frontend,encoder]` stops training of the parts whose parameter names start
  with those prefixes (names inside Seq2Seq: frontend, encoder, head, head.decoder, ...).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from hydra.utils import instantiate

from seqcore.errors import ConfigError, DataError

PREFIX = "model."  # the Seq2Seq inside the Lightning module


def initialize_from(module, checkpoint: dict, path: str, freeze=()) -> str:
    """Load the weights of `checkpoint` (read from `path` by `read_checkpoint`) into `module` (a
    Seq2SeqModule), freeze the prefixes; a summary line."""
    hyper_parameters = checkpoint["hyper_parameters"]
    pretrained_task = instantiate(hyper_parameters["config"]["task"])
    pretrained_task.load_state_dict(hyper_parameters["task_state"])
    row_maps = _row_maps(pretrained_task.vocabularies(), module.task.vocabularies())
    pretrained, weights = checkpoint["state_dict"], module.state_dict()
    copied, new_rows, skipped = 0, {}, sorted(set(weights) - set(pretrained))
    for name, value in weights.items():
        if name not in pretrained:
            continue
        side = _vocabulary_side(name, pretrained[name].shape, value.shape, row_maps)
        if side is not None:
            rows = row_maps[side]
            weights[name] = value.clone()
            weights[name][rows.new_ids] = pretrained[name][rows.old_rows].to(value.dtype)
            new_rows[side] = rows.new_size - len(rows.new_ids)
        elif pretrained[name].shape == value.shape:
            weights[name] = pretrained[name].to(value.dtype)
        else:
            raise DataError(f"init_from={path}: parameter {name} has shape {tuple(pretrained[name].shape)} there "
                            f"and {tuple(value.shape)} in this model (another model size or head?)")
        copied += 1
    module.load_state_dict(weights)
    frozen = freeze_prefixes(module.model, freeze)
    parts = [f"init_from={path}: {copied} tensors copied"]
    parts += [f"{side} vocabulary: {len(row_maps[side].new_ids)} rows carried over by token, {count} new rows initialised"
              for side, count in sorted(new_rows.items())]
    parts += [f"{len(skipped)} tensors of this model not in the checkpoint (freshly initialised)"] if skipped else []
    parts += [f"frozen: {', '.join(freeze)} ({frozen} parameters)"] if freeze else []
    return "; ".join(parts)


@dataclass
class RowMap:
    """How one changed vocabulary's rows move: new row `new_ids[k]` takes old row `old_rows[k]`."""
    old_rows: torch.Tensor
    new_ids: torch.Tensor
    old_size: int
    new_size: int


def _row_maps(old: dict, new: dict) -> dict[str, RowMap]:
    """A RowMap for each side (source, target) whose vocabulary changed, over the tokens both hold."""
    maps = {}
    for side in old.keys() & new.keys():
        old_pieces = [old[side].piece_of(i) for i in range(old[side].vocab_size)]
        new_pieces = [new[side].piece_of(i) for i in range(new[side].vocab_size)]
        if old_pieces != new_pieces:
            old_index = {piece: i for i, piece in enumerate(old_pieces)}
            shared = [(old_index[piece], i) for i, piece in enumerate(new_pieces) if piece in old_index]
            maps[side] = RowMap(torch.tensor([o for o, _ in shared], dtype=torch.long),
                                torch.tensor([n for _, n in shared], dtype=torch.long), len(old_pieces), len(new_pieces))
    return maps


def _vocabulary_side(name: str, old_shape, new_shape, row_maps: dict[str, RowMap]) -> str | None:
    """The changed vocabulary whose rows this tensor holds (first dimension = vocabulary size in the
    checkpoint and here, the rest equal); the source side for the frontend when both fit."""
    sides = [side for side, rows in row_maps.items()
             if old_shape[:1] == (rows.old_size,) and new_shape[:1] == (rows.new_size,) and old_shape[1:] == new_shape[1:]]
    if len(sides) > 1:
        sides = ["source" if name.startswith(PREFIX + "frontend") else "target"]
    return sides[0] if sides else None


def freeze_prefixes(model: torch.nn.Module, prefixes) -> int:
    """Stop gradients to the parameters under each prefix; the number of parameters frozen."""
    names = dict(model.named_parameters())
    frozen = 0
    for prefix in prefixes:
        matched = [name for name in names if name == prefix or name.startswith(f"{prefix}.")]
        if not matched:
            parts = sorted({name.split(".")[0] for name in names})
            raise ConfigError(f"init_from_freeze: no parameters under {prefix!r}; the model's parts: {', '.join(parts)}")
        for name in matched:
            names[name].requires_grad_(False)
            frozen += names[name].numel()
    return frozen
