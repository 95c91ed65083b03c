"""The TaskPlugin contract and the discovery of task plugins.

A task plugin turns its field's files into `Example`s, owns its tokenizers/featurizers
(saved in every checkpoint through `state_dict`), turns model output back into text and
scores it. Built-in and third-party plugins are found the same way: through the
`seqcore.tasks` entry-point group (name = task name, value = the TaskPlugin subclass).
A third-party plugin ships its Hydra config as `<config_dir>/task/<name>.yaml`; the CLIs
add every plugin's `config_dir` to Hydra's search path, so `task=<name>` just works
(we avoid Hydra's `hydra_plugins` namespace discovery, which breaks with editable installs).
"""
from __future__ import annotations

import inspect
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator, Sequence

import torch

from seqcore.errors import ConfigError
from seqcore.search.common import Hypothesis

ENTRY_POINT_GROUP = "seqcore.tasks"
SPLITS = ("train", "valid", "test")


class TaskPlugin:
    """Base class of every task. Subclasses set the class attributes and implement the methods."""

    name: ClassVar[str]
    supported_heads: ClassVar[tuple[str, ...]] = ("attention",)
    main_metric: ClassVar[str]  # key of `metrics()` used to pick the best checkpoint
    metric_mode: ClassVar[str] = "max"
    # where each split's data comes from ({"train": ..., "valid": ..., "test": ...}, None = the embedded
    # default); set from the task config, and `seqcore-eval data_path=` replaces one entry
    paths: dict[str, Any]

    # -- data ------------------------------------------------------------------------------
    def split_path(self, split: str) -> Any:
        """Where `split` comes from (its entry of `paths`; None = the embedded data), once its name is checked."""
        if split not in SPLITS:
            raise ConfigError(f"unknown split {split!r}; splits: {', '.join(SPLITS)}")
        return self.paths[split]

    def load_split(self, split: str) -> list[dict]:
        """Samples of a split ("train" | "valid" | "test"): dicts with at least "source" and "target"."""
        raise NotImplementedError

    def fit(self, train_samples: Sequence[dict]) -> None:
        """Build tokenizers/featurizers from the training split."""
        raise NotImplementedError

    def encode_source(self, sample: dict) -> torch.Tensor:
        raise NotImplementedError

    def encode_target(self, sample: dict) -> torch.Tensor:
        raise NotImplementedError

    def encode_extras(self, sample: dict) -> dict[str, torch.Tensor]:
        """Extra per-example tensors some heads need (e.g. copy ids for a pointer-generator)."""
        return {}

    def reference(self, sample: dict) -> str:
        """The text a prediction of this sample is scored against."""
        return sample["target"]

    # set by a task whose `training_sample` changes samples (fresh noise every epoch): the data
    # module then encodes its training examples on the fly instead of once
    augments_training: ClassVar[bool] = False

    def training_sample(self, sample: dict, epoch: int, index: int) -> dict:
        """What training sees of training sample number `index` in `epoch`: by default the sample
        itself. A task with `augments_training` returns a new sample made from it, a function
        of (sample, epoch, index) alone so that every DDP rank and dataloader worker agrees."""
        return sample

    # -- model sizes -----------------------------------------------------------------------
    def frontend_args(self) -> dict:
        """Runtime arguments of the frontend (e.g. {"vocab_size": ...})."""
        raise NotImplementedError

    @property
    def target_vocab_size(self) -> int:
        raise NotImplementedError

    def vocabularies(self) -> dict[str, Any]:
        """The tokenizers whose ids index the model's embedding and output rows, by side ("source",
        "target"): what `init_from=` needs to carry rows over to a new vocabulary. By default
        none (then a checkpoint's rows are copied only where the shapes match)."""
        return {}

    # -- outputs ---------------------------------------------------------------------------
    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        """Model output -> text; `sample` is the input it came from (copied words, positions)."""
        raise NotImplementedError

    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        raise NotImplementedError

    def evaluate(self, hypotheses: Sequence[str], references: Sequence[str], samples: Sequence[dict],
                 nbest: Sequence[Sequence[Hypothesis]] = ()) -> dict[str, float]:
        """The metrics of a decoded split: validation, test and seqcore-eval log what this returns.
        `hypotheses` are the best outputs, postprocessed; `samples` the inputs; `nbest` each
        sample's hypotheses, best first. By default `metrics(hypotheses, references)`. A task whose
        evaluation reads more overrides this one hook: the inputs (a corrector's identity baseline,
        summarization's Lead-3), the n-best list (text-to-SQL's execution-guided choice) or the
        hypotheses' frames (TTS)."""
        return self.metrics(hypotheses, references)

    def save_examples(self, model, samples: Sequence[dict], nbest: Sequence[Sequence[Hypothesis]],
                      directory: Path) -> list[Path]:
        """Files that show a few decoded samples (seqcore-eval passes its first `samples` outputs):
        by default none. A task whose outputs people look at or listen to (a PNG sheet of text lines
        with attention maps, wav files and spectrograms) writes them under `directory`, creating
        it, and returns their paths; `model` is the Seq2Seq, in eval mode, for anything extra to
        compute (an attention map)."""
        return []

    # -- batch jobs (seqcore-batch) -----------------------------------------------------------
    def read_inputs(self, path: str) -> Iterator[dict]:
        """Lazily read a batch job's inputs from a user's path: a text file, a folder or glob of
        files, a JSONL manifest, as the task defines. Each item is a sample without "target" plus
        "id" (what the output calls it: a manifest id, a line number, a file name) and "input" (a
        short reference to it: the text, or the file path). An item that cannot be read gets
        "error": reason instead of raising, so one bad item never stops a job; a missing path or
        unreadable file as a whole raises DataError. Featurizing (decoding an image, an audio
        file) belongs in `encode_source`, which the runner calls per item and whose errors it
        records per item too."""
        raise NotImplementedError

    def write_output(self, sample: dict, hypotheses: Sequence[Hypothesis], nbest: int, files_dir: Path) -> dict:
        """Fields of one decoded item's output record. By default "output" (the best hypothesis,
        postprocessed) and "score", plus with `nbest` > 1 an "nbest" list of {"output", "score"}.
        A task whose output is a file (audio) writes it under `files_dir` (create it when needed)
        and returns its path as "output"."""
        best = hypotheses[0]
        record = {"output": self.postprocess(best.tokens, sample), "score": round(float(best.score), 4)}
        if nbest > 1:
            record["nbest"] = [{"output": self.postprocess(h.tokens, sample), "score": round(float(h.score), 4)}
                               for h in hypotheses[:nbest]]
        return record

    # -- persistence -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Primitives only (a checkpoint must load with `torch.load(weights_only=True)`)."""
        raise NotImplementedError

    def load_state_dict(self, state: dict[str, Any]) -> None:
        raise NotImplementedError

    @classmethod
    def config_dir(cls) -> str | None:
        """Directory holding `task/<name>.yaml` for Hydra: by default a `conf/` folder beside the
        plugin's module (third-party packages ship one); None when absent (built-ins use conf/)."""
        directory = Path(inspect.getfile(cls)).parent / "conf"
        return str(directory) if directory.is_dir() else None


