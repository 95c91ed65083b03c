"""Checkpoint averaging on hand-made checkpoints: the exact mean, integer buffers and the last one's
hyper_parameters kept, optimizer states dropped, and checkpoints of other models refused naming
the parameter, config key or task state entry that differs."""
import pytest
import torch

from seqcore.checkpoint import read_checkpoint
from seqcore.checkpoint_averaging import average_checkpoints, average_into
from seqcore.errors import ConfigError, DataError

CONFIG = {"task": {"tokenizer": "word"}, "model": {"dim": 2}, "head": {"name": "attention"},
          "trainer": {"max_steps": 10}}


def handmade(path, weight, steps, config=CONFIG, task_state=None, bias=(0.5,)):
    """A seqcore checkpoint with one float matrix, one float vector and one integer buffer."""
    torch.save({"state_dict": {"model.w": torch.tensor(weight), "model.b": torch.tensor(bias),
                               "model.steps": torch.tensor([steps])},
                "hyper_parameters": {"config": config, "task_state": task_state or {"vocab": ["a", "b"]}},
                "global_step": steps, "optimizer_states": [{"state": {}}]}, path)
    return str(path)


def test_the_average_is_the_exact_mean_and_keeps_the_last_checkpoints_metadata(tmp_path):
    paths = [handmade(tmp_path / "a.ckpt", [[1.0, -2.0], [0.0, 4.0]], 10),
             handmade(tmp_path / "b.ckpt", [[2.0, 0.5], [3.0, 4.0]], 20),
             # how it was trained may differ (a resumed run with more steps)
             handmade(tmp_path / "c.ckpt", [[6.0, 7.5], [-3.0, 1.0]], 30, {**CONFIG, "trainer": {"max_steps": 99}})]
    average_into(paths, str(tmp_path / "avg.ckpt"))
    averaged = read_checkpoint(str(tmp_path / "avg.ckpt"))
    # (1+2+6)/3 = 3, (-2+0.5+7.5)/3 = 2, (0+3-3)/3 = 0, (4+4+1)/3 = 3
    assert torch.equal(averaged["state_dict"]["model.w"], torch.tensor([[3.0, 2.0], [0.0, 3.0]]))
    assert torch.equal(averaged["state_dict"]["model.b"], torch.tensor([0.5]))
    assert averaged["state_dict"]["model.w"].dtype == torch.float32
    assert torch.equal(averaged["state_dict"]["model.steps"], torch.tensor([30]))  # integer buffer: the last one's
    assert averaged["global_step"] == 30 and averaged["hyper_parameters"]["config"]["trainer"]["max_steps"] == 99
    assert "optimizer_states" not in averaged and averaged["averaged_checkpoints"] == paths


@pytest.mark.parametrize("change, named", [
    ({"weight": [1.0, 2.0]}, r"b\.ckpt: shape of parameter model\.w is \(2,\), .*a\.ckpt's \(2, 2\)"),
    ({"config": {**CONFIG, "model": {"dim": 4}}}, r"b\.ckpt: config\.model\.dim is 4, .*a\.ckpt's 2"),
    ({"task_state": {"vocab": ["a", "c"]}}, r"b\.ckpt: task_state\.vocab is \['a', 'c'\], .*a\.ckpt's \['a', 'b'\]"),
])
def test_checkpoints_of_another_model_are_refused_naming_the_difference(tmp_path, change, named):
    first = handmade(tmp_path / "a.ckpt", [[1.0, 2.0], [3.0, 4.0]], 10)
    other = handmade(tmp_path / "b.ckpt", **{"weight": [[1.0, 2.0], [3.0, 4.0]], "steps": 20, **change})
    with pytest.raises(DataError, match=named):
        average_checkpoints([first, other])


def test_a_parameter_only_one_checkpoint_has_is_named(tmp_path):
    first = handmade(tmp_path / "a.ckpt", [[1.0]], 10)
    other = tmp_path / "b.ckpt"
    checkpoint = torch.load(first, weights_only=True)
    checkpoint["state_dict"]["model.extra"] = torch.zeros(3)
    torch.save(checkpoint, other)
    with pytest.raises(DataError, match=r"b\.ckpt: shape of parameter model\.extra is \(3,\), .*a\.ckpt's absent"):
        average_checkpoints([first, str(other)])


def test_the_output_may_not_be_one_of_the_inputs(tmp_path):
    paths = [handmade(tmp_path / "a.ckpt", [[1.0]], 10), handmade(tmp_path / "b.ckpt", [[3.0]], 20)]
    before = (tmp_path / "b.ckpt").read_bytes()
    with pytest.raises(ConfigError, match="output=.*b.ckpt is one of the checkpoints averaged"):
        average_into(paths, str(tmp_path / "sub" / ".." / "b.ckpt"))
    assert (tmp_path / "b.ckpt").read_bytes() == before
