"""Built-in sorting plugin: sort numbers by pointing at their positions (pointer network head)."""
from plugins.sorting.task import SortingTask

__all__ = ["SortingTask"]
