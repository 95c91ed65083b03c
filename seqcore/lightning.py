"""Lightning wiring: a LightningModule around Seq2Seq + task, and a DataModule around a task.

The module's hyperparameters are the resolved config and the task state (tokenizers), both
primitives, so a checkpoint rebuilds the whole model on its own and loads with
`weights_only=True`. Validation and test decode their split, gather the outputs of all
ranks by example id, and score them with the task's metric.
"""
from __future__ import annotations

import logging

import pytorch_lightning as pl
import torch
import torch.distributed as dist
from hydra.utils import instantiate
from omegaconf import OmegaConf
from pytorch_lightning.callbacks import Timer
from torch.utils.data import DataLoader, Dataset

from seqcore.batch.stream import JobBatch
from seqcore.ctc_feasibility import infeasibility_warning
from seqcore.data import Example, TokenBudgetBatchSampler, collate_examples, padding_fraction
from seqcore.errors import DataError
from seqcore.model import build_model
from seqcore.optim import build_optimizer
from seqcore.plugins import TaskPlugin, check_head
from seqcore.search.common import check_search

log = logging.getLogger(__name__)


def gather_objects(items: list) -> list:
    """Concatenate a picklable list across DDP ranks (identity on one process)."""
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return items
    gathered = [None] * dist.get_world_size()
    dist.all_gather_object(gathered, items)
    return [item for part in gathered for item in part]


class Seq2SeqModule(pl.LightningModule):
    def __init__(self, config: dict, task_state: dict, task: TaskPlugin | None = None):
        """`task`: the fitted task the data module holds, shared rather than built again from
        `config` and `task_state` (what a checkpoint holds: loading one builds it from those)."""
        super().__init__()
        self.save_hyperparameters(ignore=["task"])
        self.config = OmegaConf.create(config)
        if task is None:
            task = instantiate(self.config.task)
            task.load_state_dict(task_state)
        self.task: TaskPlugin = task
        check_head(self.task, self.config.head.name)
        self.model = build_model(self.config.model, self.config.head, self.task.frontend_args(),
                                 self.task.target_vocab_size)
        self.search = instantiate(self.config.search)
        self.validation_search = instantiate(self.config.validation.search)
        check_search(self.model.head, self.search, "search")
        check_search(self.model.head, self.validation_search, "validation.search")
        self._decoded: list = []
        # model.compile: the training forward only (a function, so the state dict keeps its keys); decoding
        # runs step by step on shapes that change every step, where compiling would cost more than it saves
        self._training_forward = torch.compile(self.model.forward) if self.config.model.get("compile") \
            else self.model.forward

    def training_step(self, batch, batch_index):
        loss, logs = self._training_forward(batch)
        self.log("train/loss", loss, prog_bar=True, batch_size=len(batch))
        for key, value in logs.items():  # nll, branch losses, coverage, target_tokens, ...
            self.log(f"train/{key}", torch.as_tensor(value, dtype=torch.float32), batch_size=len(batch))
        return loss

    def on_fit_start(self):
        """Say before any step which training examples a CTC loss cannot learn (it would silence them)."""
        if self.trainer.is_global_zero:
            warning = infeasibility_warning(self.model, self.trainer.datamodule.examples("train"))
            if warning:
                log.warning(warning)

    def on_train_epoch_start(self):
        loader = self.trainer.train_dataloader
        loader.batch_sampler.set_epoch(self.current_epoch)
        if isinstance(loader.dataset, AugmentedExamples):
            loader.dataset.set_epoch(self.current_epoch)

    def decode(self, batch, search) -> list[tuple[int, list]]:
        """[(example id, n-best hypotheses)] for one batch."""
        return list(zip(batch.ids.tolist(), search(self.model.head, self.model.encode(batch))))

    def validation_step(self, batch, batch_index):
        loss, logs = self.model(batch)
        self.log("valid/loss", loss, batch_size=len(batch), sync_dist=True)
        self._log_teacher_forced("valid", logs, len(batch))
        self._decoded.extend(self.decode(batch, self.validation_search))

    def test_step(self, batch, batch_index):
        if getattr(self.model.head, "teacher_forced_metrics", ()) and batch.target is not None:
            self._log_teacher_forced("test", self.model(batch)[1], len(batch))
        self._decoded.extend(self.decode(batch, self.search))

    def _log_teacher_forced(self, split: str, logs: dict, batch_size: int) -> None:
        """Loss terms a head names as metrics of a split (`teacher_forced_metrics`, e.g. a frames head's
        mel L1, which picks TTS checkpoints), logged as "<split>/<key>" averaged over batches."""
        for key in getattr(self.model.head, "teacher_forced_metrics", ()):
            self.log(f"{split}/{key}", torch.as_tensor(logs[key], dtype=torch.float32), batch_size=batch_size,
                     sync_dist=True)

    def predict_step(self, batch: JobBatch, batch_index):
        """A batch job's step (seqcore-batch): (input index, n-best) pairs; none when every item of
        the batch failed before decoding (the job's writer records those)."""
        return self.decode(batch.examples, self.search) if batch.examples is not None else []

    def on_validation_epoch_end(self):
        self._log_task_metrics("valid")

    def on_test_epoch_end(self):
        self._log_task_metrics("test")

    def _log_task_metrics(self, split: str):
        decoded = dict(gather_objects(self._decoded))
        self._decoded = []
        datamodule = self.trainer.datamodule
        references, samples = datamodule.references(split), datamodule.stage_samples(split)
        ids = sorted(decoded)
        hypotheses = [self.task.postprocess(decoded[i][0].tokens, samples[i]) for i in ids]
        self.last_outputs = {i: h for i, h in zip(ids, hypotheses)}
        self.last_decoded = {i: decoded[i] for i in ids}  # n-best per example id, for the task's evaluation files
        metrics = self.task.evaluate(hypotheses, [references[i] for i in ids], [samples[i] for i in ids],
                                     [decoded[i] for i in ids])
        for key, value in metrics.items():
            self.log(f"{split}/{key}", float(value), prog_bar=key == self.task.main_metric)

    def configure_optimizers(self):
        optimizer, scheduler = build_optimizer(self, self.config.optim,
                                               int(self.trainer.estimated_stepping_batches), self._time_spent)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    def _time_spent(self) -> float:
        """The fraction of `trainer.max_time` used so far (0 without a time budget); rank 0's
        clock, broadcast so that every rank steps the same learning rate."""
        timer = next((callback for callback in self.trainer.callbacks if isinstance(callback, Timer)), None)
        if timer is None or timer.time_remaining() is None:
            return 0.0
        elapsed = timer.time_elapsed()
        return float(self.trainer.strategy.broadcast(elapsed / max(elapsed + timer.time_remaining(), 1e-9)))


