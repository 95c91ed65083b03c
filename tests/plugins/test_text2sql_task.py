"""Text2SQLTask: slots for unseen words, copy ids, execution-guided choice, scoring, batch inputs
and outputs, bad input; and one tiny end-to-end run of the CLIs."""
import json

import pytest

from plugins.text2sql import Text2SQLTask
from seqcore.data import UNK_ID
from seqcore.errors import DataError
from seqcore.search.common import Hypothesis
from tests.conftest import run_cli
from tests.plugins.text2sql_fixtures import make_database

TRAIN = [("how many employees are there ?", "SELECT COUNT(*) FROM employees"),
         ("show the name of employees whose salary is above 4000 .", "SELECT name FROM employees WHERE salary > 4000"),
         ("show the name of all departments .", "SELECT name FROM departments"),
         ("show the salary of employees whose name is Alice .", "SELECT salary FROM employees WHERE name = 'Alice'")]


@pytest.fixture
def task(tmp_path):
    database = make_database(tmp_path)
    lines = [json.dumps({"question": q, "sql": s, "db": database.name}) for q, s in TRAIN]
    (tmp_path / "train.jsonl").write_text("\n".join(lines) + "\n")
    task = Text2SQLTask(train=str(tmp_path / "train.jsonl"), copy_extras=True, slots=8)
    task.fit(task.load_split("train"))
    return task


def ids_of(task, sql_text, sample):
    extended = {p: task.target_vocab_size + j for j, p in enumerate(task.oov_pieces(sample))}
    return [extended.get(p, task.target_tokenizer.id_of(p)) for p in sql_text.split()]


def test_unseen_words_read_as_slots_the_same_word_the_same_slot(task, tmp_path):
    sample = task.prepare({"question": "show the budget of departments named Research", "db": str(tmp_path / "company.sqlite")})
    pieces = sample["source"].split()
    ids = task.encode_source(sample).tolist()
    slot = {p: i for p, i in zip(pieces, ids)}
    assert slot["named"] == task.source_tokenizer.id_of("<slot0>")  # the first unseen word
    assert [i for p, i in zip(pieces, ids) if p == "Research"] == [task.source_tokenizer.id_of("<slot1>")] * 2
    known = {p for p in pieces if p not in ("named", "Research")}
    assert all(slot[p] == task.source_tokenizer.id_of(p) != UNK_ID for p in known)  # budget is in the schema


def test_training_hides_copyable_words_in_source_and_target(task):
    sample = task.load_split("train")[1]
    hidden = {**sample, "masked": ["salary"], "slot_order": list(range(8))[::-1]}
    source = task.encode_source(hidden).tolist()
    assert source[sample["source"].split().index("salary")] == task.source_tokenizer.id_of("<slot7>")
    target = task.encode_target(hidden).tolist()
    position = sample["target"].split().index("salary")
    assert target[position] == UNK_ID
    copy_ids = task.encode_extras(hidden)["target_copy_ids"].tolist()
    assert copy_ids[position] == task.target_vocab_size + task.oov_pieces(hidden).index("salary")
    assert task.encode_extras(sample)["target_copy_ids"][position] == task.target_tokenizer.id_of("salary")
    varied = [task.training_sample(sample, epoch, 1)["masked"] for epoch in range(6)]
    assert varied == [task.training_sample(sample, epoch, 1)["masked"] for epoch in range(6)]  # reproducible
    assert len({tuple(m) for m in varied}) > 1


def test_postprocess_copies_unseen_words_into_runnable_sql(task, tmp_path):
    sample = task.prepare({"question": "show the budget of departments named Research", "db": str(tmp_path / "company.sqlite")})
    tokens = ids_of(task, "SELECT budget FROM departments WHERE name = ' Research '", sample)
    assert task.postprocess(tokens, sample) == "SELECT budget FROM departments WHERE name = 'Research'"


def test_execution_guided_choice_and_scores(task, tmp_path):
    gold = task.prepare({"question": "show the name of all departments .", "sql": "SELECT name FROM departments",
                         "db": str(tmp_path / "company.sqlite")})
    broken = Hypothesis(ids_of(task, "SELECT name FROM", gold), -0.1, -0.1)
    wrong = Hypothesis(ids_of(task, "SELECT name FROM employees", gold), -0.2, -0.2)
    right = Hypothesis(ids_of(task, "SELECT name FROM departments", gold), -0.3, -0.3)
    assert task.guided([broken, right], gold)[0] == "SELECT name FROM departments"
    assert task.guided([broken], gold)[0] == "SELECT name FROM"  # none runs: the best one
    best = ["SELECT name FROM", "SELECT name FROM departments"]
    plain = task.evaluate(best, [gold["sql"]] * 2, [gold, gold])
    assert plain == {"exec_acc": 50.0, "valid_sql": 50.0, "exact_match": 50.0}
    guided = task.evaluate(best, [gold["sql"]] * 2, [gold, gold], [[broken, right], [wrong, right]])
    assert guided == {**plain, "exec_acc_eg": 50.0, "valid_sql_eg": 100.0, "exact_match_eg": 50.0}


