"""Threads chosen by the work, the caller's setting restored, and a training path that
gathers batches by index from one matrix."""

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_limits

import skae._training.compute
from skae import AutoencoderTransformer, GANSampler
from skae._nn.autoencoder import AutoencoderModule
from skae._training.compute import (
    MACS_PER_THREAD,
    compute_threads,
    forward_multiply_adds,
    threads_for,
)
from skae._training.data import EncodedRows, HoldOut, TensorBatches, TensorRows

from .conftest import fast


@pytest.fixture
def two_threads():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


def test_threads_follow_the_work_within_what_the_caller_allows(two_threads):
    assert threads_for(MACS_PER_THREAD / 10) == 1
    assert threads_for(100 * MACS_PER_THREAD) == 2  # never more than the caller allows
    with threadpool_limits(1):  # threadpoolctl's vocabulary limits torch's threads too
        assert threads_for(100 * MACS_PER_THREAD) == 1
    with compute_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2


def test_multiply_adds_count_the_layers():
    module = AutoencoderModule(10, 2, hidden_layer_sizes=(8,), linear_path=False)
    # encoder 10*8 + 8*2, decoder 2*8 + 8*10
    assert forward_multiply_adds(module, 10) == 10 * 8 + 8 * 2 + 2 * 8 + 8 * 10


@pytest.mark.parametrize("Estimator", [AutoencoderTransformer, GANSampler])
def test_a_small_fit_runs_on_one_thread_and_restores_the_callers(
    Estimator, X_small, two_threads, monkeypatch
):
    """Small networks gain nothing from threads that spin against other work on a busy
    machine; the caller's setting comes back after fit and predict."""
    chosen = []
    original = skae._training.compute.threads_for
    monkeypatch.setattr(
        skae._training.compute, "threads_for", lambda m: chosen.append(original(m)) or 1
    )
    model = fast(Estimator).fit(X_small)
    assert chosen and set(chosen) == {1}  # training and the inference passes of fit
    assert torch.get_num_threads() == 2
    seen = []
    for layer in model.net_.module_.modules():
        layer.register_forward_pre_hook(lambda m, i: seen.append(torch.get_num_threads()))
    model.sample(5)
    # A one-row pass counts the work (at the caller's setting), then the batch runs.
    probe, batch = seen[: len(seen) // 2], seen[len(seen) // 2 :]
    assert set(probe) == {2} and set(batch) == {1}
    assert torch.get_num_threads() == 2


def test_the_split_and_the_shuffle_share_the_training_matrix():
    X = torch.arange(40.0).reshape(20, 2)
    train, valid = HoldOut(0.25, seed=0)(TensorRows(X))
    assert train.X is X and valid.X is X  # row numbers, not copies
    assert sorted(train.index.tolist() + valid.index.tolist()) == list(range(20))
    batches = [b for b, _ in TensorBatches(train, batch_size=4, shuffle=True, seed=0)]
    rows = torch.cat(batches)
    assert sorted(rows[:, 0].tolist()) == sorted(X[train.index, 0].tolist())
    assert not torch.equal(rows, X[train.index])  # shuffled


def test_encoded_rows_give_the_batches_of_the_encoded_matrix():
    """One pass over rows encoded batch by batch yields the batches of the whole encoded
    matrix, in the same shuffled order, without encoding more than a batch at a time."""
    A = np.arange(60.0).reshape(20, 3)
    sizes = []

    def encode(rows):
        sizes.append(len(rows))
        return (2 * rows).astype(np.float32)

    expected = TensorBatches(TensorRows(torch.from_numpy(encode(A))), 6, shuffle=True, seed=3)
    sizes.clear()
    encoded = TensorBatches(EncodedRows(A, encode), 6, shuffle=True, seed=3)
    for (got, target), (want, _) in zip(encoded, expected, strict=True):
        assert got is target and got.dtype == torch.float32
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    assert sizes == [6, 6, 6, 2]
    row, target = EncodedRows(A, encode)[4]
    torch.testing.assert_close(row, torch.from_numpy(encode(A[4])), rtol=0, atol=0)


def test_batch_losses_are_recorded_as_numbers(X_small):
    model = fast(AutoencoderTransformer).fit(X_small)
    batch = model.net_.history[-1]["batches"][0]
    assert isinstance(batch["train_loss"], float) and np.isfinite(batch["train_loss"])
