"""The config layout: a task file holds the task block (and the components it runs on), its recipe
for the embedded data is conf/experiment/<task>.yaml and is picked with the task, and the printed
config shows only what is built."""
from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_module

from tests.conftest import TINY, run_cli

CONF = Path(__file__).resolve().parents[2] / "conf"
TASKS = sorted(path.stem for path in (CONF / "task").glob("*.yaml"))


def composed(*overrides: str):
    with initialize_config_module(version_base="1.3", config_module="conf"):
        return compose(config_name="config", overrides=list(overrides))


@pytest.mark.parametrize("task", TASKS)
def test_a_task_file_holds_only_its_task_block_and_its_recipe_is_an_experiment(task):
    content = yaml.safe_load((CONF / "task" / f"{task}.yaml").read_text())
    assert set(content) <= {"defaults", "task"}, f"conf/task/{task}.yaml tunes {set(content) - {'defaults', 'task'}}"
    assert all(entry.startswith("override /") for item in content.get("defaults", []) for entry in item), content
    recipe = yaml.safe_load((CONF / "experiment" / f"{task}.yaml").read_text())
    assert "task" not in recipe and "trainer" in recipe


def test_the_task_picks_its_recipe_and_experiment_replaces_or_drops_it():
    assert composed("task=keyboard").trainer.max_steps == 1300  # conf/experiment/keyboard.yaml
    assert composed("task=keyboard", "~experiment").trainer.max_steps == 5000  # conf/trainer/cpu.yaml
    lstm = composed("experiment=translation_lstm")
    assert lstm.model.encoder._target_ == "seqcore.modules.LSTMEncoder" and lstm.optim.lr == 2e-3
    assert lstm.trainer.max_steps == 600  # it builds on the translation recipe
    assert composed("task=ocr", "trainer.max_steps=7").trainer.max_steps == 7  # the command line wins


def test_the_optimizer_and_callbacks_are_config_groups():
    cfg = composed()
    assert cfg.optim._target_ == "torch.optim.AdamW" and list(cfg.optim.no_weight_decay) == ["bias", "norm", "embedding"]
    assert cfg.callbacks.last_checkpoint.every_n_steps == cfg.checkpoint.every_n_steps
    assert composed("checkpoint.every_n_steps=7").callbacks.last_checkpoint.every_n_steps == 7


def test_a_decoder_the_head_does_not_use_is_printed_as_null(workdir):
    result = run_cli("apps.train", *TINY, "head=ctc", "trainer.max_steps=1", "test_after_training=false",
                     f"hydra.run.dir={workdir / 'run'}", cwd=workdir)
    printed = yaml.safe_load((workdir / "run" / "config.yaml").read_text())
    assert printed["model"]["decoder"] is None and printed["model"]["encoder"] is not None
    assert "decoder: null" in result.stdout


@pytest.mark.parametrize("task, options", [("translation", "{model_type: bpe, vocab_size: 8000}"),
                                           ("asr", "{model_type: unigram, vocab_size: 256}"),
                                           ("text2sql", "{min_freq: 2}")])
def test_the_documented_tokenizer_options_override_replaces_the_default(task, options):
    """README / config comments: task.tokenizer_options='{...}' (a {} default would refuse new keys)."""
    assert dict(composed(f"task={task}", f"task.tokenizer_options={options}").task.tokenizer_options) == \
        yaml.safe_load(options)
