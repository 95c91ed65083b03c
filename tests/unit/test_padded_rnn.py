"""PaddedRNN (no packing) gives the states of torch's packed bidirectional RNN with the same weights."""
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqcore.modules.padded_rnn import PaddedRNN, reversal_index


def _copy_weights(reference: nn.Module, ours: PaddedRNN) -> None:
    """nn.LSTM's layer l, direction d weights -> our layers[l][d] (whose own names end in _l0)."""
    for layer, directions in enumerate(ours.layers):
        for direction, rnn in enumerate(directions):
            for name, parameter in rnn.named_parameters():
                source = name.replace("_l0", f"_l{layer}") + ("_reverse" if direction else "")
                parameter.data.copy_(getattr(reference, source).data)


@pytest.mark.parametrize("cell,bidirectional", [("lstm", True), ("gru", True), ("lstm", False)])
def test_matches_the_packed_torch_rnn_on_real_positions_and_zeroes_padding(cell, bidirectional):
    torch.manual_seed(0)
    reference = getattr(nn, cell.upper())(6, 5, num_layers=2, batch_first=True, bidirectional=bidirectional)
    ours = PaddedRNN(cell, 6, 5, layers=2, bidirectional=bidirectional)
    _copy_weights(reference, ours)
    lengths = torch.tensor([7, 3, 5, 1])
    mask = torch.arange(7)[None, :] < lengths[:, None]
    x = torch.randn(4, 7, 6) * mask[..., None]
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    expected, _ = pad_packed_sequence(reference(packed)[0], batch_first=True, total_length=7)
    got = ours(x, mask)
    assert got.shape == (4, 7, 5 * (2 if bidirectional else 1))
    torch.testing.assert_close(got, expected, atol=1e-6, rtol=1e-5)
    assert not got[~mask].any()


def test_reversal_index_reverses_within_each_length_and_undoes_itself():
    index = reversal_index(torch.tensor([3, 1, 0]), 4)
    assert index.tolist() == [[2, 1, 0, 3], [0, 1, 2, 3], [0, 1, 2, 3]]
    assert index.gather(1, index).tolist() == [[0, 1, 2, 3]] * 3