def test_guided_nonempty_skips_empty_results(task, tmp_path):
    sample = task.prepare({"question": "salary above 9000 or 4000", "db": str(tmp_path / "company.sqlite")})
    empty = Hypothesis(ids_of(task, "SELECT name FROM employees WHERE salary > 9000", sample), -0.1, -0.1)
    some = Hypothesis(ids_of(task, "SELECT name FROM employees WHERE salary > 4000", sample), -0.2, -0.2)
    assert task.guided([empty, some], sample)[0].endswith("> 9000")
    task.guided_nonempty = True
    assert task.guided([empty, some], sample)[0].endswith("> 4000")


def test_batch_inputs_report_bad_items_clearly(task, tmp_path):
    database = tmp_path / "company.sqlite"
    (tmp_path / "notes.txt").write_text("hello")
    lines = [{"question": "how many employees are there ?", "db": str(database), "rows": True},
             {"question": "   ", "db": str(database)},
             {"question": "q", "db": str(tmp_path / "missing.sqlite")},
             {"question": "q", "db": str(tmp_path / "notes.txt")},
             {"question": "q"},
             {"question": "show the hire_date of employees", "db": str(database)}]
    (tmp_path / "in.jsonl").write_text("\n".join(map(json.dumps, lines)) + "\n")
    items = list(task.read_inputs(str(tmp_path / "in.jsonl")))
    assert "error" not in items[0] and items[0]["source"].startswith("how many employees are there ? |")
    assert items[1]["error"] == "item 2: empty question"
    assert items[2]["error"].startswith("item 3: database not found:")
    assert items[3]["error"].startswith("item 4: not an SQLite database:")
    assert items[4]["error"] == 'item 5: no string field "db" (the SQLite database path)'
    assert items[5]["warning"].startswith("question mentions hire_date, not a column or table")
    with pytest.raises(DataError, match="must be JSONL"):
        list(task.read_inputs(str(tmp_path / "notes.txt")))
    count = Hypothesis(ids_of(task, "SELECT COUNT ( * ) FROM employees", items[0]), -0.1, -0.1)
    record = task.write_output(items[0], [count], 1, tmp_path)
    assert record == {"output": "SELECT COUNT ( * ) FROM employees", "score": -0.1, "valid": True, "rows": [[3]]}
    broken = task.write_output(items[5], [Hypothesis(ids_of(task, "SELECT FROM", items[5]), -1.0, -1.0)], 1, tmp_path)
    assert not broken["valid"] and "syntax error" in broken["execution_error"] and "warning" in broken


def test_training_data_with_a_missing_database_names_file_and_line(tmp_path):
    make_database(tmp_path)
    (tmp_path / "t.jsonl").write_text('{"question": "q", "sql": "SELECT 1", "db": "company.sqlite"}\n'
                                      '{"question": "q", "sql": "SELECT 1", "db": "nope.sqlite"}\n')
    with pytest.raises(DataError, match=r"t.jsonl:2: database not found: .*nope.sqlite"):
        Text2SQLTask(train=str(tmp_path / "t.jsonl")).load_split("train")


def test_tiny_train_evaluate_and_batch_run(workdir, tmp_path):
    common = [f"task.embedded_dir={tmp_path / 'dbs'}", "task.embedded_sizes={train:400,valid:20,test:20}"]
    tiny = ["model.dim=64", "model.encoder.layers=1", "model.decoder.layers=1", "model.encoder.ffn_dim=128",
            "model.decoder.ffn_dim=128", "trainer=debug", "trainer.max_steps=8", "search.beam_size=3",
            "search.nbest=3", "optim.warmup_steps=5", "hydra.run.dir=run"]
    result = run_cli("apps.train", "task=text2sql", *common, *tiny, cwd=workdir)
    assert "exec_acc_eg=" in result.stdout and "exact_match=" in result.stdout
    ckpt = workdir / "run" / "checkpoints" / "last.ckpt"
    inputs = workdir / "q.jsonl"
    inputs.write_text(json.dumps({"question": "how many flights are there ?",
                                  "db": str(tmp_path / "dbs" / "flights.sqlite")}) + "\n")
    run_cli("apps.batch", f"ckpt={ckpt}", f"input={inputs}", "output=out.jsonl", "hydra.run.dir=b", cwd=workdir)
    [record] = [json.loads(line) for line in (workdir / "out.jsonl").read_text().splitlines()]
    assert record["id"] == 1 and isinstance(record["output"], str) and isinstance(record["valid"], bool)
