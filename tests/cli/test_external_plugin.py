"""A third-party plugin package, installed into the test environment, trains with task=<its name>."""
import csv
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
    subprocess.run(install, check=True, capture_output=True)
    yield
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "--yes", "seqcore-reverse"], capture_output=True)


def test_external_plugin_trains_from_outside_the_repository(installed_plugin, workdir):
    listing = subprocess.run([sys.executable, "-m", "apps.plugins"], capture_output=True, text=True, cwd=workdir)
    assert "reverse" in listing.stdout and "translation" in listing.stdout
    run_dir = workdir / "run"
    # a new interpreter: the plugin was installed after this process started. The plugin's own
    # recipe (conf/experiment/reverse.yaml: a tiny model, 40 steps) is picked with its task.
    result = run_cli_subprocess("apps.train", "task=reverse", "trainer=debug",
                                "trainer.log_every_n_steps=1", "search=greedy", f"hydra.run.dir={run_dir}", cwd=workdir)
    assert "dim: 64" in result.stdout and "lr: 0.003" in result.stdout and "max_steps: 40" in result.stdout  # its recipe
    assert "_target_: seqcore_reverse.ReverseTask" in result.stdout
    metrics = json.loads((run_dir / "test_metrics.json").read_text())
    assert 0.0 <= metrics["test/accuracy"] <= 100.0 and metrics["training"].startswith("completed")
    with open(run_dir / "logs" / "metrics.csv") as handle:
        losses = [float(row["train/loss"]) for row in csv.DictReader(handle) if row.get("train/loss")]
    assert len(losses) >= 30 and sum(losses[-5:]) < 0.8 * sum(losses[:5]), losses


def test_unknown_task_lists_the_available_ones(installed_plugin, workdir):
    result = run_cli_subprocess("apps.train", "task=nonexistent", cwd=workdir, check=False)
    assert result.returncode != 0
    assert "translation" in result.stderr and "reverse" in result.stderr
    assert "Traceback" not in result.stderr
