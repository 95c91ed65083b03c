"""The built-in text-to-SQL task against the conformance kit: both of its heads (attention, pointer)
train on tiny embedded databases and lower the loss, reload, evaluate by running the SQL, and answer
a JSONL batch of {"question", "db"} in which a question about a missing database is recorded as
failed; data_path= scores a Spider-layout dev.json (tables.json and database/<db_id>/<db_id>.sqlite
beside it)."""
import json
import shutil

from plugins.text2sql import Text2SQLTask
from seqcore.testing import check_task_plugin
from tests.plugins.text2sql_fixtures import make_database

TINY = ["task.embedded_sizes={train:400,valid:10,test:6}", "model.dim=32", "model.encoder.layers=1",
        "model.decoder.layers=1", "model.encoder.ffn_dim=64", "model.decoder.ffn_dim=64", "data.max_tokens=2000",
        "optim.warmup_steps=5", "threads=1",
        # untrained decoders run to the length cap: a short cap, a small beam (and n-best for execution guidance)
        "search.beam_size=2", "search.nbest=2", "search.max_len_b=16"]

# tables.json of the company database (tests/plugins/text2sql_fixtures.py), as Spider describes a database
COMPANY_TABLES = {
    "db_id": "company",
    "table_names_original": ["departments", "employees"],
    "table_names": ["departments", "employees"],
    "column_names_original": [[-1, "*"], [0, "id"], [0, "name"], [0, "budget"], [1, "id"], [1, "name"],
                              [1, "salary"], [1, "note"], [1, "dept_id"]],
    "column_names": [[-1, "*"], [0, "id"], [0, "name"], [0, "budget"], [1, "id"], [1, "name"], [1, "salary"],
                     [1, "note"], [1, "dept id"]],
    "column_types": ["text", "number", "text", "number", "number", "text", "number", "others", "number"],
    "primary_keys": [1, 4],
    "foreign_keys": [[8, 1]],
}
DEV = [{"db_id": "company", "question": "How many employees are there?", "query": "SELECT count(*) FROM employees"},
       {"db_id": "company", "question": "What are the names of employees in the Sales department?",
        "query": "SELECT T1.name FROM employees AS T1 JOIN departments AS T2 ON T1.dept_id = T2.id "
                 "WHERE T2.name = 'Sales'"}]


def spider_dev(directory):
    """data_path=: Spider's layout, dev.json beside tables.json and database/<db_id>/<db_id>.sqlite."""
    (directory / "database" / "company").mkdir(parents=True)
    shutil.copy(make_database(directory), directory / "database" / "company" / "company.sqlite")
    (directory / "tables.json").write_text(json.dumps([COMPANY_TABLES]), encoding="utf-8")
    (directory / "dev.json").write_text(json.dumps(DEV), encoding="utf-8")
    return directory / "dev.json"


def questions(samples, directory):
    """seqcore-batch input=: JSONL of {"question", "db"} for the samples, then a question about a
    database that does not exist (the broken item)."""
    items = [{"question": sample["question"], "db": sample["db"]} for sample in samples]
    items.append({"question": "how many rows are there ?", "db": str(directory / "missing.sqlite")})
    path = directory / "questions.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return path


def test_text2sql_passes_the_plugin_kit(tmp_path):
    spider = tmp_path / "spider"
    spider.mkdir()
    check_task_plugin(Text2SQLTask, overrides=[*TINY, f"task.embedded_dir={tmp_path / 'dbs'}"],
                      data_path=spider_dev(spider), batch_input=questions, workdir=tmp_path)
