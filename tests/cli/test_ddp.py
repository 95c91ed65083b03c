"""Two-process DDP on CPU (gloo): the CLI run completes, and both ranks end with identical weights."""
import subprocess
import sys
import textwrap

import torch

from tests.conftest import TINY, run_cli_subprocess

RANK_WEIGHTS_SCRIPT = textwrap.dedent("""
    import sys
    import pytorch_lightning as pl
    import torch
    from hydra import compose, initialize_config_module
    from hydra.utils import instantiate
    from omegaconf import OmegaConf
    from seqcore.lightning import Seq2SeqModule, TaskDataModule

    out = sys.argv[1]
    with initialize_config_module("conf", version_base="1.3"):
        cfg = compose("config", overrides=sys.argv[2:])
    pl.seed_everything(cfg.seed)
    task = instantiate(cfg.task)
    datamodule = TaskDataModule(task, **cfg.data, seed=cfg.seed)
    datamodule.fit_task()
    module = Seq2SeqModule(OmegaConf.to_container(cfg, resolve=True), task.state_dict())
    trainer = pl.Trainer(accelerator="cpu", devices=2, strategy="ddp", max_steps=8, logger=False,
                         enable_checkpointing=False, enable_progress_bar=False, use_distributed_sampler=False,
                         limit_val_batches=0, default_root_dir=out)
    trainer.fit(module, datamodule)
    torch.save(module.state_dict(), f"{out}/rank{trainer.global_rank}.pt")
""")


def test_ddp_cli_run_completes(workdir):
    run_dir = workdir / "ddp"
    result = run_cli_subprocess("apps.train", *TINY, "trainer=ddp", "trainer.max_steps=6", f"hydra.run.dir={run_dir}",
                                cwd=workdir)
    assert "test bleu:" in result.stdout
    assert torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == 6


def test_both_ranks_agree_on_final_weights(workdir):
    script = workdir / "ddp_weights.py"
    script.write_text(RANK_WEIGHTS_SCRIPT)
    overrides = [o for o in TINY if not o.startswith("trainer")]
    subprocess.run([sys.executable, str(script), str(workdir), *overrides], cwd=workdir, check=True,
                   capture_output=True)
    rank0, rank1 = (torch.load(workdir / f"rank{r}.pt", weights_only=True) for r in (0, 1))
    assert rank0.keys() == rank1.keys()
    for name in rank0:
        torch.testing.assert_close(rank0[name], rank1[name], rtol=0, atol=0, msg=f"{name} differs between ranks")
