"""The plugin against seqcore's conformance kit: installed, trains, reloads, evaluates, runs batch jobs,
and refuses bad input in one line. Run from this folder after `pip install -e .`: pytest"""
from seqcore.testing import check_task_plugin
from seqcore_reverse import ReverseTask


def test_reverse_passes_the_seqcore_kit(tmp_path):
    check_task_plugin(ReverseTask, heads=["attention"], workdir=tmp_path)
