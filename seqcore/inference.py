"""Decode a list of raw samples with a trained module, in length-sorted batches, returned in input order."""
from __future__ import annotations

import logging
from typing import Sequence

import torch

from pytorch_lightning.utilities import move_data_to_device

from seqcore.data import Example, TokenBudgetBatchSampler, collate_examples

log = logging.getLogger(__name__)


@torch.no_grad()
def decode_samples(module, samples: Sequence[dict], max_tokens: int, max_source_length: int) -> list[str]:
    """Outputs aligned with `samples`; empty inputs give empty outputs, long ones are truncated with a warning."""
    examples, truncated = [], 0
    for index, sample in enumerate(samples):
        source = module.task.encode_source(sample)
        if len(source) > max_source_length:
            truncated += 1
            source = source[:max_source_length]
        if len(source):
            examples.append(Example(index, source, None, module.task.encode_extras(sample)))
    if truncated:
        log.warning("truncated %d inputs longer than data.max_source_length=%d", truncated, max_source_length)
    outputs = [""] * len(samples)
    if not examples:
        return outputs
    sampler = TokenBudgetBatchSampler([len(e.source) for e in examples], max_tokens, shuffle=False)
    for indices in sampler:
        batch = move_data_to_device(collate_examples([examples[i] for i in indices]), module.device)
        for example_id, hypotheses in module.decode(batch, module.search):
            outputs[example_id] = module.task.postprocess(hypotheses[0].tokens, samples[example_id])
    return outputs
