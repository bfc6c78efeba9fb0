"""The fast data path: the training matrix as one tensor, batches gathered from it by index.

skorch's default path indexes a ``Dataset`` row by row and collates the rows into a batch,
which costs more than the forward pass of a small network. Here the training matrix is one
tensor, on the training device, and every batch is gathered from it by index
(:class:`TensorBatches`): the train/validation split (:class:`HoldOut`) and each epoch's
shuffle are permutations of row numbers, never copies of the matrix. They plug into skorch
through its documented ``dataset``, ``train_split`` and ``iterator_train`` hooks
(:func:`tensor_loop_params`), so skorch still runs the loop, the callbacks and the history.
One pass over the rows (``partial_fit``) takes each row once, so its rows are encoded a
batch at a time instead (:class:`EncodedRows`), and their whole matrix never exists.
"""

import math

import numpy as np
import torch

from .._utils.random import MAX_SEED


class TensorRows(torch.utils.data.Dataset):
    """Rows of one tensor ``X``: all of them, or those numbered ``index`` (a subset that
    shares ``X`` instead of copying it). Each row is its own reconstruction target."""

    def __init__(self, X, index=None):
        self.X = X
        self.index = index

    def __len__(self):
        return len(self.X) if self.index is None else len(self.index)

    def __getitem__(self, i):
        row = self.X[i if self.index is None else self.index[i]]
        return row, row

    def subset(self, positions):
        """The rows at ``positions`` (a tensor of positions in this dataset)."""
        return TensorRows(self.X, positions if self.index is None else self.index[positions])

    def take(self, positions):
        """A tensor of the rows at ``positions`` (a slice or a tensor of positions)."""
        if self.index is None:
            return self.X[positions]
        return self.X[self.index[positions].to(self.X.device)]

    def for_a_pass(self):
        """These rows with their index on the matrix's device: one transfer a pass."""
        return self if self.index is None else TensorRows(self.X, self.index.to(self.X.device))


class EncodedRows(TensorRows):
    """Rows of the validated rows ``A`` (a NumPy array), each batch put in the network's
    form by ``encode`` as it is taken: one pass over them (``partial_fit``) never holds
    the whole model matrix, only ``A`` and a batch. The batches equal those of a
    :class:`TensorRows` of ``encode(A)``, since ``encode`` works row by row."""

    def __init__(self, A, encode, index=None):
        super().__init__(A, index)
        self.encode = encode

    def __getitem__(self, i):
        row = self.take(slice(i, i + 1))[0]
        return row, row

    def subset(self, positions):
        index = positions if self.index is None else self.index[positions]
        return EncodedRows(self.X, self.encode, index)

    def take(self, positions):
        rows = positions if self.index is None else self.index[positions].numpy()
        return torch.from_numpy(self.encode(self.X[rows]))

    def for_a_pass(self):
        return self


class TensorBatches:
    """Yield ``(X_batch, X_batch)`` batches of a :class:`TensorRows`, in a new random order
    each pass when ``shuffle``: each batch is gathered from the one matrix by index.

    ``seed`` fixes the sequence of shuffles; a new iterator is made per ``fit``.
    """

    def __init__(self, dataset, batch_size, shuffle=False, seed=0):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(int(seed))

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        rows, n = self.dataset, len(self.dataset)
        if self.shuffle:
            rows = rows.subset(torch.randperm(n, generator=self.generator))
        rows = rows.for_a_pass()
        for start in range(0, n, self.batch_size):
            batch = rows.take(slice(start, start + self.batch_size))
            yield batch, batch


class HoldOut:
    """skorch ``train_split``: a random validation fraction, or none when too few rows."""

    def __init__(self, fraction, seed):
        self.fraction = fraction
        self.seed = seed

    def n_valid(self, n_samples):
        n_valid = int(round(n_samples * self.fraction))
        return n_valid if n_valid >= 1 and n_samples - n_valid >= 2 else 0

    def __call__(self, dataset, y=None):
        n = len(dataset)
        n_valid = self.n_valid(n)
        if n_valid == 0:
            return dataset, None
        order = torch.as_tensor(np.random.RandomState(self.seed).permutation(n))
        return dataset.subset(order[n_valid:]), dataset.subset(order[:n_valid])


def tensor_loop_params(rng):
    """skorch parameters every skae training loop shares: batches sliced from one tensor
    (:class:`TensorBatches`), reshuffled each epoch from a seed drawn from ``rng``, and
    skorch's own printing off."""
    return {
        "iterator_train": TensorBatches,
        "iterator_train__shuffle": True,
        "iterator_train__seed": rng.randint(MAX_SEED),
        "iterator_valid": TensorBatches,
        "callbacks__print_log": None,
        "verbose": 0,
    }
