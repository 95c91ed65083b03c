"""model.share_embeddings: one table for source and target tokens, and the tied output projection."""
import pytest
from hydra import compose, initialize_config_module

from seqcore.errors import ConfigError
from seqcore.model import build_model

SMALL = ["model.dim=32", "model.encoder.layers=1", "model.decoder.layers=1", "model.encoder.ffn_dim=64",
         "model.decoder.ffn_dim=64"]


def config(*overrides: str):
    with initialize_config_module(version_base="1.3", config_module="conf"):
        return compose(config_name="config", overrides=[*SMALL, *overrides])


def test_one_table_serves_source_target_and_output():
    cfg = config("model.share_embeddings=true")
    model = build_model(cfg.model, cfg.head, {"vocab_size": 50}, 50)
    table = model.frontend.embedding.weight
    assert model.head.decoder.embedding.weight is table and model.head.projection.weight is table
    separate = build_model(config().model, cfg.head, {"vocab_size": 50}, 50)
    count = sum(p.numel() for p in separate.parameters()) - sum(p.numel() for p in model.parameters())
    assert count == 50 * 32


def test_the_default_keeps_two_tables():
    cfg = config()
    assert cfg.model.share_embeddings is False
    model = build_model(cfg.model, cfg.head, {"vocab_size": 50}, 50)
    assert model.head.decoder.embedding.weight is not model.frontend.embedding.weight


def test_vocabularies_of_different_sizes_cannot_share():
    cfg = config("model.share_embeddings=true")
    with pytest.raises(ConfigError, match="model.share_embeddings=true needs one vocabulary.*50 and 60"):
        build_model(cfg.model, cfg.head, {"vocab_size": 50}, 60)


def test_a_head_without_decoder_cannot_share():
    cfg = config("model.share_embeddings=true", "head=ctc")
    with pytest.raises(ConfigError, match="model.share_embeddings=true needs a head with a decoder; ctc"):
        build_model(cfg.model, cfg.head, {"vocab_size": 50}, 50)
