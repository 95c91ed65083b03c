"""Each real-data recipe composes, trains a few steps on its real data and its checkpoint scores a
file given with seqcore-eval data_path= (how the held-aside test splits are run). The data is at
../shared/realdata beside the repository (CI has it too); without it these tests skip, saying so."""
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
# recipe, data folder, tiny-model overrides, what seqcore-eval data_path= gets (relative to the folder)
RECIPES = [
    ("multi30k_de_en", "translation_multi30k",
     ["model.dim=32", "model.encoder.layers=1", "model.decoder.layers=1", "model.encoder.ffn_dim=64",
      "model.decoder.ffn_dim=64", "task.tokenizer_options.vocab_size=800", "search.beam_size=2"],
     "[{d}/valid.de,{d}/valid.en]", "bleu"),
    ("ocr_saint_gall", "ocr_saint_gall", ["model.dim=32"], "{d}/valid.jsonl", "cer"),
    ("text2sql_geoquery", "text2sql_geoquery",
     ["model.dim=32", "model.encoder.ffn_dim=64", "model.decoder.ffn_dim=64", "search.beam_size=2",
      "search.nbest=2", "search.max_len_b=20"], "{d}/dev.jsonl", "exec_acc"),
    ("asr_fsdd", "speech_fsdd", ["model.dim=32", "model.encoder.layers=1", "head.predictor_dim=32", "head.joiner_dim=32"],
     "{d}/train.jsonl", "wer"),
    ("keyboard_spelling", "translation_multi30k", ["model.dim=32"], "{d}/valid.en", "wer"),
]


@pytest.mark.parametrize("recipe, folder, tiny, data_path, metric", RECIPES, ids=[r[0] for r in RECIPES])
def test_a_real_data_recipe_trains_and_its_checkpoint_scores_a_given_file(workdir, recipe, folder, tiny, data_path,
                                                                          metric):
    data_dir = REALDATA / folder
    if not data_dir.is_dir():
        pytest.skip(f"the real data is not at {data_dir} (see the README's 'Results on real data')")
    run_dir = workdir / "run"
    run_cli("apps.train", f"experiment={recipe}", f"data_dir={data_dir}", *tiny, "trainer=debug",
            "trainer.max_steps=2", "test_after_training=false", f"hydra.run.dir={run_dir}", cwd=workdir)
    eval_dir = workdir / "eval"
    run_cli("apps.evaluate", f"ckpt={run_dir / 'checkpoints' / 'last.ckpt'}", "split=test",
            f"data_path={data_path.format(d=data_dir)}", "trainer.limit_test_batches=1",
            f"hydra.run.dir={eval_dir}", cwd=workdir)
    metrics = json.loads((eval_dir / "metrics.json").read_text())
    assert metric in metrics and metrics["split"] == "test"
