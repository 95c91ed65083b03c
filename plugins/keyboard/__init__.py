"""Built-in keyboard plugin: character-level typo correction and word completion for on-device use."""
from plugins.keyboard.task import KeyboardTask

__all__ = ["KeyboardTask"]
