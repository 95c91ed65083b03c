"""Seq2Seq = frontend + encoder + head, built from the `model` and `head` configs.

Sizes that only the data knows (vocabulary sizes) are passed by the task at build time;
everything else comes from `_target_` configs, so the printed config shows what runs.
"""
from __future__ import annotations

import inspect

import torch
from hydra.utils import get_class, instantiate
from omegaconf import DictConfig, OmegaConf
from torch import nn

from seqcore.data.batch import Batch
from seqcore.modules.state import EncoderOutput


class Seq2Seq(nn.Module):
    def __init__(self, frontend: nn.Module, encoder: nn.Module, head: nn.Module):
        super().__init__()
        self.frontend, self.encoder, self.head = frontend, encoder, head

    def encode(self, batch: Batch) -> EncoderOutput:
        features, mask = self.frontend(batch.source, batch.source_lengths)
        return EncoderOutput(*self.encoder(features, mask), batch.extras)

    def forward(self, batch: Batch) -> tuple[torch.Tensor, dict]:
        return self.head.loss(batch, self.encode(batch))


def head_uses_decoder(head_cfg: DictConfig) -> bool:
    """Whether the head's constructor takes the model's autoregressive decoder (a CTC or transducer
    head does not: then `model.decoder` is not built, and not printed as if it ran)."""
    return "decoder" in inspect.signature(get_class(head_cfg._target_)).parameters


def build_model(model_cfg: DictConfig, head_cfg: DictConfig, frontend_args: dict, target_vocab_size: int) -> Seq2Seq:
    """Instantiate the frontend (with the task's runtime sizes), encoder and head.

    A head receives, among `decoder` (the model's autoregressive decoder), `vocab_size` and
    `encoder_dim`, those its constructor names, so a CTC head never builds an unused decoder.
    """
    frontend = instantiate(model_cfg.frontend, **frontend_args)
    encoder = instantiate(model_cfg.encoder)
    head_args = OmegaConf.create({key: value for key, value in head_cfg.items() if key != "name"})
    wanted = inspect.signature(get_class(head_args._target_)).parameters
    runtime = {"vocab_size": lambda: target_vocab_size, "encoder_dim": lambda: encoder.output_dim,
               "decoder": lambda: instantiate(model_cfg.decoder, vocab_size=target_vocab_size)}
    head = instantiate(head_args, **{name: make() for name, make in runtime.items() if name in wanted})
    return Seq2Seq(frontend, encoder, head)
