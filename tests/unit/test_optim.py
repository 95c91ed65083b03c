"""Parameter groups: biases, normalization gains and embedding rows are not weight-decayed."""
import pytest
import torch
from omegaconf import OmegaConf
from torch import nn

from seqcore.errors import ConfigError
from seqcore.optim import build_optimizer, parameter_groups


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10, 4)
        self.linear = nn.Linear(4, 4)
        self.norm = nn.LayerNorm(4)
        self.output = nn.Linear(4, 10, bias=False)
        self.output.weight = self.embedding.weight  # tied, as the attention head ties its projection


def names(model, group) -> set[str]:
    ids = {id(p) for p in group["params"]}
    return {name for name, p in model.named_parameters() if id(p) in ids}


def test_biases_norms_and_embeddings_are_not_decayed():
    model = Small()
    decayed, undecayed = parameter_groups(model, 0.01, ["bias", "norm", "embedding"])
    assert names(model, decayed) == {"linear.weight"} and decayed["weight_decay"] == 0.01
    assert names(model, undecayed) == {"embedding.weight", "linear.bias", "norm.weight", "norm.bias"}
    assert undecayed["weight_decay"] == 0.0


def test_an_empty_exemption_list_decays_everything_and_frozen_parameters_are_left_out():
    model = Small()
    model.linear.weight.requires_grad_(False)
    (everything,) = parameter_groups(model, 0.1, [])
    assert names(model, everything) == {"embedding.weight", "linear.bias", "norm.weight", "norm.bias"}


def test_the_optimizer_class_comes_from_the_config():
    cfg = OmegaConf.create({"_target_": "torch.optim.SGD", "lr": 0.5, "momentum": 0.9, "weight_decay": 0.0,
                            "no_weight_decay": ["bias"], "schedule": "constant", "warmup_steps": 0,
                            "min_lr_ratio": 0.0})
    optimizer, _ = build_optimizer(Small(), cfg, 100)
    assert isinstance(optimizer, torch.optim.SGD) and optimizer.param_groups[0]["momentum"] == 0.9
    with pytest.raises(ConfigError, match="optim.no_weight_decay: unknown kind 'gain'"):
        parameter_groups(Small(), 0.1, ["gain"])
    with pytest.raises(ConfigError, match="optim: torch.optim.SGD"):
        build_optimizer(Small(), OmegaConf.merge(cfg, {"betas": [0.9, 0.9]}), 100)