def embedded_corpus(generate: Callable[..., dict], seed: int, sizes: dict | None, **options) -> dict:
    """`generate(seed, sizes or None, **options)`: a task's embedded corpus (split -> items), made
    once per process for those arguments, whichever split asks first (the data module, seqcore-eval
    and the kit load splits repeatedly; generating is seconds of work)."""
    return _generated(generate, seed, tuple(sorted((sizes or {}).items())), tuple(sorted(options.items())))


@lru_cache(maxsize=8)
def _generated(generate: Callable[..., dict], seed: int, sizes: tuple, options: tuple) -> dict:
    return generate(seed, dict(sizes) or None, **dict(options))


class TokenOutputs:
    """Mixin of a task whose outputs are tokens of one tokenizer (`self.tokenizer`, built by `fit`)
    of the samples' "target" text: target ids, the output layer's size and an output's text come
    from it. (A task of frames uses `FrameOutputs` instead.)"""

    tokenizer: Any

    def encode_target(self, sample: dict) -> torch.Tensor:
        return torch.tensor(self.tokenizer.encode(sample["target"]), dtype=torch.long)

    @property
    def target_vocab_size(self) -> int:
        return self.tokenizer.vocab_size

    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        return self.tokenizer.decode(tokens)


class FrameOutputs:
    """Mixin of a task whose outputs are frames of numbers (TTS: mel spectrogram bands), not tokens.
    There is no output vocabulary (the frames head takes its frame size from config: `head.frame_dim`)
    and no text per hypothesis, so what such a task implements besides its data is what it means:
    `encode_target` (the frames [T, frame_dim]), `evaluate` (scores read from each hypothesis'
    `frames` in `nbest`; its `hypotheses` are empty strings) and `write_output` (a batch job's files,
    e.g. one wav per item)."""

    target_vocab_size = None  # no vocabulary: a head that asks for `vocab_size` cannot be built for frames

    def postprocess(self, tokens: Sequence[int], sample: dict) -> str:
        """No text: the output is the hypothesis' frames (seqcore-eval's outputs.jsonl shows "")."""
        return ""

    def metrics(self, hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
        raise TypeError(f"{type(self).__qualname__} has frame outputs: its evaluate() reads the frames, not texts")


def discover_plugins() -> dict[str, Any]:
    """Entry points of all installed task plugins, by task name (loaded lazily)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_plugins() -> tuple[dict[str, type[TaskPlugin]], dict[str, str]]:
    """The plugins that import, by task name, and a one-line reason for each that does not
    (package, entry point, error): one broken package must not break every command."""
    loaded, broken = {}, {}
    for name, entry in discover_plugins().items():
        try:
            loaded[name] = entry.load()
        except Exception as error:  # an installed package's import may raise anything
            package = entry.dist.name if entry.dist else "?"
            broken[name] = (f"plugin {name!r} (package {package}, entry point {entry.value}) failed to import: "
                            f"{type(error).__name__}: {error}")
    return loaded, broken


def plugin_config_dirs(plugins: dict[str, type[TaskPlugin]]) -> list[str]:
    """Config directories contributed by installed third-party plugins."""
    directories = []
    for plugin in plugins.values():
        directory = plugin.config_dir()
        if directory:
            directories.append(str(Path(directory).resolve()))
    return directories


def check_head(task: type[TaskPlugin] | TaskPlugin, head_name: str) -> None:
    """Fail before building anything when the task (class or instance) cannot use the chosen head."""
    if head_name not in task.supported_heads:
        raise ConfigError(f"head={head_name} is not supported by task={task.name}; "
                          f"supported heads: {', '.join(task.supported_heads)}")
