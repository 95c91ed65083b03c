"""`seqcore-plugins new NAME`: write a new, separately installable task plugin package.

The package trains out of the box (a tiny generated data set: dates written as people write them,
normalized to ISO dates) with the attention, pointer and CTC heads, and holds everything a plugin
author edits: the task module, its data generator, its task config and recipe, a README, and a test
calling the conformance kit (`seqcore.testing.check_task_plugin`). The files are the templates
beside this module, rendered with `string.Template` (`$name`, `$package`, ...), so they read as the
files they become.
"""
from __future__ import annotations

import keyword
import re
from pathlib import Path
from string import Template

from seqcore.errors import ConfigError
from seqcore.plugins import discover_plugins

TEMPLATES = Path(__file__).parent / "templates"
FILES = {  # template under TEMPLATES -> the file it becomes in the new package
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "package/__init__.py.tmpl": "{package}/__init__.py",
    "package/task.py.tmpl": "{package}/task.py",
    "package/embedded.py.tmpl": "{package}/embedded.py",
    "package/conf/task.yaml.tmpl": "{package}/conf/task/{name}.yaml",
    "package/conf/experiment.yaml.tmpl": "{package}/conf/experiment/{name}.yaml",
    "tests/test_task.py.tmpl": "tests/test_{name}.py",
}


def plugin_names(name: str) -> dict[str, str]:
    """What the task `name` is called where: package, distribution, class; a name that cannot be a
    task (`task=NAME`) and a Python package name, or that an installed plugin has, is refused."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or keyword.iskeyword(name):
        raise ConfigError(f"plugin name {name!r}: use lowercase letters, digits and _, starting with a letter")
    if name in discover_plugins():
        raise ConfigError(f"plugin name {name!r} is taken by an installed plugin (seqcore-plugins lists them)")
    return {"name": name, "package": f"seqcore_{name}", "distribution": f"seqcore-{name.replace('_', '-')}",
            "class_name": "".join(part.capitalize() for part in name.split("_")) + "Task"}


def new_plugin(name: str, directory: str | Path | None = None) -> Path:
    """Write the package of task `name` into `directory` (default: ./seqcore-<name>), which must be
    new or empty; returns the directory."""
    names = plugin_names(name)
    root = Path(directory or names["distribution"])
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ConfigError(f"{root} exists and is not an empty directory; choose another with --dir")
    for template, target in FILES.items():
        path = root / target.format(**names)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(names),
                        encoding="utf-8")
    return root
