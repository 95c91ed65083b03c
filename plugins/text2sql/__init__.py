"""Built-in text-to-SQL plugin: questions about SQLite databases to SQL, scored by safe execution."""
from plugins.text2sql.task import Text2SQLTask

__all__ = ["Text2SQLTask"]
