"""Built-in task plugins (registered under the `seqcore.tasks` entry-point group in pyproject.toml)."""
