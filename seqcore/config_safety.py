"""A checkpoint's config is data, not code: which `_target_`s may be built from it.

Hydra's `instantiate` calls whatever `_target_` names, so a crafted checkpoint whose config says
`task._target_: shutil.copyfile` would run that function with the config's arguments. Before
anything is built from a checkpoint, every `_target_` in its config is checked here. Allowed:
- classes of seqcore's own code (`seqcore.*`) or of an installed task plugin's package (and the
  built-in `plugins.*`) that are model parts (`torch.nn.Module`) or tasks (`TaskPlugin`);
- the searches seqcore exports (`seqcore.search.SEARCHES`);
- under `trainer`, `logger`, `optim` and `callbacks` only (recorded for the reader, never built
  from a checkpoint): `pytorch_lightning.Trainer`, the loggers in `pytorch_lightning.loggers`,
  `torch.optim` optimizers, Lightning's callbacks and seqcore's `LastCheckpoint`.
Modules outside those packages are never imported to find out. Configs typed on the command line
do not pass through here: they keep Hydra's full freedom.
"""
from __future__ import annotations

import importlib
import inspect
from typing import Any, Iterator

from torch import nn

from seqcore.errors import DataError
from seqcore.plugins import TaskPlugin, discover_plugins
from seqcore.search import SEARCHES

RECORDED_ONLY = {"trainer": ("pytorch_lightning.Trainer",), "logger": ("pytorch_lightning.loggers.",),
                 "optim": ("torch.optim.",),
                 "callbacks": ("pytorch_lightning.callbacks.", "seqcore.checkpoint_writing.LastCheckpoint")}


def targets(config: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(dotted key, target) of every `_target_` in a nested config of dicts and lists."""
    if isinstance(config, dict):
        for name, value in config.items():
            if name == "_target_":
                yield key or "<root>", value
            else:
                yield from targets(value, f"{key}.{name}" if key else str(name))
    elif isinstance(config, (list, tuple)):
        for index, value in enumerate(config):
            yield from targets(value, f"{key}[{index}]")


def check_checkpoint_config(config: dict, source: str) -> None:
    """Raise a DataError naming the first key whose `_target_` may not be built from a checkpoint."""
    packages = _component_packages()
    for key, target in targets(config):
        if not (isinstance(target, str) and _allowed(key, target, packages)):
            raise DataError(f"{source}: refusing {key}._target_={target!r}: a checkpoint may only name seqcore "
                            f"components and installed task plugins' (its config is data, never run as code)")


def _allowed(key: str, target: str, packages: tuple[str, ...]) -> bool:
    section = key.split(".", 1)[0].split("[", 1)[0]
    if any(target == allowed or (allowed.endswith(".") and target.startswith(allowed))
           for allowed in RECORDED_ONLY.get(section, ())):
        return True
    if not target.startswith(tuple(f"{package}." for package in packages)):
        return False
    component = _resolve(target)
    if inspect.isclass(component):
        return issubclass(component, (nn.Module, TaskPlugin))
    return inspect.isfunction(component) and component in SEARCHES


def _resolve(target: str) -> Any:
    """The object a dotted path names inside an allowed package, or None."""
    module_name, _, attribute = target.rpartition(".")
    while module_name:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module_name, _, parent = module_name.rpartition(".")
            attribute = f"{parent}.{attribute}"
            continue
        value: Any = module
        for part in attribute.split("."):
            value = getattr(value, part, None)
        return value
    return None


def _component_packages() -> tuple[str, ...]:
    """Top-level packages whose classes may be built: seqcore, the built-in plugins, installed plugins."""
    packages = {"seqcore", "plugins"}
    packages.update(entry.value.split(":")[0].split(".")[0] for entry in discover_plugins().values())
    return tuple(sorted(packages))

