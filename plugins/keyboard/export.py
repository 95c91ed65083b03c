"""On-device forms of a trained keyboard model: int8 dynamic quantization and TorchScript.

`quantize` stores the weights of every Linear, GRU and LSTM layer in int8 and quantizes their
activations on the fly (torch.ao.quantization.quantize_dynamic; convolutions and embeddings
stay float). `export_torchscript` writes one self-contained TorchScript file that maps source
ids [1, S] to output ids with greedy search, for an app that embeds libtorch (or the
PyTorch Mobile / ExecuTorch runtimes): the encoder and one decoder step are traced, and the
greedy loop around them is scripted, mirroring `seqcore.search.greedy_search`.

    python -m plugins.keyboard.export CKPT out_dir/ [--int8]
"""
from __future__ import annotations

import argparse
import copy
import io
import warnings
from pathlib import Path
from typing import List, Sequence, Tuple

import torch
from torch import nn

from seqcore.checkpoint import load_module
from seqcore.data.vocab import BOS_ID, EOS_ID, PAD_ID
from seqcore.modules.state import EncoderOutput

QUANTIZED_LAYERS = {nn.Linear, nn.GRU, nn.LSTM}


def quantize(module):
    """A copy of the trained module whose model has int8 dynamic-quantized layers (CPU only)."""
    quantized = copy.deepcopy(module).cpu().eval()
    with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao
        warnings.simplefilter("ignore", DeprecationWarning)
        from torch.ao.quantization import quantize_dynamic
        quantized.model = quantize_dynamic(quantized.model, QUANTIZED_LAYERS, dtype=torch.qint8)
    return quantized


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def size_on_disk(model: nn.Module) -> int:
    """Bytes of the model's saved state_dict (what an app ships)."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


def _flatten(state, prefix: str = "") -> dict:
    """A nested decoding state as {path: value}, for the traced step's flat tuple of tensors."""
    if isinstance(state, dict):
        return {k: v for key, value in state.items() for k, v in _flatten(value, f"{prefix}{key}/").items()}
    return {prefix: state}


def _unflatten(flat: dict) -> dict:
    state: dict = {}
    for path, value in flat.items():
        node, keys = state, path.rstrip("/").split("/")
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return state


class _Start(nn.Module):
    """source ids [1, S] -> the decoding state's tensors (`paths` order); other leaves are constants."""

    def __init__(self, model, paths: Sequence[str]):
        super().__init__()
        self.model, self.paths = model, list(paths)

    def forward(self, source: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        lengths = torch.full((source.shape[0],), source.shape[1], dtype=torch.long)
        features, mask = self.model.frontend(source, lengths)
        encoded = EncoderOutput(*self.model.encoder(features, mask), {"source_copy_ids": source})
        flat = _flatten(self.model.head.init_state(encoded))
        return tuple(flat[path] for path in self.paths)


class _Step(nn.Module):
    """(token [1], state tensors) -> (log-probs [1, V], next state tensors)."""

    def __init__(self, head, paths: Sequence[str], constants: dict):
        super().__init__()
        self.head, self.paths, self.constants = head, list(paths), constants

    def forward(self, token: torch.Tensor, state: Tuple[torch.Tensor, ...]):
        log_probs, state = self.head.step(token, _unflatten({**self.constants, **dict(zip(self.paths, state))}))
        flat = _flatten(state)
        return log_probs, tuple(flat[path] for path in self.paths)


class GreedyCorrector(nn.Module):
    """Scripted greedy loop over a traced start and step (as `greedy_search` with min_length 1)."""

    def __init__(self, start: torch.jit.ScriptModule, step: torch.jit.ScriptModule, max_len_a: float, max_len_b: int):
        super().__init__()
        self.start, self.step = start, step
        self.max_len_a, self.max_len_b = max_len_a, max_len_b
        self.bos, self.eos, self.pad = BOS_ID, EOS_ID, PAD_ID  # attributes: TorchScript reads no imported globals

    def forward(self, source: torch.Tensor) -> torch.Tensor:
        state = self.start(source)
        limit = max(int(self.max_len_a * source.shape[1] + self.max_len_b), 1)
        token = torch.full([1], self.bos, dtype=torch.long)
        output: List[torch.Tensor] = []
        for position in range(limit + 1):
            log_probs, state = self.step(token, state)
            log_probs[:, self.pad] = float("-inf")
            log_probs[:, self.bos] = float("-inf")
            if position < 1:
                log_probs[:, self.eos] = float("-inf")
            if position >= limit:
                break
            token = log_probs.argmax(-1)
            if int(token[0]) == self.eos:
                break
            output.append(token)
        if len(output) == 0:
            return torch.zeros([0], dtype=torch.long)
        return torch.cat(output)


def to_torchscript(module, example: str = "hello world") -> torch.jit.ScriptModule:
    """The module's model with greedy search as one TorchScript module (source ids -> output ids)."""
    model = module.model.eval()
    source = module.task.encode_source({"source": example})[None]
    with torch.no_grad():
        lengths = torch.tensor([source.shape[1]])
        features, mask = model.frontend(source, lengths)
        encoded = EncoderOutput(*model.encoder(features, mask), {"source_copy_ids": source})
        flat = _flatten(model.head.init_state(encoded))
        paths = [path for path, value in flat.items() if isinstance(value, torch.Tensor)]
        constants = {path: value for path, value in flat.items() if not isinstance(value, torch.Tensor)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python values it records as constants
            start = torch.jit.trace(_Start(model, paths), (source,), check_trace=False)
            step = torch.jit.trace(_Step(model.head, paths, constants),
                                   (torch.tensor([BOS_ID]), tuple(flat[path] for path in paths)), check_trace=False)
    search = module.config.search
    return torch.jit.script(GreedyCorrector(start, step, float(search.max_len_a), int(search.max_len_b)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Export a trained keyboard model for on-device use.")
    parser.add_argument("ckpt")
    parser.add_argument("out_dir")
    parser.add_argument("--int8", action="store_true", help="export the int8 dynamic-quantized model")
    args = parser.parse_args(argv)
    module = load_module(args.ckpt)
    if args.int8:
        module = quantize(module)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = "corrector_int8.pt" if args.int8 else "corrector.pt"
    to_torchscript(module).save(str(out / name))
    (out / "vocab.txt").write_text("".join(f"{module.task.source_tokenizer.vocab.token_of(i)!r}\n"
                                           for i in range(module.task.source_tokenizer.vocab_size)), encoding="utf-8")
    print(f"wrote {out / name} ({(out / name).stat().st_size / 1e6:.2f} MB) and {out / 'vocab.txt'}")


if __name__ == "__main__":
    main()
