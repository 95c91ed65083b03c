"""Checking option values before work starts: a wrong number fails in one line, not after training.

Searches are partials that see their options only when they decode (at validation or test
time), data budgets only when the first batch is drawn, a seed only when it is set.
seqcore-train calls these checks first, so `search.beam_size=-1` fails before any data is
read or any step is trained, with an error that names the key and its value; seqcore-eval
and seqcore-batch check their data and job options before the checkpoint loads, and the
search once the command line's keys are merged into the checkpoint's. Each rule is about
the value alone (or keys of the same block: nbest <= beam_size); whether a search can
decode the chosen head is another question, answered by `seqcore.search.common.check_search`.

A key that is absent or None is not checked: a block holds only the keys its search
takes, and `search=from_checkpoint` leaves unset what the checkpoint decides.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from dataclasses import dataclass

from seqcore.errors import ConfigError

SEED_LIMIT = 2 ** 32  # numpy's seeds (and so Lightning's seed_everything): 0 <= seed < 2**32


@dataclass(frozen=True)
class _Range:
    """What a value must be: an integer or a finite number, within the bounds that are set."""
    integer: bool = False
    at_least: float | None = None
    above: float | None = None
    at_most: float | None = None
    below: float | None = None

    def check(self, key: str, value) -> None:
        if self.integer and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{key}={value!r} must be an integer")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ConfigError(f"{key}={value!r} must be a finite number")
        for bound, fails, words in ((self.at_least, operator.lt, "at least"), (self.above, operator.le, "above"),
                                    (self.at_most, operator.gt, "at most"), (self.below, operator.ge, "below")):
            if bound is not None and fails(value, bound):
                raise ConfigError(f"{key}={value} must be {words} {bound}")


_COUNT = _Range(integer=True, at_least=1)
_NON_NEGATIVE_INT = _Range(integer=True, at_least=0)
_NUMBER = _Range()
_SEED = _Range(integer=True, at_least=0, below=SEED_LIMIT)

# The options of the searches in seqcore/search/ by name; a name means the same in every search.
SEARCH_OPTIONS = {
    "beam_size": _COUNT,
    "nbest": _COUNT,
    "max_len_a": _Range(at_least=0),  # output cap: max_len_a * source length + max_len_b
    "max_len_b": _NON_NEGATIVE_INT,
    "min_length": _NON_NEGATIVE_INT,
    "length_penalty": _NUMBER,
    "ctc_weight": _Range(at_least=0, at_most=1),
    "pre_beam_ratio": _Range(at_least=1),  # the pre-beam holds at least beam_size tokens
    "length_bonus": _NUMBER,
    "no_repeat_ngram_size": _NON_NEGATIVE_INT,
    "groups": _COUNT,
    "diversity_strength": _Range(at_least=0),
    "coverage_penalty": _Range(at_least=0),
    "prune_threshold": _Range(at_most=0),  # a log-probability: above 0 would prune every token
    "max_symbols_per_frame": _COUNT,
    "stop_threshold": _Range(above=0, below=1),  # a probability the stop token must pass
    "attention_window": _NON_NEGATIVE_INT,
    "top_k": _NON_NEGATIVE_INT,
    "top_p": _Range(above=0, at_most=1),
    "temperature": _Range(above=0),
    "num_samples": _COUNT,
    "seed": _SEED,
}

# conf/config.yaml's data block (seqcore-eval's holds eval_max_tokens only)
DATA_OPTIONS = {
    "max_tokens": _COUNT,
    "eval_max_tokens": _COUNT,
    "max_source_length": _COUNT,
    "max_target_length": _COUNT,
    "num_workers": _NON_NEGATIVE_INT,
}

# conf/config.yaml's checkpoint block
CHECKPOINT_OPTIONS = {
    "every_n_steps": _COUNT,
    "keep_every_n_steps": _COUNT,
    "save_top_k": _Range(integer=True, at_least=-1),  # -1 keeps every best-<step>.ckpt, 0 none
}

# conf/batch.yaml's job settings
BATCH_OPTIONS = {
    "nbest": _COUNT,
    "window": _COUNT,
    "max_tokens": _COUNT,
    "num_workers": _NON_NEGATIVE_INT,
    "log_every_s": _Range(above=0),
}


def check_search_options(search: Mapping, key: str = "search") -> None:
    """The values of one search block (`search`, `validation.search`, or a partial's keywords)."""
    values = _check_block(search, SEARCH_OPTIONS, f"{key}.")
    beam_size, nbest, groups = values.get("beam_size"), values.get("nbest"), values.get("groups")
    if beam_size is not None and nbest is not None and nbest > beam_size:
        raise ConfigError(f"{key}.nbest={nbest} cannot exceed {key}.beam_size={beam_size}")
    if beam_size is not None and groups is not None and beam_size % groups:
        raise ConfigError(f"{key}.groups={groups} must divide {key}.beam_size={beam_size}")
    if values.get("max_len_a") == 0 and values.get("max_len_b") == 0:
        raise ConfigError(f"{key}.max_len_a={values['max_len_a']} and {key}.max_len_b=0 cap every output at "
                          f"max_len_a * source length + max_len_b = 0: raise one of them")


def check_data_options(data: Mapping, key: str = "data") -> None:
    """Token budgets, length limits and loader workers of a `data` block."""
    _check_block(data, DATA_OPTIONS, f"{key}.")


def check_seed(seed, key: str = "seed") -> None:
    """An integer numpy, torch and Lightning all accept."""
    _SEED.check(key, seed)


def check_batch_options(settings: Mapping) -> None:
    """seqcore-batch's job settings (window, max_tokens, nbest, ...): before the checkpoint is loaded."""
    _check_block(settings, BATCH_OPTIONS, "")


def check_training_options(cfg: Mapping) -> None:
    """Everything of a training config whose value alone can be wrong: seed, steps, data, checkpoint
    intervals, both searches."""
    check_seed(cfg["seed"])
    if cfg.get("init_from") and cfg.get("ckpt_path"):
        raise ConfigError("init_from= starts a new run from a checkpoint's weights and ckpt_path= resumes one: "
                          "give one of them")
    if cfg.get("init_from_freeze") and not cfg.get("init_from"):
        raise ConfigError("init_from_freeze= needs init_from=<checkpoint>")
    trainer = cfg["trainer"]
    if trainer["max_steps"] == 0 or (trainer["max_steps"] == -1 and trainer.get("max_epochs") in (0, -1, None)):
        raise ConfigError(f"trainer.max_steps={trainer['max_steps']} (max_epochs={trainer.get('max_epochs')}) trains "
                          f"nothing; to score a checkpoint use seqcore-eval ckpt=...")
    check_data_options(cfg["data"])
    _check_block(cfg["checkpoint"], CHECKPOINT_OPTIONS, "checkpoint.")
    check_search_options(cfg["search"], "search")
    validation = cfg.get("validation") or {}
    if validation.get("search") is not None:
        check_search_options(validation["search"], "validation.search")


def _check_block(block: Mapping, rules: dict, prefix: str) -> dict:
    """Check the keys of `block` that have a rule and a value; return those values."""
    values = {name: block[name] for name in rules if name in block and block[name] is not None}
    for name, value in values.items():
        rules[name].check(prefix + name, value)
    return values
