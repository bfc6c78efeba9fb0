"""Where and with how many threads torch computes.

- **Threads.** Small networks gain nothing from several CPU threads, and on a machine
  shared with other work (or inside ``GridSearchCV(n_jobs=...)``) threads that wait for
  each other spin against that work. :func:`compute_threads` runs a block with as many
  torch threads as its work keeps busy (one thread per ``MACS_PER_THREAD`` multiply-adds
  of a step), never more than the caller allows (``torch.set_num_threads`` or
  ``threadpoolctl.threadpool_limits``, which also sets torch's OpenMP threads), and
  restores the caller's setting afterwards.
- **The training matrix** goes to the training device once (:func:`training_rows`), not
  a batch at a time.
- **Inference batches** are sized for the device and the width of the rows
  (:func:`inference_batch_size`).
"""

import re
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from .._utils.sklearn_compat import InvalidParameterError
from .data import TensorRows

#: The values the ``device`` parameter accepts.
DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
#: Forward passes a training step costs: its forward pass and a backward pass of about two.
STEP_COST = 3
#: Multiply-adds of one step (a forward and backward pass of a batch, or an inference
#: batch) that keep one more CPU thread busy (user guide, *Threads*).
MACS_PER_THREAD = 100e6
#: Rows per inference batch on the CPU, at most (memory holds a batch's activations, not
#: every row's), and on a GPU, where larger batches keep the device busy.
CPU_INFERENCE_BATCH_SIZE = 4096
GPU_INFERENCE_BATCH_SIZE = 65536
#: Bytes of a CPU inference batch's widest row (input or output) times its rows, at most:
#: wide rows (one-hot categories, images) go fewer to a batch, so that a batch's transient
#: memory stays a few MiB whatever the width; narrow rows still go 4,096 to a batch.
CPU_INFERENCE_BATCH_BYTES = 2**20
#: The training matrix is moved to a GPU when it takes at most this fraction of the free
#: device memory; otherwise batches are moved one at a time.
MAX_DEVICE_MEMORY_FRACTION = 0.25


def multiply_adds(module, run):
    """Multiply-adds in ``module``'s linear and convolution layers while ``run()`` runs
    (without autograd, leaving the random state as it was: a variational module draws
    noise, which must not move the fit's seed)."""
    total = 0

    def count(layer, inputs, output):
        nonlocal total
        per_position = layer.weight.numel() * len(inputs[0])
        if isinstance(layer, nn.Conv2d):
            total += per_position * output.shape[-2] * output.shape[-1]
        elif isinstance(layer, nn.ConvTranspose2d):
            total += per_position * inputs[0].shape[-2] * inputs[0].shape[-1]
        else:
            total += per_position

    layers = (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)
    hooks = [m.register_forward_hook(count) for m in module.modules() if isinstance(m, layers)]
    device = next(module.parameters()).device
    try:
        with (
            torch.no_grad(),
            torch.random.fork_rng(devices=[device] if device.type == "cuda" else []),
        ):
            run()
    finally:
        for hook in hooks:
            hook.remove()
    return total


def forward_multiply_adds(module, n_inputs):
    """Multiply-adds of ``module``'s forward pass of one row of ``n_inputs`` zeros."""
    parameter = next(module.parameters())
    row = torch.zeros(1, n_inputs, dtype=parameter.dtype, device=parameter.device)
    return multiply_adds(module, lambda: module(row))


def threads_for(multiply_adds):
    """Torch threads for steps of ``multiply_adds``: one per ``MACS_PER_THREAD``, at least
    one, at most what the caller allows now."""
    wanted = int(multiply_adds // MACS_PER_THREAD)
    return int(np.clip(wanted, 1, torch.get_num_threads()))


@contextmanager
def compute_threads(multiply_adds):
    """Run the block with :func:`threads_for` ``(multiply_adds)`` torch threads, then
    restore the caller's thread count."""
    previous = torch.get_num_threads()
    torch.set_num_threads(threads_for(multiply_adds))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def training_rows(M, device):
    """The rows of the float32 matrix ``M`` as a :class:`TensorRows` for training on
    ``device``: moved there once when they fit (``MAX_DEVICE_MEMORY_FRACTION`` of a GPU's
    free memory), else left in host memory for the nets to move a batch at a time."""
    X = torch.from_numpy(M)
    if device.startswith("cuda"):
        free, _ = torch.cuda.mem_get_info(torch.device(device))
        if M.nbytes <= MAX_DEVICE_MEMORY_FRACTION * free:
            X = X.to(device)
    elif device == "mps":
        X = X.to(device)
    return TensorRows(X)


def inference_batch_size(device, row_bytes):
    """Rows per inference batch on ``device`` for rows of ``row_bytes`` (the wider of a
    row's input and output)."""
    if str(device).startswith("cuda"):
        return GPU_INFERENCE_BATCH_SIZE
    return max(1, min(CPU_INFERENCE_BATCH_SIZE, CPU_INFERENCE_BATCH_BYTES // row_bytes))


def resolve_device(device, owner):
    """The torch device string for the ``device`` parameter, or a clear error."""
    if not (isinstance(device, str) and DEVICE_PATTERN.match(device)):
        raise InvalidParameterError(
            f"The 'device' parameter of {owner} must be 'auto', 'cpu', 'cuda', 'cuda:N' or "
            f"'mps'. Got {device!r} instead."
        )
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        index = int(device.partition(":")[2] or 0)
        if not torch.cuda.is_available() or index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but no such CUDA device is available "
                f"({torch.cuda.device_count()} found). Use device='auto' or device='cpu'."
            )
    if device == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device='mps' was requested but MPS is not available.")
    return device
