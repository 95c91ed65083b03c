"""Built-in translation plugin: parallel text / JSONL data, sacreBLEU + chrF, embedded synthetic language."""
from plugins.translation.task import TranslationTask

__all__ = ["TranslationTask"]
