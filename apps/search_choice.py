"""Which search a CLI that loads a checkpoint runs: the checkpoint's own unless told otherwise.

`search=from_checkpoint` (the default of seqcore-eval and seqcore-batch) keeps the search the
model was trained and tested with (a CTC model's CTC search, a sorting model's pointer
search) and replaces only the keys set on the command line; a named search (`search=greedy`)
replaces it whole.
"""
from __future__ import annotations

import inspect

from hydra.utils import get_method
from omegaconf import DictConfig, OmegaConf

from seqcore.errors import ConfigError


def chosen_search(checkpoint_search: DictConfig, requested: DictConfig) -> DictConfig:
    if "_target_" in requested:
        return requested
    changes = {key: value for key, value in requested.items() if value is not None}
    parameters = inspect.signature(get_method(checkpoint_search._target_)).parameters
    unknown = sorted(key for key in changes if key not in parameters)
    if unknown:
        raise ConfigError(f"search.{unknown[0]} does not apply to the checkpoint's search "
                          f"{checkpoint_search._target_}; name a search instead, e.g. search=beam")
    return OmegaConf.merge(checkpoint_search, changes)
