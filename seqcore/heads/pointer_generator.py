"""Pointer-generator head (See et al. 2017, "Get To The Point"): generate a word or copy one from the source.

Each step mixes two distributions with a gate p_gen = sigmoid(w . [context, hidden, input embedding]):
the decoder's vocabulary distribution and a copy distribution, the head's own additive attention
over the encoder states. Copy mass goes to each source position's id in the *extended* vocabulary
("source_copy_ids", made by the task, in `batch.extras` and, for search, `encoded.extras`):
target-vocabulary ids, plus vocab_size + j for the j-th source word the target vocabulary lacks,
so the head can output words it has never seen. The mass of a word both generated and copied adds
up (scatter_add). Decoder inputs that are extended ids go in as UNK.

With `coverage`, the attention also sees how much each source position was attended so far, and
the loss adds sum_t sum_i min(a_t,i, c_t,i), which discourages attending (and repeating) twice.
Without it the copy attention of all target positions is computed at once; with it, step by step.

`copy_attention` picks the scores: "additive" is See et al.'s v . tanh(W_h h_i + W_s s_t), whose
tanh needs a [B, T, S, dim] tensor, the whole cost of a step when sources are long (a database
schema, an article); "dot" is a scaled dot product (W_s s_t) . (W_h h_i) / sqrt(dim), Luong's
"general" attention: one [B, T, S] matrix product, as the Transformer's own attention computes.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from seqcore.data.batch import Batch
from seqcore.data.vocab import PAD_ID, UNK_ID
from seqcore.errors import ConfigError
from seqcore.heads.attention import teacher_forcing_pair
from seqcore.modules.state import EncoderOutput


def extended_log_probs(vocab_logits: torch.Tensor, gate_logits: torch.Tensor, attention: torch.Tensor,
                       copy_ids: torch.Tensor, width: int) -> torch.Tensor:
    """log(p_gen * P_vocab + (1 - p_gen) * copy) over the extended vocabulary: [B, T, width].

    vocab_logits [B, T, V]; gate_logits [B, T, 1] (p_gen = sigmoid); attention [B, T, S], rows
    summing to 1; copy_ids [B, S] (< width). A word without copy mass gets log p_gen + log P_vocab,
    exact however small; an extended id the example does not have gets -inf.
    """
    gate_logits = gate_logits.float()
    generated = F.logsigmoid(gate_logits) + vocab_logits.float().log_softmax(-1)
    generated = F.pad(generated, (0, width - vocab_logits.shape[-1]), value=float("-inf"))
    copy_mass = torch.zeros_like(generated).scatter_add(
        -1, copy_ids[:, None, :].expand_as(attention), torch.sigmoid(-gate_logits) * attention.float())
    copied = copy_mass > 0
    mixed = torch.where(copied, generated.exp() + copy_mass, 1.0).log()  # 1.0 keeps log's gradient finite
    return torch.where(copied, mixed, generated)


class CopyAttention(nn.Module):
    """Additive attention e_i = v . tanh(W_h h_i + W_s s_t [+ w_c c_i]) (See et al. eq. 1 and 11), or
    dot-product attention e_i = (W_s s_t) . (W_h h_i) / sqrt(dim) [+ w_c c_i]."""

    KINDS = ("additive", "dot")

    def __init__(self, query_dim: int, memory_dim: int, coverage: bool, kind: str = "additive"):
        super().__init__()
        if kind not in self.KINDS:
            raise ConfigError(f"head.copy_attention={kind!r} must be one of {', '.join(self.KINDS)}")
        self.kind = kind
        self.query = nn.Linear(query_dim, query_dim, bias=False)
        self.memory = nn.Linear(memory_dim, query_dim)
        self.coverage = nn.Linear(1, query_dim if kind == "additive" else 1, bias=False) if coverage else None
        self.v = nn.Linear(query_dim, 1, bias=False) if kind == "additive" else None

    def forward(self, query: torch.Tensor, source: dict,
                coverage: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """query [B, T, D], coverage [B, T, S] -> attention [B, T, S], context [B, T, memory_dim].

        `source` holds "memory" [B, S, memory_dim], its projection "projected" and "mask" [B, S].
        """
        scores = (self._additive if self.kind == "additive" else self._dot)(query, source, coverage)
        attention = scores.masked_fill(~source["mask"][:, None], float("-inf")).softmax(-1)
        return attention, attention @ source["memory"]


    def _additive(self, query: torch.Tensor, source: dict, coverage: torch.Tensor | None) -> torch.Tensor:
        features = source["projected"][:, None] + self.query(query)[:, :, None]  # [B, T, S, dim]
        if coverage is not None:
            features = features + self.coverage(coverage[..., None])
        return self.v(torch.tanh(features)).squeeze(-1)

    def _dot(self, query: torch.Tensor, source: dict, coverage: torch.Tensor | None) -> torch.Tensor:
        projected = source["projected"]
        scores = self.query(query) @ projected.transpose(1, 2) / projected.shape[-1] ** 0.5  # [B, T, S]
        if coverage is not None:
            scores = scores + self.coverage(coverage[..., None]).squeeze(-1)
        return scores


class PointerGeneratorHead(nn.Module):
    def __init__(self, decoder: nn.Module, vocab_size: int, encoder_dim: int, label_smoothing: float = 0.0,
                 coverage: bool = False, coverage_weight: float = 1.0, tie_embeddings: bool = True,
                 copy_attention: str = "additive"):
        super().__init__()
        self.decoder = decoder
        self.vocab_size = vocab_size
        self.label_smoothing = label_smoothing
        self.coverage, self.coverage_weight = coverage, coverage_weight
        self.projection = nn.Linear(decoder.dim, vocab_size, bias=False)
        if tie_embeddings:
            self.projection.weight = decoder.embedding.weight
        self.copy_attention = CopyAttention(decoder.dim, encoder_dim, coverage, copy_attention)
        self.gate = nn.Linear(encoder_dim + 2 * decoder.dim, 1)

    # -- training ----------------------------------------------------------------------------
    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        decoder_input, _ = teacher_forcing_pair(batch.target, batch.target_lengths)
        log_probs, coverage_penalty = self.teacher_forced(decoder_input, encoded)
        targets = self._copyable_targets(batch, encoded)
        keep = targets != PAD_ID
        nll = -log_probs.gather(-1, targets[..., None]).squeeze(-1)
        # smoothing spreads over the target vocabulary: extended ids beyond an example's own are impossible
        smoothed = (1.0 - self.label_smoothing) * nll - self.label_smoothing * log_probs[..., :self.vocab_size].mean(-1)
        tokens = keep.sum()
        loss_sum = smoothed[keep].sum()
        logs = {"nll": (nll[keep].sum() / tokens).detach(), "target_tokens": tokens}
        if coverage_penalty is not None:
            coverage_sum = coverage_penalty[keep].sum()
            loss_sum = loss_sum + self.coverage_weight * coverage_sum
            logs["coverage"] = (coverage_sum / tokens).detach()
        return loss_sum / tokens, logs

    def teacher_forced(self, decoder_input: torch.Tensor,
                       encoded: EncoderOutput) -> tuple[torch.Tensor, torch.Tensor | None]:
        """decoder_input [B, T] -> extended log-probs [B, T, width] and, with coverage, each
        position's coverage penalty sum_i min(a_t,i, c_t,i) [B, T] (else None)."""
        source = self._source(encoded)
        decoder_input = self._known(decoder_input)
        hidden = self.decoder(decoder_input, encoded.states, encoded.mask)
        if not self.coverage:
            return self._output(hidden, decoder_input, source, None)[0], None
        coverage = torch.zeros_like(source["mask"], dtype=torch.float32)
        log_probs, penalties = [], []
        for t in range(hidden.shape[1]):
            step_log_probs, attention = self._output(hidden[:, t:t + 1], decoder_input[:, t:t + 1], source,
                                                     coverage[:, None])
            penalties.append(torch.minimum(attention[:, 0], coverage).sum(-1))
            log_probs.append(step_log_probs)
            coverage = coverage + attention[:, 0]
        return torch.cat(log_probs, 1), torch.stack(penalties, 1)

    def _copyable_targets(self, batch: Batch, encoded: EncoderOutput) -> torch.Tensor:
        """[y, EOS] in extended ids; one whose source word was cut off (a truncated source) becomes UNK."""
        copy_ids = _extra(encoded.extras, "source_copy_ids", encoded.states.shape[1])
        target_ids = _extra(batch.extras, "target_copy_ids", batch.target.shape[1])
        _, targets = teacher_forcing_pair(target_ids, batch.target_lengths)
        in_source = (targets[..., None] == copy_ids[:, None, :]).any(-1)
        return targets.masked_fill((targets >= self.vocab_size) & ~in_source, UNK_ID)

    # -- search ------------------------------------------------------------------------------
    def init_state(self, encoded: EncoderOutput) -> dict:
        state = {**self._source(encoded), "decoder": self.decoder.init_state(encoded.states, encoded.mask)}
        if self.coverage:
            state["coverage"] = torch.zeros_like(encoded.mask, dtype=torch.float32)
        return state

    def step(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """tokens [N] (extended ids) -> log-probs over the extended vocabulary [N, width]."""
        tokens = self._known(tokens)
        hidden, decoder_state = self.decoder.step(tokens, state["decoder"])
        coverage = state.get("coverage")
        log_probs, attention = self._output(hidden[:, None], tokens[:, None], state,
                                            None if coverage is None else coverage[:, None])
        state = {**state, "decoder": decoder_state}
        if coverage is not None:
            state["coverage"] = coverage + attention[:, 0]
        return log_probs[:, 0], state

    # -- shared ------------------------------------------------------------------------------
    def _source(self, encoded: EncoderOutput) -> dict:
        """What the copy attention reads, batch on dim 0 (plus "width", the batch's extended vocabulary size)."""
        copy_ids = _extra(encoded.extras, "source_copy_ids", encoded.states.shape[1])
        return {"memory": encoded.states, "projected": self.copy_attention.memory(encoded.states),
                "mask": encoded.mask, "copy_ids": copy_ids, "width": max(self.vocab_size, int(copy_ids.max()) + 1)}

    def _output(self, hidden: torch.Tensor, inputs: torch.Tensor, source: dict,
                coverage: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """hidden [B, T, dim], inputs [B, T] -> extended log-probs [B, T, width], copy attention [B, T, S]."""
        attention, context = self.copy_attention(hidden, source, coverage)
        gate_logits = self.gate(torch.cat([context, hidden, self.decoder.embedding(inputs)], -1))
        log_probs = extended_log_probs(self.projection(hidden), gate_logits, attention, source["copy_ids"],
                                       source["width"])
        return log_probs, attention

    def _known(self, tokens: torch.Tensor) -> torch.Tensor:
        """Copied words the decoder has no embedding for (extended ids) go in as UNK."""
        return tokens.masked_fill(tokens >= self.vocab_size, UNK_ID)


def _extra(extras: dict | None, key: str, length: int) -> torch.Tensor:
    """An extra aligned with a sequence of `length`: the data module truncates over-long
    sources/targets of evaluation examples, but not their extras."""
    if not extras or key not in extras:
        raise ConfigError(f"the pointer-generator head needs batch.extras[{key!r}]: set task.copy_extras=true "
                          f"(a TextToTextTask option)")
    return extras[key][:, :length]
