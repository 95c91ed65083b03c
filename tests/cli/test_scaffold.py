"""seqcore-plugins new NAME: the package it writes installs beside seqcore and passes its own generated
test, the conformance kit, whose runs train, evaluate and run batch jobs with the attention, pointer
and ctc heads; names and directories that cannot be used are refused in one line."""
import json

import pytest

from tests.conftest import assert_one_line_error, installed, run_cli, run_package_tests

NAME = "isodates"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The package of `seqcore-plugins new isodates`, installed as a user installs it (uninstalled after)."""
    root = tmp_path_factory.mktemp("scaffold") / "seqcore-isodates"
    run_cli("apps.plugins", "new", NAME, "--dir", str(root), cwd=root.parent)
    with installed(root, "seqcore-isodates"):
        yield root


def test_a_new_plugin_passes_its_own_test_of_every_head(generated, tmp_path):
    result = run_package_tests(generated, tmp_path)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-5000:]
    (runs,) = tmp_path.glob("test_isodates_passes_the_seqco*0")
    for head in ("attention", "pointer", "ctc"):
        assert (runs / f"train-{head}" / "checkpoints" / "last.ckpt").is_file()
        assert "accuracy" in json.loads((runs / f"eval-{head}" / "metrics.json").read_text())
        records = (runs / f"batch-{head}" / "outputs.jsonl").read_text().splitlines()
        assert len(records) == 9 and "error" in json.loads(records[-1])  # 8 decoded, 1 undecodable line
    assert "ctc: " in (runs / "train-ctc-report" / "train.log").read_text()  # "5.3.2021" -> 10 characters


def test_the_package_holds_what_an_author_edits(tmp_path):
    run_cli("apps.plugins", "new", "my_task", "--dir", "pkg", cwd=tmp_path)
    package = tmp_path / "pkg"
    files = sorted(str(path.relative_to(package)) for path in package.rglob("*") if path.is_file())
    assert files == ["README.md", "pyproject.toml", "seqcore_my_task/__init__.py",
                     "seqcore_my_task/conf/experiment/my_task.yaml", "seqcore_my_task/conf/task/my_task.yaml",
                     "seqcore_my_task/embedded.py", "seqcore_my_task/task.py", "tests/test_my_task.py"]
    assert 'my_task = "seqcore_my_task:MyTaskTask"' in (package / "pyproject.toml").read_text()
    assert "_target_: seqcore_my_task.MyTaskTask" in (package / "seqcore_my_task/conf/task/my_task.yaml").read_text()


@pytest.mark.parametrize("arguments, fragment", [
    (["new", "My-Task"], "use lowercase letters, digits and _"),
    (["new", "class"], "use lowercase letters, digits and _"),
    (["new", "translation"], "is taken by an installed plugin"),
    (["new", "fresh", "--dir", "occupied"], "occupied exists and is not an empty directory"),
])
def test_unusable_names_and_directories_are_refused_in_one_line(tmp_path, arguments, fragment):
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "notes.txt").write_text("mine\n")
    result = run_cli("apps.plugins", *arguments, cwd=tmp_path, check=False)
    assert result.returncode == 2
    assert_one_line_error(result, "error: ", fragment)
    assert (tmp_path / "occupied" / "notes.txt").read_text() == "mine\n" and len(list(tmp_path.iterdir())) == 1
