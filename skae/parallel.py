"""Data-parallel training: one model trained by several processes with PyTorch's
``DistributedDataParallel`` (DDP).

Inside :func:`data_parallel`, ``fit`` and ``partial_fit`` of
:class:`~skae.AutoencoderTransformer` and :class:`~skae.VAETransformer` train one network
across the processes of a ``torch.distributed`` process group, such as the processes that
``torchrun`` starts, one per GPU (or several on CPUs with the ``gloo`` backend):

- every process passes the **same rows** to ``fit`` (read the same file in each); the
  scaling, the code size, the PCA start, the validation split and early stopping are
  computed alike in each process, from one seed (process 0's);
- each training batch is **split between the processes**, and DDP averages their
  gradients, so a step's gradient is that of the whole batch and ``batch_size`` keeps its
  meaning (raise it to give each process more rows a step); the training loss of each
  batch is averaged over the processes before it is recorded, so every process keeps the
  same history and takes the same early-stopping decision;
- after ``fit`` each process holds the same plain fitted estimator: it pickles, loads and
  predicts in one process like any other (save it from process 0).

The GAN and the fusion train in one process; fitting them inside :func:`data_parallel`
raises an error.
"""

from contextlib import contextmanager

import torch.distributed as dist

from ._training.parallel import ProcessGroup, active_group

__all__ = ["data_parallel"]


@contextmanager
def data_parallel(backend=None):
    """Train the autoencoders fitted inside the block data-parallel across processes.

    Run the same script in every process (for example ``torchrun --nproc_per_node 2
    train.py``); in each, fit the same estimator on the same rows inside the block. See
    the module documentation for what is split and what is shared.

    Parameters
    ----------
    backend : str, default=None
        The ``torch.distributed`` backend used when the block has to start the process
        group itself from the environment ``torchrun`` sets (``RANK``, ``WORLD_SIZE``,
        ``MASTER_ADDR``, ``MASTER_PORT``); ``None`` lets PyTorch choose (``gloo`` on CPU,
        ``nccl`` on CUDA). A group the caller started is used as it is, and left running.

    Yields
    ------
    rank : int
        This process's rank in the group (0 to ``world_size - 1``).

    Examples
    --------
    A script that ``torchrun --nproc_per_node 2 train.py`` runs in two processes:

    >>> from sklearn.datasets import load_digits  # doctest: +SKIP
    >>> from skae import AutoencoderTransformer  # doctest: +SKIP
    >>> from skae.parallel import data_parallel  # doctest: +SKIP
    >>> X, _ = load_digits(return_X_y=True)  # doctest: +SKIP
    >>> with data_parallel() as rank:  # doctest: +SKIP
    ...     ae = AutoencoderTransformer(n_components=8, random_state=0).fit(X)
    >>> if rank == 0:  # doctest: +SKIP
    ...     import joblib
    ...     joblib.dump(ae, "autoencoder.joblib")
    """
    started_here = not dist.is_initialized()
    if started_here:
        dist.init_process_group(backend)
    try:
        with active_group(ProcessGroup()):
            yield dist.get_rank()
    finally:
        if started_here:
            dist.destroy_process_group()
