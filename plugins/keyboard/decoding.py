"""In-process decoding with a trained keyboard module: what correction windows, completion and
the on-device checks run (no Trainer, batch size as the caller chooses)."""
from __future__ import annotations

from typing import Sequence

import torch

from seqcore.data import EOS_ID, Example, TokenBudgetBatchSampler, collate_examples
from seqcore.data.vocab import BOS_ID, PAD_ID


def _examples(module, texts: Sequence[str], targets: Sequence[str] | None = None) -> list[Example]:
    task = module.task
    examples = []
    for index, text in enumerate(texts):
        sample = {"source": text} if targets is None else {"source": text, "target": targets[index]}
        target = None if targets is None else task.encode_target(sample)
        examples.append(Example(index, task.encode_source(sample), target, task.encode_extras(sample)))
    return examples


@torch.no_grad()
def decode_texts(module, texts: Sequence[str], max_tokens: int = 8192, search=None) -> list[list[str]]:
    """The n-best outputs of `module.search` (or `search`) for each text, in input order, in
    length-sorted batches of at most `max_tokens` source characters; empty texts give [""]."""
    search = search or module.search
    examples = [e for e in _examples(module, texts) if len(e.source)]
    outputs = [[""] for _ in texts]
    if not examples:
        return outputs
    for indices in TokenBudgetBatchSampler([len(e.source) for e in examples], max_tokens, shuffle=False):
        batch = collate_examples([examples[i] for i in indices])
        for index, hypotheses in module.decode(batch, search):
            outputs[index] = [module.task.postprocess(h.tokens, {"source": texts[index]}) for h in hypotheses]
    return outputs


@torch.no_grad()
def sequence_log_probs(module, sources: Sequence[str], targets: Sequence[str]) -> torch.Tensor:
    """log P(target | source) of each pair, EOS included, by the head's own `init_state`/`step`
    (so any autoregressive head scores the same way it searches)."""
    batch = collate_examples(_examples(module, sources, targets))
    head = module.model.head
    state = head.init_state(module.model.encode(batch))
    target = torch.cat([batch.target, batch.target.new_full((len(batch), 1), PAD_ID)], 1)
    target[torch.arange(len(batch)), batch.target_lengths] = EOS_ID
    previous = torch.full((len(batch),), BOS_ID, dtype=torch.long)
    total = torch.zeros(len(batch))
    for t in range(target.shape[1]):
        log_probs, state = head.step(previous, state)
        token = target[:, t]
        total += torch.where(token != PAD_ID, log_probs.gather(1, token.clamp(min=0)[:, None]).squeeze(1), 0.0)
        previous = token.masked_fill(token == PAD_ID, EOS_ID)
    return total
