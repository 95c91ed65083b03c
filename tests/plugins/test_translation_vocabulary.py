"""Translation vocabularies: one tokenizer shared by source and target (task.shared_vocabulary), its
task state round trip, and the README's sentencepiece override, composed and trained by the CLI."""
import torch

from plugins.translation.task import TranslationTask
from seqcore.checkpoint import load_module
from tests.conftest import TINY, run_cli

SAMPLES = [{"source": "Berlin ist gross", "target": "Berlin is big"},
           {"source": "Paris ist klein", "target": "Paris is small"}]


def test_a_shared_vocabulary_counts_both_sides_and_gives_a_word_one_id():
    # min_freq 2 over both sides: Berlin 2, Paris 2, is 2, ist 2 (the rest once), ordered by count then
    # alphabetically after the 4 special ids: Berlin 4, Paris 5, is 6, ist 7; anything else is UNK (3).
    shared = TranslationTask(shared_vocabulary=True, tokenizer_options={"min_freq": 2})
    shared.fit(SAMPLES)
    assert shared.encode_source({"source": "Berlin ist klein"}).tolist() == [4, 7, 3]
    assert shared.encode_target({"target": "Berlin is small"}).tolist() == [4, 6, 3]
    assert shared.encode_source({"source": "is"}).tolist() == [6]  # a target word, known on the source side
    assert shared.frontend_args()["vocab_size"] == shared.target_vocab_size == 8
    # separate vocabularies count each side alone: the names occur once per side and are unknown
    separate = TranslationTask(tokenizer_options={"min_freq": 2})
    separate.fit(SAMPLES)
    assert separate.encode_source({"source": "Berlin ist"}).tolist() == [3, 4]


def test_the_shared_tokenizer_is_saved_once_and_older_states_still_load():
    shared = TranslationTask(shared_vocabulary=True)
    shared.fit(SAMPLES)
    state = shared.state_dict()
    assert list(state) == ["shared_tokenizer"]
    restored = TranslationTask()  # the state decides, not the config
    restored.load_state_dict(state)
    assert restored.source_tokenizer is restored.target_tokenizer
    same_text = {"source": "Paris ist", "target": "Paris ist"}
    assert restored.encode_target(same_text).tolist() == shared.encode_source(same_text).tolist()

    separate = TranslationTask()
    separate.fit(SAMPLES)
    older = separate.state_dict()  # what checkpoints before the option hold
    assert set(older) == {"source_tokenizer", "target_tokenizer"}
    loaded = TranslationTask(shared_vocabulary=True)
    loaded.load_state_dict(older)
    assert loaded.source_tokenizer is not loaded.target_tokenizer
    assert loaded.encode_source({"source": "ist"}).tolist() == separate.encode_source({"source": "ist"}).tolist()


def test_the_readme_sentencepiece_override_trains_with_a_shared_vocabulary(workdir):
    # README "Bring your own data": task.tokenizer=sentencepiece task.tokenizer_options='{model_type: bpe, ...}'
    run_cli("apps.train", *TINY, "task.tokenizer=sentencepiece",
            "task.tokenizer_options={model_type: bpe, vocab_size: 8000}", "task.shared_vocabulary=true",
            "trainer.max_steps=3", "test_after_training=false", f"hydra.run.dir={workdir / 'run'}", cwd=workdir)
    last = workdir / "run" / "checkpoints" / "last.ckpt"
    state = torch.load(last, weights_only=True)["hyper_parameters"]["task_state"]
    assert list(state) == ["shared_tokenizer"] and state["shared_tokenizer"]["kind"] == "sentencepiece"
    task = load_module(str(last)).task
    assert task.source_tokenizer is task.target_tokenizer
