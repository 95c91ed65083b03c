"""Transducer head (Graves 2012, "Sequence Transduction with Recurrent Neural Networks").

A prediction network reads the tokens emitted so far, a joiner combines one encoder frame
with one prediction into a distribution over the vocabulary plus blank, and the loss sums
over every alignment of the target to the frames (on CPU `transducer_loss.py`'s vectorized
recursion, on GPU or with `head.clamp` torchaudio's `rnnt_loss`). Unlike CTC the
output distribution depends on the previous tokens; unlike the attention head the output
is aligned to frames, so it decodes streaming-friendly and gives token timestamps.

Symbols: blank is `PAD_ID` (pad never occurs in a target). The prediction network starts
from blank as well (as in icefall, ESPnet and torchaudio's recipes), so the transducer
needs no special id besides blank.

Search interface (`seqcore.search.transducer`): `project_encoder(states)` once per utterance,
`predictor_initial_state(n, device)` then `predict(tokens [N], state)` after each emitted
token, and `join(frames [N, J], predictions [N, J]) -> log_probs [N, V]`. Predictor states
keep the batch on dim 0, so `seqcore.modules.state.select_rows` reorders them.
"""
from __future__ import annotations

import torch
from torch import nn
from torchaudio.functional import rnnt_loss

from seqcore.data.batch import Batch
from seqcore.data.vocab import PAD_ID
from seqcore.errors import ConfigError
from seqcore.heads.ctc import CTCHead
from seqcore.heads.transducer_loss import transducer_nll
from seqcore.modules.state import EncoderOutput

BLANK_ID = PAD_ID


