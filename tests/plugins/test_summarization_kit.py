"""The built-in summarization task against the conformance kit: both of its heads (attention, pointer)
train on a tiny embedded news corpus and lower the loss, reload, evaluate, summarize a file of
documents (one per line) in which a line that is not UTF-8 is recorded as failed; data_path= scores a
JSONL file of {"document", "summary"} lines."""
import json

from plugins.summarization import SummarizationTask
from seqcore.testing import check_task_plugin

TINY = ["task.embedded_sizes={train:240,valid:8,test:4}", "model.dim=32", "model.encoder.layers=1",
        "model.decoder.layers=1", "model.encoder.ffn_dim=64", "model.decoder.ffn_dim=64", "data.max_tokens=1500",
        "optim.warmup_steps=5", "threads=1",
        # untrained decoders run to the length cap: a short cap, a small beam
        "search.beam_size=2", "search.max_len_b=12", "search.min_length=1", "search.no_repeat_ngram_size=0"]

DOCUMENTS = [
    {"document": "The city council met on Monday . It voted to build a new bridge over the river . "
                 "Work will start in May and cost 40 million dollars .",
     "summary": "council approves 40 million dollar bridge ."},
    {"document": "Heavy rain flooded the main road in Tarvon on Friday . Nobody was hurt , police said .",
     "summary": "rain floods road in Tarvon ."},
]


def test_summarization_passes_the_plugin_kit(tmp_path):
    articles = tmp_path / "test.jsonl"  # data_path=: JSONL lines of {"document", "summary"}, the usual release format
    articles.write_text("".join(json.dumps(item) + "\n" for item in DOCUMENTS), encoding="utf-8")
    check_task_plugin(SummarizationTask, overrides=TINY, data_path=articles, workdir=tmp_path)
