"""Loading seqcore checkpoints safely, with one clear line for every way a file can be wrong.

A checkpoint is read once with `torch.load(weights_only=True)` (tensors and plain data only:
nothing in the file is unpickled as code), its config's `_target_`s are checked against what
may be built (`config_safety`), and the module is rebuilt from that config and task state. A
missing, empty, truncated or foreign file, a config naming other code, or weights that do not
fit the model all fail with a DataError naming the file and, where there is one, the key.
"""
from __future__ import annotations

from pathlib import Path

import torch

from seqcore.config_safety import check_checkpoint_config
from seqcore.errors import DataError
from seqcore.lightning import Seq2SeqModule


def read_checkpoint(path: str) -> dict:
    """The checkpoint's contents, checked to be a seqcore checkpoint whose config is safe to build."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataError(f"checkpoint not found: {file}")
    if file.stat().st_size == 0:
        raise DataError(f"{file}: empty file, not a checkpoint")
    try:
        checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types here (zip, unpickling, runtime, EOF)
        raise DataError(f"{file}: not a readable checkpoint ({type(error).__name__}): truncated, corrupt, or "
                        f"holding objects other than tensors and plain data, which seqcore never unpickles") from None
    hyper_parameters = checkpoint.get("hyper_parameters") if isinstance(checkpoint, dict) else None
    if not (isinstance(hyper_parameters, dict) and {"config", "task_state"} <= set(hyper_parameters)
            and isinstance(checkpoint.get("state_dict"), dict)):
        raise DataError(f"{file}: not a seqcore checkpoint (no state_dict, config and task state)")
    check_checkpoint_config(hyper_parameters["config"], str(file))
    return checkpoint


def check_weights(module: torch.nn.Module, state_dict: dict, source: str) -> None:
    """Fail naming the first parameter whose name or shape does not match the module's."""
    expected = module.state_dict()
    for name, value in state_dict.items():
        if name not in expected:
            raise DataError(f"{source}: parameter {name} does not exist in this model (another model or head?)")
        if tuple(value.shape) != tuple(expected[name].shape):
            raise DataError(f"{source}: parameter {name} has shape {tuple(value.shape)}, "
                            f"the model's is {tuple(expected[name].shape)}")
    missing = sorted(set(expected) - set(state_dict))
    if missing:
        raise DataError(f"{source}: parameter {missing[0]} of the model is missing ({len(missing)} in all)")


def load_module(path: str, map_location: str = "cpu") -> Seq2SeqModule:
    """The trained module, rebuilt from the config and task state stored in the checkpoint."""
    checkpoint = read_checkpoint(path)
    hyper_parameters = checkpoint["hyper_parameters"]
    module = Seq2SeqModule(hyper_parameters["config"], hyper_parameters["task_state"])
    check_weights(module, checkpoint["state_dict"], str(path))
    module.load_state_dict(checkpoint["state_dict"])
    return module.to(map_location).eval()
