"""Errors the CLIs turn into one clear line (no traceback): bad config, bad data, bad paths."""


class SeqcoreError(Exception):
    """Base class: the message alone must tell the user what to fix."""


class ConfigError(SeqcoreError):
    """A config key is unknown or its value is invalid; the message names the key."""


class DataError(SeqcoreError):
    """An input file or item is missing or malformed; the message names the file and line/item."""