class TaskDataModule(pl.LightningDataModule):
    """Loads a task's splits, encodes them into Examples and batches them by token budget."""

    def __init__(self, task: TaskPlugin, max_tokens: int = 4096, eval_max_tokens: int = 8192,
                 max_source_length: int = 256, max_target_length: int = 256, num_workers: int = 0,
                 seed: int = 0, test_split: str = "test"):
        super().__init__()
        self.task = task
        self.max_tokens, self.eval_max_tokens = max_tokens, eval_max_tokens
        self.max_source_length, self.max_target_length = max_source_length, max_target_length
        self.num_workers, self.seed = num_workers, seed
        self.test_split = test_split  # what `trainer.test` evaluates (seqcore-eval split=...)
        self._samples: dict[str, list[dict]] = {}
        self._examples: dict[str, list[Example]] = {}

    def samples(self, split: str) -> list[dict]:
        if split not in self._samples:
            self._samples[split] = self.task.load_split(split)
        return self._samples[split]

    def stage_samples(self, stage: str) -> list[dict]:
        """Samples of the split evaluated in a stage ("valid" or "test"), indexed by example id."""
        return self.samples(self.test_split if stage == "test" else stage)

    def references(self, stage: str) -> list[str]:
        return [self.task.reference(sample) for sample in self.stage_samples(stage)]

    def fit_task(self) -> None:
        """Build the task's tokenizers from the training split (before the model is built)."""
        self.task.fit(self.samples("train"))

    def examples(self, split: str) -> list[Example]:
        """Encoded examples; over-long ones are dropped from training and truncated elsewhere."""
        if split in self._examples:
            return self._examples[split]
        training, examples, dropped, truncated, empty = split == "train", [], 0, 0, 0
        for index, sample in enumerate(self.samples(split)):  # as read: augmented versions come on the fly
            source, target = self.task.encode_source(sample), self.task.encode_target(sample)
            if training and len(source) == 0:  # nothing to attend to: its loss would be NaN, and spread
                empty += 1
                continue
            too_long = len(source) > self.max_source_length or len(target) > self.max_target_length
            if too_long and training:
                dropped += 1
                continue
            if too_long:
                truncated += 1
                source, target = source[: self.max_source_length], target[: self.max_target_length]
            examples.append(Example(index, source, target, self.task.encode_extras(sample)))
        if dropped:
            log.warning("%s: dropped %d examples longer than data.max_source_length=%d / "
                        "data.max_target_length=%d", split, dropped, self.max_source_length, self.max_target_length)
        if truncated:
            log.warning("%s: truncated %d over-long examples", split, truncated)
        if empty:
            log.warning("%s: dropped %d examples with an empty source", split, empty)
        if not examples:
            where = getattr(self.task, "paths", {}).get(split) or "the embedded data"
            raise DataError(f"the {split} split ({where}) has no examples" +
                            (f": all {dropped} are longer than the data.max_*_length limits" if dropped else ""))
        self._examples[split] = examples
        return examples

    def _loader(self, split: str, training: bool) -> DataLoader:
        examples = self.examples(split)
        lengths = [max(len(e.source), len(e.target) + 1) for e in examples]
        trainer = self.trainer
        sampler = TokenBudgetBatchSampler(
            lengths, self.max_tokens if training else self.eval_max_tokens, shuffle=training, seed=self.seed,
            num_replicas=trainer.world_size if trainer else 1, rank=trainer.global_rank if trainer else 0)
        if training:
            unbucketed = TokenBudgetBatchSampler(lengths, self.max_tokens, seed=self.seed, bucketing=False)
            log.info("train: %d examples in %d batches per rank; padding %.1f%% (%.1f%% without bucketing)",
                     len(examples), len(sampler), 100 * padding_fraction(lengths, iter(sampler)),
                     100 * padding_fraction(lengths, iter(unbucketed)))
        dataset = examples
        if training and self.task.augments_training:
            dataset = AugmentedExamples(self.task, self.samples(split), examples, self.max_source_length,
                                        self.max_target_length)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=collate_examples, num_workers=self.num_workers)

    def train_dataloader(self):
        return self._loader("train", training=True)

    def val_dataloader(self):
        return self._loader("valid", training=False)

    def test_dataloader(self):
        return self._loader(self.test_split, training=False)