class LSTMPredictor(nn.Module):
    """Embedding + LSTM over the previous tokens: the prediction network of Graves (2012)."""

    def __init__(self, vocab_size: int, dim: int, layers: int, dropout: float):
        super().__init__()
        self.dim = dim
        self.embedding = nn.Embedding(vocab_size, dim)
        self.lstm = nn.LSTM(dim, dim, num_layers=layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)

    def initial_state(self, batch_size: int, device: torch.device) -> dict:
        zeros = torch.zeros(batch_size, self.lstm.num_layers, self.dim, device=device)
        return {"h": zeros, "c": zeros}

    def forward(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """tokens [N, L] -> outputs [N, L, dim] and the state after the last token."""
        hidden = (state["h"].transpose(0, 1).contiguous(), state["c"].transpose(0, 1).contiguous())
        out, (h, c) = self.lstm(self.dropout(self.embedding(tokens)), hidden)
        return self.dropout(out), {"h": h.transpose(0, 1), "c": c.transpose(0, 1)}


class StatelessPredictor(nn.Module):
    """Embeddings of the last `context_size` tokens mixed by a Conv1d, then ReLU.

    The "stateless" prediction network of Ghodsi et al. (2020) as in icefall: a bigram-like
    context (2 tokens) is enough for a transducer and makes the predictor cheap. Its state
    is just the `context_size - 1` tokens before the next input (blank at the start).
    """

    def __init__(self, vocab_size: int, dim: int, context_size: int, dropout: float):
        super().__init__()
        if context_size < 1:
            raise ValueError(f"head.context_size must be at least 1, got {context_size}")
        self.context_size = context_size
        self.embedding = nn.Embedding(vocab_size, dim)
        self.mix = nn.Conv1d(dim, dim, kernel_size=context_size, bias=False)
        self.dropout = nn.Dropout(dropout)

    def initial_state(self, batch_size: int, device: torch.device) -> dict:
        return {"context": torch.full((batch_size, self.context_size - 1), BLANK_ID, dtype=torch.long, device=device)}

    def forward(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """tokens [N, L] -> outputs [N, L, dim] and the state after the last token."""
        window = torch.cat([state["context"], tokens], 1)
        embedded = self.dropout(self.embedding(window)).transpose(1, 2)  # [N, dim, L + context_size - 1]
        out = torch.relu(self.mix(embedded)).transpose(1, 2)
        return out, {"context": window[:, window.shape[1] - (self.context_size - 1):]}


class TransducerHead(nn.Module):
    def __init__(self, vocab_size: int, encoder_dim: int, predictor: str = "lstm", predictor_dim: int = 256,
                 predictor_layers: int = 1, joiner_dim: int = 256, context_size: int = 2, clamp: float = -1.0,
                 dropout: float = 0.1, ctc_weight: float = 0.0):
        super().__init__()
        if not 0.0 <= ctc_weight < 1.0:
            raise ConfigError(f"head.ctc_weight={ctc_weight} must be within [0, 1)")
        predictors = {"lstm": lambda: LSTMPredictor(vocab_size, predictor_dim, predictor_layers, dropout),
                      "stateless": lambda: StatelessPredictor(vocab_size, predictor_dim, context_size, dropout)}
        if predictor not in predictors:
            raise ValueError(f"head.predictor must be one of {sorted(predictors)}, got {predictor!r}")
        self.predictor = predictors[predictor]()
        self.clamp = clamp  # gradient clamp of rnnt_loss; -1 disables it
        self.encoder_projection = nn.Linear(encoder_dim, joiner_dim)
        self.predictor_projection = nn.Linear(predictor_dim, joiner_dim)
        self.output = nn.Linear(joiner_dim, vocab_size)
        self.ctc_weight = ctc_weight
        self.auxiliary_ctc = CTCHead(vocab_size, encoder_dim) if ctc_weight > 0 else None

    def project_encoder(self, states: torch.Tensor) -> torch.Tensor:
        """Encoder states [..., encoder_dim] -> joiner inputs [..., joiner_dim]: once per utterance."""
        return self.encoder_projection(states)

    def predictor_initial_state(self, batch_size: int, device: torch.device) -> dict:
        """The state before the start symbol: feed `BLANK_ID` to `predict` first."""
        return self.predictor.initial_state(batch_size, device)

    def predict(self, tokens: torch.Tensor, state: dict) -> tuple[torch.Tensor, dict]:
        """The last emitted token [N] -> projected prediction [N, joiner_dim] and the next state."""
        out, state = self.predictor(tokens[:, None], state)
        return self.predictor_projection(out[:, 0]), state

    def joint_logits(self, frames: torch.Tensor, predictions: torch.Tensor) -> torch.Tensor:
        """Unnormalized joiner output from projected frames and predictions (broadcast against each other)."""
        return self.output(torch.tanh(frames + predictions))

    def join(self, frames: torch.Tensor, predictions: torch.Tensor) -> torch.Tensor:
        """Projected frames [N, J] and predictions [N, J] -> log-probabilities [N, V], blank included."""
        return self.joint_logits(frames, predictions).float().log_softmax(-1)

    def lattice_logits(self, batch: Batch, encoded: EncoderOutput) -> torch.Tensor:
        """Logits over the whole alignment lattice: [B, T, U+1, V], trimmed to the longest frames/target."""
        frames, target_length = int(encoded.lengths.max()), int(batch.target_lengths.max())
        target = batch.target[:, :target_length]
        start = target.new_full((target.shape[0], 1), BLANK_ID)
        state = self.predictor_initial_state(target.shape[0], target.device)
        predictions, _ = self.predictor(torch.cat([start, target], 1), state)
        return self.joint_logits(self.project_encoder(encoded.states[:, :frames])[:, :, None],
                                 self.predictor_projection(predictions)[:, None])

    def loss(self, batch: Batch, encoded: EncoderOutput) -> tuple[torch.Tensor, dict]:
        logits = self.lattice_logits(batch, encoded)
        targets = batch.target[:, :logits.shape[2] - 1]
        if logits.is_cuda or self.clamp > 0:  # torchaudio's kernel (and its gradient clamp)
            nll_sum = rnnt_loss(logits.float(), targets.int(), encoded.lengths.int(), batch.target_lengths.int(),
                                blank=BLANK_ID, clamp=self.clamp, reduction="sum", fused_log_softmax=True)
        else:  # several times faster than torchaudio's CPU loss: seqcore/heads/transducer_loss.py
            nll_sum = transducer_nll(logits, targets, encoded.lengths, batch.target_lengths, BLANK_ID).sum()
        tokens = batch.target_lengths.sum()
        nll = nll_sum / tokens.clamp(min=1)  # a batch of empty targets still has a (blank-only) loss
        logs = {"nll": nll.detach(), "target_tokens": tokens}
        if self.auxiliary_ctc is None:
            return nll, logs
        ctc_loss, ctc_logs = self.auxiliary_ctc.loss(batch, encoded)
        logs.update(transducer_loss=nll.detach(), ctc_loss=ctc_loss.detach(), ctc_too_long=ctc_logs["ctc_too_long"])
        return (1.0 - self.ctc_weight) * nll + self.ctc_weight * ctc_loss, logs
