"""The plumbing of data-parallel training (:func:`skae.parallel.data_parallel`): the
process group the estimators and nets see while the block runs, how batches, seeds and
losses are shared between its processes, and the data-parallel parts of a net
(:class:`DataParallelNet`)."""

import os
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

_GROUP = ContextVar("skae_data_parallel_group", default=None)


@contextmanager
def active_group(group):
    """:func:`current_group` is ``group`` inside the block."""
    token = _GROUP.set(group)
    try:
        yield group
    finally:
        _GROUP.reset(token)


def current_group():
    """The :class:`ProcessGroup` of the enclosing ``skae.parallel.data_parallel()`` block,
    or None."""
    return _GROUP.get()


class ProcessGroup:
    """The default ``torch.distributed`` group, seen by the estimators and nets that train
    in it."""

    def __init__(self):
        self.rank = dist.get_rank()
        self.world_size = dist.get_world_size()
        self.backend = dist.get_backend()

    def _tensor(self, values, dtype):
        """``values`` as a tensor on the device the backend communicates from."""
        device = f"cuda:{torch.cuda.current_device()}" if self.backend == "nccl" else "cpu"
        return torch.as_tensor(values, dtype=dtype, device=device)

    def local_device(self, device):
        """``device`` for this process: a bare ``"cuda"`` becomes the GPU of the process's
        local rank, as ``torchrun`` numbers them."""
        if device != "cuda":
            return device
        local_rank = int(os.environ.get("LOCAL_RANK", self.rank))
        index = local_rank % torch.cuda.device_count()
        torch.cuda.set_device(index)
        return f"cuda:{index}"

    def shared_rng(self, rng):
        """``rng`` (a NumPy ``RandomState``) with process 0's state in every process."""
        name, keys, position, has_gauss, cached_gaussian = rng.get_state()
        state = self._tensor([*keys, position, has_gauss, cached_gaussian], torch.float64)
        dist.broadcast(state, src=0)
        state = state.cpu().numpy()
        rng.set_state((name, state[:-3].astype(np.uint32), *state[-3:-1].astype(int), state[-1]))
        return rng

    def check_same_rows(self, A, owner):
        """Raise unless every process passed the same validated training rows ``A``
        (compared by shape and checksums)."""
        mine = [*A.shape, float(A.sum(dtype=np.float64)), float((A * A).sum(dtype=np.float64))]
        mine = self._tensor(mine, torch.float64)
        gathered = [torch.empty_like(mine) for _ in range(self.world_size)]
        dist.all_gather(gathered, mine)
        everyone = torch.stack(gathered).cpu().numpy()
        differ = np.flatnonzero((everyone != everyone[0]).any(axis=1))
        if differ.size:
            other = int(differ[0])
            raise ValueError(
                f"{type(owner).__name__} trains data-parallel on the same rows in every "
                f"process, but process {other} passed a {int(everyone[other][0])} x "
                f"{int(everyone[other][1])} matrix different from process 0's "
                f"{int(everyone[0][0])} x {int(everyone[0][1])}. Pass every process the "
                "same X; each trains on its share of every batch."
            )

    def wrap(self, module):
        """``module`` in ``DistributedDataParallel`` (which copies process 0's weights to
        every process)."""
        parameter = next(module.parameters())
        device_ids = [parameter.device] if parameter.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=device_ids)

    def share(self, batches):
        """The batches ``(X, y)`` of the iterable ``batches``, each cut to this process's
        part (see :class:`ProcessBatches`)."""
        return ProcessBatches(batches, self.rank, self.world_size)

    def average_batch_values(self, batches, prefix):
        """Replace each value a training step recorded as a tensor in ``batches`` (skorch
        history rows), and each ``{prefix}_batch_size``, by its value over the whole batch:
        the row-weighted mean over the processes, and the total size. One collective."""
        size_key = f"{prefix}_batch_size"
        places = [(row, key) for row in batches for key, v in row.items() if torch.is_tensor(v)]
        if not places:
            return
        sizes = torch.tensor([float(row[size_key]) for row, _ in places])
        values = torch.stack([row[key].detach().float().cpu() for row, key in places])
        totals = self._tensor(torch.cat([values * sizes, sizes]), torch.float64)
        dist.all_reduce(totals)
        totals = totals.cpu()
        means = (totals[: len(places)] / totals[len(places) :]).tolist()
        for (row, key), mean, size in zip(places, means, totals[len(places) :], strict=True):
            row[key] = mean
            row[size_key] = int(size)


def _part(n_rows, rank, world_size):
    """The slice of ``n_rows`` batch rows that process ``rank`` trains on: the parts
    differ in size by one row at most."""
    base, extra = divmod(n_rows, world_size)
    start = rank * base + min(rank, extra)
    return slice(start, start + base + (rank < extra))


class ProcessBatches:
    """Iterate over this process's part of every batch ``(X, y)`` of ``batches``; a batch
    with fewer rows than processes is left out (by every process alike)."""

    def __init__(self, batches, rank, world_size):
        self.batches = batches
        self.rank = rank
        self.world_size = world_size

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for X, y in self.batches:
            if len(X) >= self.world_size:
                rows = _part(len(X), self.rank, self.world_size)
                yield X[rows], y[rows]


class DataParallelNet:
    """The data-parallel parts of a skorch net (``skae._training.nets.BaseNet``), in effect
    inside ``skae.parallel.data_parallel()`` only: the training steps run the module
    wrapped in ``DistributedDataParallel`` (so that backward averages the gradients),
    each training batch is cut to this process's part, and the values the steps record
    are averaged over the processes (:meth:`average_over_processes`)."""

    #: The wrapped module's forward pass while a data-parallel fit trains; ``None`` else.
    #: Kept as a bound method, which skorch's registry of torch components (it would save
    #: a module with the net) leaves alone.
    _parallel_forward = None

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        group = current_group()
        self._parallel_forward = None if group is None else group.wrap(self.module_).__call__
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            self._parallel_forward = None

    def get_iterator(self, dataset, training=False):
        """skorch's iterator; in a data-parallel fit, training batches are cut to this
        process's part of each."""
        iterator = super().get_iterator(dataset, training=training)
        group = current_group()
        return group.share(iterator) if training and group is not None else iterator

    def infer(self, x, **fit_params):
        """The module's forward pass; through ``DistributedDataParallel`` in the training
        steps of a data-parallel fit."""
        if self._parallel_forward is not None and torch.is_grad_enabled():
            return self._parallel_forward(x.to(self.device), **fit_params)
        return super().infer(x, **fit_params)

    def average_over_processes(self, batches, prefix):
        """In a data-parallel fit, each value the training steps recorded as a tensor in
        ``batches`` (an epoch's skorch history rows) becomes its mean over the processes
        (see :meth:`ProcessGroup.average_batch_values`)."""
        group = current_group()
        if group is not None:
            group.average_batch_values(batches, prefix)