class AugmentedExamples(Dataset):
    """The training examples of a task that `augments_training`, re-made every epoch.

    Position i holds the encoding of one sample as read, whose lengths size the batches; each
    epoch (`set_epoch`, called at each epoch start) encodes the task's `training_sample` of that
    epoch instead, truncated to the length limits should it grow. The batches stay within their
    budget because an augmentation is about as long as its sample or shorter (typing noise, a
    fragment): sized by epoch 0's augmentation instead, a batch of short fragments became a batch
    of as many whole sentences in the next epoch, and memory ran out. Holds the task and samples
    only, so dataloader workers can pickle it.
    """

    def __init__(self, task: TaskPlugin, samples: list[dict], examples: list[Example],
                 max_source_length: int, max_target_length: int):
        self.task, self.samples, self.examples = task, samples, examples
        self.max_source_length, self.max_target_length = max_source_length, max_target_length
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, position: int) -> Example:
        example = self.examples[position]
        original = self.samples[example.id]
        sample = self.task.training_sample(original, self.epoch, example.id)
        if sample is original:  # a sample the task leaves as it is (e.g. a given pair): its encoding stands
            return example
        source = self.task.encode_source(sample)[: self.max_source_length]
        if len(source) == 0:  # an augmentation that left nothing (see TaskDataModule.examples): the sample's stands
            return example
        return Example(example.id, source, self.task.encode_target(sample)[: self.max_target_length],
                       self.task.encode_extras(sample))
