"""The embedded databases and questions: deterministic, every gold query runs, test databases unseen."""
import re
import sqlite3

from plugins.text2sql.execute import SafeExecutor
from plugins.text2sql.serialize import detokenize_sql
from plugins.text2sql.synthetic import build_databases, generate_split
from plugins.text2sql.synthetic.domains import DOMAINS, SPLIT_DOMAINS


def dump(path) -> list[str]:
    connection = sqlite3.connect(path)
    lines = list(connection.iterdump())
    connection.close()
    return lines


def test_same_seed_same_databases_and_questions(tmp_path):
    first, second = build_databases(tmp_path / "a", 7), build_databases(tmp_path / "b", 7)
    assert all(dump(first[name]) == dump(second[name]) for name in first)
    questions = [generate_split("test", 50, 7, paths) for paths in (first, second)]
    assert [(q["question"], q["sql"]) for q in questions[0]] == [(q["question"], q["sql"]) for q in questions[1]]
    other = build_databases(tmp_path / "c", 8)
    assert dump(first["company"]) != dump(other["company"])


def test_every_gold_query_runs_and_most_return_rows(tmp_path):
    paths = build_databases(tmp_path, 1234)
    executor = SafeExecutor()
    for split in ("train", "valid", "test"):
        samples = generate_split(split, 400, 1234, paths)
        results = [executor.run(s["db"], detokenize_sql(s["sql"])) for s in samples]
        failed = [(s["sql"], r.error) for s, r in zip(samples, results) if not r.ok]
        assert not failed, failed[:3]
        assert sum(bool(r.rows) for r in results) >= 0.85 * len(results)


def test_questions_cover_every_kind_of_query(tmp_path):
    samples = generate_split("train", 2000, 1234, build_databases(tmp_path, 1234))
    sql = [s["sql"] for s in samples]
    for pattern in (r"^SELECT \w+ FROM \w+$", r" WHERE .* AND ", r" WHERE .* OR ", r" [<>]=? \d+",
                    r"ORDER BY \w+ DESC LIMIT \d", r"COUNT \( \* \)", r"SUM \(", r"AVG \(", r"MIN \(", r"MAX \(",
                    r"GROUP BY .* HAVING", r" JOIN \w+ ON ", r" IN \( SELECT ", r" NOT IN \( SELECT ", r"DISTINCT"):
        assert any(re.search(pattern, q) for q in sql), pattern
    assert len({s["question"] for s in samples}) > 0.7 * len(samples)


def test_valid_and_test_databases_are_unseen_in_training(tmp_path):
    paths = build_databases(tmp_path, 1234)
    assert set(SPLIT_DOMAINS["train"]).isdisjoint(SPLIT_DOMAINS["test"] + SPLIT_DOMAINS["valid"])
    assert set().union(*SPLIT_DOMAINS.values()) == {d.name for d in DOMAINS}
    training_dbs = {s["db"] for s in generate_split("train", 300, 1234, paths)}
    test_dbs = {s["db"] for s in generate_split("test", 300, 1234, paths)}
    assert training_dbs == {str(paths[name]) for name in SPLIT_DOMAINS["train"]}
    assert test_dbs.isdisjoint(training_dbs)
