"""A third-party plugin package, installed into the test environment, trains with task=<its name>."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli_subprocess

PACKAGE = Path(__file__).resolve().parents[1] / "external_plugin"


@pytest.fixture(scope="module")
def installed_plugin():
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", str(PACKAGE)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    yield
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "--yes", "seqcore-reverse"], capture_output=True)


def test_external_plugin_trains_from_outside_the_repository(installed_plugin, workdir):
    listing = subprocess.run([sys.executable, "-m", "apps.plugins"], capture_output=True, text=True, cwd=workdir)
    assert "reverse" in listing.stdout and "translation" in listing.stdout
    run_dir = workdir / "run"
    # a new interpreter: the plugin was installed after this process started
    result = run_cli_subprocess(
        "apps.train", "task=reverse", "model.dim=128", "model.encoder.layers=2", "model.decoder.layers=2",
        "model.encoder.ffn_dim=256", "model.decoder.ffn_dim=256", "model.encoder.dropout=0",
        "model.decoder.dropout=0", "trainer.max_steps=300", "trainer.enable_progress_bar=false",
        "optim.warmup_steps=30", "optim.lr=3e-3", "data.max_tokens=1500", "search=greedy",
        f"hydra.run.dir={run_dir}", cwd=workdir)
    assert "_target_: seqcore_reverse.ReverseTask" in result.stdout
    accuracy = json.loads((run_dir / "test_metrics.json").read_text())["test/accuracy"]
    assert accuracy > 50.0, f"the reverse task should be learned in 300 steps, got {accuracy}% exact"


def test_unknown_task_lists_the_available_ones(installed_plugin, workdir):
    result = run_cli_subprocess("apps.train", "task=nonexistent", cwd=workdir, check=False)
    assert result.returncode != 0
    assert "translation" in result.stderr and "reverse" in result.stderr
    assert "Traceback" not in result.stderr
