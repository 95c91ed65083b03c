"""A third-party plugin package, installed into the test environment: its own test (seqcore's
conformance kit) passes, `task=<its name>` picks its recipe, and an unknown task lists it."""
from pathlib import Path

import pytest

from tests.conftest import installed, run_cli_subprocess, run_package_tests

PACKAGE = Path(__file__).resolve().parents[1] / "external_plugin"


@pytest.fixture(scope="module")
def installed_plugin():
    with installed(PACKAGE, "seqcore-reverse"):
        yield


def test_the_plugins_own_test_passes_the_kit(installed_plugin, tmp_path):
    result = run_package_tests(PACKAGE, tmp_path)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-5000:]


def test_its_recipe_comes_with_its_task(installed_plugin, workdir):
    result = run_cli_subprocess("apps.train", "task=reverse", "--cfg", "job", cwd=workdir)
    assert "dim: 64" in result.stdout and "lr: 0.003" in result.stdout and "max_steps: 40" in result.stdout
    assert "_target_: seqcore_reverse.ReverseTask" in result.stdout


def test_unknown_task_lists_the_available_ones(installed_plugin, workdir):
    result = run_cli_subprocess("apps.train", "task=nonexistent", cwd=workdir, check=False)
    assert result.returncode != 0
    assert "translation" in result.stderr and "reverse" in result.stderr
    assert "Traceback" not in result.stderr
