"""seqcore-average end to end: a tiny run keeps step checkpoints (checkpoint.keep_every_n_steps), the
last two are averaged (last=2 dir=...) into a checkpoint that seqcore-eval scores; bad requests
fail in one line."""
import json

import torch

from tests.conftest import TINY, assert_one_line_error, run_cli


def test_step_checkpoints_average_into_a_checkpoint_that_evaluates(workdir):
    run_dir = workdir / "run"
    run_cli("apps.train", *TINY, "checkpoint.keep_every_n_steps=6", "test_after_training=false",
            f"hydra.run.dir={run_dir}", cwd=workdir)
    checkpoints = run_dir / "checkpoints"
    steps = [torch.load(checkpoints / f"step-{step}.ckpt", weights_only=True) for step in (6, 12)]
    assert [checkpoint["global_step"] for checkpoint in steps] == [6, 12]
    assert all("optimizer_states" not in checkpoint for checkpoint in steps)  # weights only

    average = workdir / "avg.ckpt"
    result = run_cli("apps.average", "last=2", f"dir={checkpoints}", f"output={average}",
                     f"hydra.run.dir={workdir / 'average'}", cwd=workdir)
    assert "averaged 2 checkpoints" in result.stdout
    averaged = torch.load(average, weights_only=True)["state_dict"]
    first, last = (checkpoint["state_dict"] for checkpoint in steps)
    assert averaged.keys() == last.keys()
    for name, value in averaged.items():
        expected = (first[name] + last[name]) / 2 if value.is_floating_point() else last[name]  # integer buffers: last
        assert torch.allclose(value, expected), name
    assert not torch.equal(averaged["model.frontend.embedding.weight"], last["model.frontend.embedding.weight"])

    run_cli("apps.evaluate", f"ckpt={average}", "split=test", f"hydra.run.dir={workdir / 'eval'}", cwd=workdir)
    metrics = json.loads((workdir / "eval" / "metrics.json").read_text())
    assert 0.0 <= metrics["bleu"] <= 100.0

    too_many = run_cli("apps.average", "last=3", f"dir={checkpoints}", f"output={workdir / 'x.ckpt'}",
                       f"hydra.run.dir={workdir / 'average3'}", cwd=workdir, check=False)
    assert_one_line_error(too_many, "2 step-<N>.ckpt files, 3 asked for")
    onto_input = run_cli("apps.average", f"inputs=[{checkpoints / 'step-6.ckpt'},{checkpoints / 'step-12.ckpt'}]",
                         f"output={checkpoints / 'step-12.ckpt'}", f"hydra.run.dir={workdir / 'average4'}",
                         cwd=workdir, check=False)
    assert_one_line_error(onto_input, "is one of the checkpoints averaged")
    both = run_cli("apps.average", f"inputs=[{average}]", "last=2", f"dir={checkpoints}",
                   f"output={workdir / 'y.ckpt'}", f"hydra.run.dir={workdir / 'average5'}", cwd=workdir, check=False)
    assert_one_line_error(both, "give either inputs=")
