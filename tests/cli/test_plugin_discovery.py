"""Plugin discovery that one broken package cannot break, and Hydra flags placed anywhere.

Plugins are made "installed" for the test process by putting a dist-info folder (metadata and
entry points, as pip writes them) and the plugin's package on sys.path: importlib.metadata
finds them exactly as it finds a pip-installed package."""
from pathlib import Path

import pytest

from tests.conftest import assert_one_line_error, run_cli

EXTERNAL = Path(__file__).resolve().parents[1] / "external_plugin"


def install(site: Path, distribution: str, entry_points: dict[str, str]) -> None:
    info = site / f"{distribution}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[seqcore.tasks]\n" + "".join(f"{name} = {value}\n" for name, value in entry_points.items()))


@pytest.fixture
def broken_plugin(tmp_path, monkeypatch):
    site = tmp_path / "site"
    install(site, "broken_plugin", {"broken": "broken_plugin_module:Task"})
    (site / "broken_plugin_module.py").write_text("import a_module_that_is_not_installed\n")
    monkeypatch.syspath_prepend(str(site))


@pytest.fixture
def reverse_plugin(tmp_path, monkeypatch):
    site = tmp_path / "site_reverse"
    install(site, "seqcore_reverse", {"reverse": "seqcore_reverse:ReverseTask"})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(EXTERNAL))


def test_the_listing_names_a_broken_plugin_in_one_line_and_lists_the_others(broken_plugin, workdir):
    result = run_cli("apps.plugins", cwd=workdir, check=False)
    assert result.returncode == 1 and "translation" in result.stdout and "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "broken" in line]
    assert line == ("broken: plugin 'broken' (package broken_plugin, entry point broken_plugin_module:Task) failed "
                    "to import: ModuleNotFoundError: No module named 'a_module_that_is_not_installed'")


def test_other_commands_skip_a_broken_plugin_with_a_warning(broken_plugin, workdir):
    result = run_cli("apps.train", "--cfg", "job", cwd=workdir)
    assert "_target_: plugins.translation.TranslationTask" in result.stdout
    assert "warning: plugin 'broken'" in result.stderr and "skipped" in result.stderr


def test_asking_for_the_broken_plugin_is_the_error(broken_plugin, workdir):
    result = run_cli("apps.train", "task=broken", cwd=workdir, check=False)
    assert_one_line_error(result, "plugin 'broken'", "No module named 'a_module_that_is_not_installed'")


@pytest.mark.parametrize("argv", [
    ["task=reverse", "--cfg", "job", "trainer.max_steps=3"],
    ["--cfg", "job", "task=reverse", "trainer.max_steps=3"],
    ["task=reverse", "trainer.max_steps=3", "--cfg", "job"],
])
def test_cfg_works_wherever_it_is_placed_with_a_third_party_plugin(reverse_plugin, workdir, argv):
    result = run_cli("apps.train", *argv, cwd=workdir)
    assert "_target_: seqcore_reverse.ReverseTask" in result.stdout and "max_steps: 3" in result.stdout


def test_data_path_on_a_plugin_without_paths_is_a_one_line_error(reverse_plugin, workdir):
    run_dir = workdir / "run"
    run_cli("apps.train", "task=reverse", "trainer=debug", "trainer.max_steps=2", "test_after_training=false",
            f"hydra.run.dir={run_dir}", cwd=workdir)
    result = run_cli("apps.evaluate", f"ckpt={run_dir / 'checkpoints' / 'last.ckpt'}", "data_path=words.txt",
                     f"hydra.run.dir={workdir / 'eval'}", cwd=workdir, check=False)
    assert_one_line_error(result, "data_path=: task ReverseTask reads no files of its own")
