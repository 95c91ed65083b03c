"""model.compile=true: the training forward runs through torch.compile and gives eager's loss and
gradients (dropout off: compiled and eager code draw their masks differently), while the module's
state dict keeps its keys, so checkpoints of compiled and eager runs load into each other."""
import pytest
import torch
from hydra import compose, initialize_config_module
from hydra.utils import instantiate
from omegaconf import OmegaConf

from seqcore.data import Example, collate_examples
from seqcore.lightning import Seq2SeqModule

SMALL = ["task=translation", "task.embedded_sizes={train:64,valid:8,test:8}", "model.dim=32", "model.encoder.layers=1", "model.decoder.layers=1",
         "model.encoder.ffn_dim=64", "model.decoder.ffn_dim=64", "model.encoder.dropout=0.0",
         "model.decoder.dropout=0.0"]


def module(compiled: bool):
    with initialize_config_module(version_base="1.3", config_module="conf"):
        cfg = compose(config_name="config", overrides=[*SMALL, f"model.compile={str(compiled).lower()}"])
    task = instantiate(cfg.task)
    task.fit(task.load_split("train"))
    torch.manual_seed(0)
    return Seq2SeqModule(OmegaConf.to_container(cfg, resolve=True), task.state_dict(), task), task


@pytest.mark.slow
def test_compiled_training_forward_gives_eager_loss_and_gradients(one_thread):
    eager, task = module(compiled=False)
    compiled, _ = module(compiled=True)
    assert eager.config.model.compile is False and compiled.config.model.compile is True
    assert list(compiled.state_dict()) == list(eager.state_dict())
    samples = task.load_split("train")[:8]
    batch = collate_examples([Example(i, task.encode_source(s), task.encode_target(s)) for i, s in enumerate(samples)])
    for model in (eager, compiled):
        model.train()
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    losses = [model._training_forward(batch)[0] for model in (eager, compiled)]
    assert torch._dynamo.utils.counters["stats"]["unique_graphs"] > graphs  # the compiled one went through dynamo
    assert torch.allclose(losses[0], losses[1], atol=1e-5), losses
    for loss in losses:
        loss.backward()
    for (name, got), expected in zip(compiled.named_parameters(), eager.parameters()):
        assert torch.allclose(got.grad, expected.grad, atol=1e-5), name
