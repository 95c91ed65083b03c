"""The conformance kit's refusals that come before any training: a plugin that is not installed,
heads it does not support, too few steps to compare losses over (its runs: tests/cli/test_scaffold.py,
tests/cli/test_external_plugin.py, tests/plugins/test_translation_kit.py)."""
import pytest

from plugins.translation import TranslationTask
from seqcore.testing import check_task_plugin
from seqcore.text_task import TextToTextTask


class UninstalledTask(TextToTextTask):
    name = "uninstalled"


def test_a_plugin_without_its_entry_point_is_told_how_to_install_it(tmp_path):
    with pytest.raises(AssertionError, match=r"task 'uninstalled' is not installed .*\"seqcore.tasks\".*pip install"):
        check_task_plugin(UninstalledTask, workdir=tmp_path)


def test_a_head_the_task_does_not_support_is_named(tmp_path):
    with pytest.raises(AssertionError, match=r"heads \['transducer'\] are not in TranslationTask.supported_heads"):
        check_task_plugin(TranslationTask, heads=["attention", "transducer"], workdir=tmp_path)


def test_too_few_steps_to_compare_losses_over_are_refused(tmp_path):
    with pytest.raises(ValueError, match="steps=6: .* give at least 10"):
        check_task_plugin(TranslationTask, steps=6, workdir=tmp_path)
