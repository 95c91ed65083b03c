"""Built-in summarization plugin: JSONL / CNN-DailyMail .story / Gigaword line files, ROUGE beside
Lead-3 and the novel n-gram rate, an embedded generated news corpus."""
from plugins.summarization.task import SummarizationTask

__all__ = ["SummarizationTask"]
