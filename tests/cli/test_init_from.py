"""init_from=: a new run starts from a checkpoint's weights. Rows of tokens both vocabularies hold
are copied exactly, new tokens' rows keep the fresh initialization, frozen parts do not move,
and what cannot fit fails naming the parameter."""
import json

import pytest
import torch

from seqcore.data import tokenizer_from_state_dict
from tests.conftest import TINY, assert_one_line_error, run_cli

EMBEDDING = "model.frontend.embedding.weight"


@pytest.fixture
def new_data(workdir):
    """Fine-tuning pairs: words of the embedded language and words it never had (zebra, giraffe)."""
    pairs = [("the dog sees the zebra .", "der hund sieht das zebra ."), ("a giraffe walks .", "eine giraffe geht .")]
    path = workdir / "new.jsonl"
    path.write_text("".join(json.dumps({"src": s, "tgt": t}) + "\n" for s, t in pairs * 20))
    return [f"task.{split}={path}" for split in ("train", "valid", "test")]


def train(workdir, name, *overrides):
    run_cli("apps.train", *TINY, *overrides, "test_after_training=false", f"hydra.run.dir={workdir / name}", cwd=workdir)
    return torch.load(workdir / name / "checkpoints" / "last.ckpt", weights_only=True)


def source_vocabulary(checkpoint) -> list[str]:
    tokenizer = tokenizer_from_state_dict(checkpoint["hyper_parameters"]["task_state"]["source_tokenizer"])
    return [tokenizer.piece_of(i) for i in range(tokenizer.vocab_size)]


def test_shared_rows_are_copied_and_new_rows_keep_their_initialization(tiny_checkpoint, workdir, new_data):
    pretrained = torch.load(tiny_checkpoint, weights_only=True)
    # lr 0: the one step changes nothing, so last.ckpt holds the weights as initialised
    started = train(workdir, "tuned", *new_data, "optim.lr=0", "trainer.max_steps=1", f"init_from={tiny_checkpoint}")
    fresh = train(workdir, "fresh", *new_data, "optim.lr=0", "trainer.max_steps=1")
    old_vocabulary, new_vocabulary = source_vocabulary(pretrained), source_vocabulary(started)
    assert {"zebra", "giraffe", "dog"} <= set(new_vocabulary) and "zebra" not in old_vocabulary
    shared = [token for token in new_vocabulary if token in old_vocabulary]
    assert "dog" in shared and len(shared) < len(new_vocabulary)
    for index, token in enumerate(new_vocabulary):
        expected = (pretrained["state_dict"][EMBEDDING][old_vocabulary.index(token)] if token in old_vocabulary
                    else fresh["state_dict"][EMBEDDING][index])
        assert torch.equal(started["state_dict"][EMBEDDING][index], expected), token
    name = next(n for n in pretrained["state_dict"] if n.startswith("model.encoder.") and n.endswith("weight"))
    assert torch.equal(started["state_dict"][name], pretrained["state_dict"][name])
    assert started["global_step"] == 1 and "optimizer_states" in started  # a new run: its own step and optimizer


def test_frozen_parts_stay_bit_identical_while_the_rest_trains(tiny_checkpoint, workdir):
    pretrained = torch.load(tiny_checkpoint, weights_only=True)["state_dict"]
    tuned = train(workdir, "frozen", "trainer.max_steps=3", f"init_from={tiny_checkpoint}",
                  "init_from_freeze=[frontend,encoder]")["state_dict"]
    frozen = [name for name in pretrained if name.startswith(("model.frontend.", "model.encoder."))]
    trained = [name for name in pretrained if name.startswith("model.head.") and pretrained[name].is_floating_point()]
    assert frozen and all(torch.equal(tuned[name], pretrained[name]) for name in frozen)
    assert any(not torch.equal(tuned[name], pretrained[name]) for name in trained)


def test_a_checkpoint_that_does_not_fit_names_the_parameter(tiny_checkpoint, workdir):
    result = run_cli("apps.train", *TINY, "model.dim=32", f"init_from={tiny_checkpoint}",
                     f"hydra.run.dir={workdir / 'run'}", cwd=workdir, check=False)
    assert_one_line_error(result, f"init_from={tiny_checkpoint}: parameter model.", "has shape")


@pytest.mark.parametrize("overrides, fragment", [
    (["init_from={ckpt}", "ckpt_path={ckpt}"], "give one of them"),
    (["init_from_freeze=[encoder]"], "init_from_freeze= needs init_from"),
    (["init_from={ckpt}", "init_from_freeze=[encodr]"], "no parameters under 'encodr'; the model's parts: "),
])
def test_wrong_init_options_fail_in_one_line(tiny_checkpoint, workdir, overrides, fragment):
    overrides = [override.format(ckpt=tiny_checkpoint) for override in overrides]
    result = run_cli("apps.train", *TINY, *overrides, f"hydra.run.dir={workdir / 'run'}", cwd=workdir, check=False)
    assert_one_line_error(result, fragment)


def test_testing_before_training_scores_the_starting_weights_as_seqcore_eval_does(tiny_checkpoint, workdir):
    train(workdir, "tuned", "trainer.max_steps=1", f"init_from={tiny_checkpoint}", "test_before_training=true")
    before = json.loads((workdir / "tuned" / "test_metrics_before_training.json").read_text())
    run_cli("apps.evaluate", f"ckpt={tiny_checkpoint}", "split=test", f"hydra.run.dir={workdir / 'eval'}", cwd=workdir)
    evaluated = json.loads((workdir / "eval" / "metrics.json").read_text())
    assert before["weights"] == str(tiny_checkpoint)
    assert before["test/bleu"] == pytest.approx(evaluated["bleu"], abs=1e-6)
    assert before["test/chrf"] == pytest.approx(evaluated["chrf"], abs=1e-6)
    train(workdir, "fresh", "trainer.max_steps=1", "test_before_training=true")  # no init_from: fresh weights
    fresh = json.loads((workdir / "fresh" / "test_metrics_before_training.json").read_text())
    assert fresh["weights"] == "fresh" and fresh["test/chrf"] != pytest.approx(before["test/chrf"])
