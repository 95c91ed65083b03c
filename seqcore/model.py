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
from seqcore.errors import ConfigError
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


def build_model(model_cfg: DictConfig, head_cfg: DictConfig, frontend_args: dict, target_vocab_size: int | None) -> Seq2Seq:
    """Instantiate the frontend (with the task's runtime sizes), encoder and head.

    A head receives, among `decoder` (the model's autoregressive decoder), `vocab_size` and
    `encoder_dim`, those its constructor names, so a CTC head never builds an unused decoder.
    """
    frontend = instantiate(model_cfg.frontend, **frontend_args)
    encoder = instantiate(model_cfg.encoder)
    head_args = OmegaConf.create({key: value for key, value in head_cfg.items() if key != "name"})
    wanted = inspect.signature(get_class(head_args._target_)).parameters
    shared = model_cfg.get("share_embeddings", False)  # a key of the models that can share (transformer.yaml)
    if shared and "decoder" not in wanted:
        raise ConfigError(f"model.share_embeddings=true needs a head with a decoder; {head_cfg.name} has none")

    def decoder() -> nn.Module:
        built = instantiate(model_cfg.decoder, vocab_size=target_vocab_size)
        if shared:  # before the head is built, so that a tied output projection is shared too
            share_embeddings(frontend, built)
        return built

    runtime = {"vocab_size": lambda: target_vocab_size, "encoder_dim": lambda: encoder.output_dim,
               "decoder": decoder}
    head = instantiate(head_args, **{name: make() for name, make in runtime.items() if name in wanted})
    return Seq2Seq(frontend, encoder, head)


def share_embeddings(frontend: nn.Module, decoder: nn.Module) -> None:
    """`model.share_embeddings`: the decoder embeds target tokens with the frontend's table (one
    parameter; with `head.tie_embeddings` the output projection too), as BART and fairseq's
    --share-all-embeddings do for a joint vocabulary (a text task's `shared_vocabulary`, one
    SentencePiece model over both languages): a small Transformer has a fifth fewer parameters to
    train and to update. Ids must mean the same token on both sides; what the builder can check is
    that both tables have the same shape."""
    source, target = getattr(frontend, "embedding", None), getattr(decoder, "embedding", None)
    if not isinstance(source, nn.Embedding) or not isinstance(target, nn.Embedding):
        raise ConfigError(f"model.share_embeddings=true needs a token frontend and a decoder that embeds tokens; "
                          f"{type(frontend).__name__} and {type(decoder).__name__} do not both")
    if source.weight.shape != target.weight.shape:
        raise ConfigError(f"model.share_embeddings=true needs one vocabulary for source and target; their sizes "
                          f"differ: {source.num_embeddings} and {target.num_embeddings}")
    target.weight = source.weight
