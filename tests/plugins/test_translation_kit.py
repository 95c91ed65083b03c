"""The built-in translation task against the conformance kit that third-party plugins use, on a tiny
embedded pair: every head it supports trains, reloads, evaluates and runs batch jobs, data_path=
takes parallel files, and CTC's impossible examples are reported."""
from plugins.translation import TranslationTask
from seqcore.testing import check_task_plugin

TINY = ["task.embedded_sizes={train:1500,valid:40,test:40}", "model.dim=64", "model.encoder.layers=1",
        "model.decoder.layers=1", "model.encoder.ffn_dim=128", "model.decoder.ffn_dim=128", "data.max_tokens=1024",
        "optim.warmup_steps=5"]


def test_translation_passes_the_plugin_kit(tmp_path):
    source, target = tmp_path / "test.src", tmp_path / "test.tgt"  # data_path=[source,target]: its own format
    source.write_text("the dog sees the cat .\nwe walked .\n", encoding="utf-8")
    target.write_text("der hund sieht die katze .\nwir gingen .\n", encoding="utf-8")
    check_task_plugin(TranslationTask, overrides=TINY, head_overrides={"ctc": ["head.upsample=3"]},
                      data_path=[source, target], workdir=tmp_path)
