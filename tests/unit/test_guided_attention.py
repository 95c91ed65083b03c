"""Guided attention on the token attention head: the added term is the hand-computed penalty of the
decoder's own attention, it pulls attention to the diagonal, and decoders that hide attention are refused."""
import math

import pytest
import torch

from seqcore.errors import ConfigError
from seqcore.heads import AttentionHead, HybridHead
from seqcore.heads.attention import teacher_forcing_pair
from seqcore.modules import LSTMDecoder, TransformerDecoder
from seqcore.modules.state import EncoderOutput
from seqcore.modules.transformer import MultiHeadAttention
from tests.unit.tiny_models import VOCAB, make_batch


def _head(weight: float, attention_dim: int | None = None, **kwargs) -> AttentionHead:
    torch.manual_seed(0)
    decoder = LSTMDecoder(VOCAB, 16, dropout=0.0, input_feeding=False, attention_dim=attention_dim)
    return AttentionHead(decoder, VOCAB, 0.0, guided_attention_weight=weight, **kwargs)


def _encoded(batch) -> EncoderOutput:
    torch.manual_seed(2)
    return EncoderOutput(torch.randn(len(batch.source_lengths), int(batch.source_lengths.max()), 16), batch.source_mask)


def test_the_added_term_is_the_penalty_of_the_decoders_attention_summed_over_real_steps():
    batch = make_batch()
    plain, _ = _head(0.0).loss(batch, _encoded(batch))
    guided_head = _head(0.5, guided_attention_sigma=0.3)
    loss, logs = guided_head.loss(batch, _encoded(batch))
    decoder_input, _ = teacher_forcing_pair(batch.target, batch.target_lengths)
    with torch.no_grad():
        _, weights = guided_head.decoder(decoder_input, _encoded(batch).states, batch.source_mask, return_attention=True)
    penalty = 0.0
    for b, (steps, sources) in enumerate(zip((batch.target_lengths + 1).tolist(), batch.source_lengths.tolist())):
        for t in range(steps):
            for s in range(sources):
                penalty += float(weights[b, t, s]) * (1 - math.exp(-((s / sources - t / steps) ** 2) / (2 * 0.3 ** 2)))
    penalty /= float((batch.target_lengths + 1).sum())
    assert float(logs["guided_attention"]) == pytest.approx(penalty, rel=1e-5)
    assert loss.item() == pytest.approx(plain.item() + 0.5 * penalty, rel=1e-5)


def test_training_with_it_moves_attention_onto_the_diagonal():
    batch = make_batch(lengths=(12, 12, 12), target_lengths=(6, 6, 6))
    head = _head(5.0, attention_dim=8)  # a tanh layer half the decoder size
    assert head.decoder.attention.v.in_features == 8
    encoded = _encoded(batch)
    optimizer = torch.optim.Adam(head.parameters(), 1e-2)
    first = None
    for _ in range(60):
        loss, logs = head.loss(batch, encoded)
        first = first if first is not None else float(logs["guided_attention"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float(logs["guided_attention"]) < 0.6 * first  # measured: 0.58 -> 0.27


def test_transformer_attention_weights_are_the_ones_it_applies():
    """One head: the cross-attention output is the output projection of weights @ values."""
    torch.manual_seed(0)
    attention = MultiHeadAttention(8, heads=1, dropout=0.0)
    x, memory = torch.randn(2, 3, 8), torch.randn(2, 5, 8)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])[:, None, None, :]
    keys, values = attention.keys_values(memory)
    weights = attention.weights(x, keys, mask)
    torch.testing.assert_close(attention.attend(x, keys, values, mask=mask), attention.out(weights @ values[:, 0]))
    assert torch.all(weights[1, :, 3:] == 0)


def test_the_transformer_decoder_reports_its_last_layers_attention_and_can_be_guided():
    batch = make_batch()
    head = AttentionHead(TransformerDecoder(VOCAB, 16, layers=2, heads=2, ffn_dim=16, dropout=0.0), VOCAB, 0.0,
                         guided_attention_weight=1.0)
    loss, logs = head.loss(batch, _encoded(batch))
    loss.backward()
    assert 0 < float(logs["guided_attention"]) < 1
    assert head.decoder.layers[-1].cross_attention.query.weight.grad is not None


def test_decoders_that_do_not_report_attention_are_refused():
    class Silent(torch.nn.Module):
        dim, embedding = 16, torch.nn.Embedding(VOCAB, 16)

        def forward(self, tokens, memory, memory_mask):
            return memory[:, :1].expand(-1, tokens.shape[1], -1)

    with pytest.raises(ConfigError, match="reports its attention"):
        AttentionHead(Silent(), VOCAB, guided_attention_weight=1.0)
    hybrid = HybridHead(LSTMDecoder(VOCAB, 16), VOCAB, 16, guided_attention_weight=1.0)
    assert hybrid.attention.guided_attention_weight == 1.0
