"""Padding, collation and masks on hand-checked cases, and Lightning moving a Batch between devices."""

import pytest
import torch
from pytorch_lightning.utilities import move_data_to_device

from seqcore.data import PAD_ID, Batch, Example, collate_examples, pad_sequences


def test_pad_sequences_of_ids():
    padded, lengths = pad_sequences([torch.tensor([5, 6, 7]), torch.tensor([8]), torch.tensor([9, 10])])
    assert padded.tolist() == [[5, 6, 7], [8, 0, 0], [9, 10, 0]]
    assert padded.dtype == torch.long
    assert lengths.tolist() == [3, 1, 2]
    assert lengths.dtype == torch.long
    padded, _ = pad_sequences([torch.tensor([5]), torch.tensor([8, 9])], pad_value=-1)
    assert padded.tolist() == [[5, -1], [8, 9]]


def test_pad_sequences_of_feature_frames():
    frames = [torch.arange(6, dtype=torch.float32).reshape(2, 3), torch.full((1, 3), 7.0)]
    padded, lengths = pad_sequences(frames)
    assert padded.shape == (2, 2, 3)
    assert padded.dtype == torch.float32
    assert padded.tolist() == [[[0, 1, 2], [3, 4, 5]], [[7, 7, 7], [0, 0, 0]]]
    assert lengths.tolist() == [2, 1]


def test_pad_sequences_rejects_nothing():
    with pytest.raises(ValueError):
        pad_sequences([])


def test_collate_keeps_ids_and_builds_masks():
    batch = collate_examples(
        [
            Example(id=10, source=torch.tensor([4, 5]), target=torch.tensor([6, 7, 8])),
            Example(id=3, source=torch.tensor([9, 4, 4]), target=torch.tensor([5])),
        ]
    )
    assert len(batch) == 2
    assert batch.ids.tolist() == [10, 3]
    assert batch.source.tolist() == [[4, 5, PAD_ID], [9, 4, 4]]
    assert batch.source_lengths.tolist() == [2, 3]
    assert batch.source_mask.tolist() == [[True, True, False], [True, True, True]]
    assert batch.target.tolist() == [[6, 7, 8], [5, PAD_ID, PAD_ID]]
    assert batch.target_lengths.tolist() == [3, 1]
    assert batch.target_mask.tolist() == [[True, True, True], [True, False, False]]


def test_collate_without_targets_for_inference():
    features = [torch.ones(3, 2), torch.ones(1, 2)]
    batch = collate_examples([Example(7, features[0], None), Example(8, features[1], None)])
    assert batch.source.tolist() == [[[1, 1], [1, 1], [1, 1]], [[1, 1], [0, 0], [0, 0]]]
    assert batch.source_mask.tolist() == [[True, True, True], [True, False, False]]
    assert batch.target is None and batch.target_lengths is None and batch.target_mask is None


def test_collate_rejects_a_mix_of_with_and_without_targets():
    with pytest.raises(ValueError, match="target"):
        with_target = Example(0, torch.tensor([4]), torch.tensor([5]))
        collate_examples([with_target, Example(1, torch.tensor([4]), None)])


@pytest.mark.parametrize("with_target", [True, False])
def test_lightning_moves_a_batch_field_by_field(with_target):
    target = torch.tensor([6]) if with_target else None
    examples = [Example(1, torch.tensor([4, 5]), target), Example(2, torch.tensor([4]), target)]
    batch = collate_examples(examples)
    moved = move_data_to_device(batch, torch.device("meta"))
    assert type(moved) is Batch
    tensors = {"ids": moved.ids, "source": moved.source, "source_lengths": moved.source_lengths}
    if with_target:
        tensors.update(target=moved.target, target_lengths=moved.target_lengths)
    else:
        assert moved.target is None and moved.target_lengths is None
    for name, tensor in tensors.items():
        assert tensor.device.type == "meta", name
        assert tensor.shape == getattr(batch, name).shape, name
        assert tensor.dtype == torch.long, name
    assert batch.source.device.type == "cpu"  # the original is left as it was
