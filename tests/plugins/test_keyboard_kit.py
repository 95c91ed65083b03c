"""The built-in keyboard task against the conformance kit: both of its heads (attention, pointer)
train and lower the loss, reload, evaluate, run batch jobs, and data_path= scores a clean-text file."""
from plugins.keyboard import KeyboardTask
from seqcore.testing import check_task_plugin

TINY = ["task.embedded_sizes={train:800,valid:20,test:20}", "model.dim=32", "data.max_tokens=1500",
        "optim.warmup_steps=5", "threads=1"]


def test_keyboard_passes_the_plugin_kit(tmp_path):
    sentences = tmp_path / "test.txt"  # data_path=: clean sentences, noised once for scoring
    sentences.write_text("See you at the station tomorrow.\nThe meeting starts at noon.\n", encoding="utf-8")
    check_task_plugin(KeyboardTask, overrides=TINY, data_path=sentences, workdir=tmp_path)
