"""Batched inference: a network applied to the rows of an array batch by batch, without
autograd, at the precision of the data."""

import copy

import numpy as np
import torch

from .compute import compute_threads, inference_batch_size, multiply_adds


def inference_module(module, dtype):
    """``module`` in eval mode computing in ``dtype``.

    float64 data is run through a float64 copy of the (float32-trained) network so that a
    row's output does not depend on which other rows share its batch.
    """
    if dtype == np.float64:
        module = copy.deepcopy(module).double()
    return module.eval()


def predict_in_batches(
    module, X, fn, width, dtype, device, prepare=None, finish=None, output_dtype=None
):
    """``fn(module, batch)`` over the rows of ``X``, batch by batch, without autograd and
    computed in ``dtype``, into a ``(len(X), width)`` array of ``output_dtype`` (default:
    ``dtype``).

    ``prepare`` maps each NumPy batch before it becomes a tensor, ``finish`` each output
    batch (as ``output_dtype``) before it is stored. Only the output is ever held whole.
    """
    module = inference_module(module, dtype)
    output_dtype = dtype if output_dtype is None else output_dtype
    out = np.empty((len(X), width), dtype=output_dtype)

    def as_batch(rows):
        batch = X[rows] if prepare is None else prepare(X[rows])
        return torch.as_tensor(batch, dtype=module_dtype(dtype), device=device)

    with torch.inference_mode():
        first, outputs = as_batch(slice(0, 1)), []
        per_row = multiply_adds(module, lambda: outputs.append(fn(module, first)))
        row_bytes = first.element_size() * max(first[0].numel(), outputs[0][0].numel())
        batch_size = inference_batch_size(device, row_bytes)
        with compute_threads(per_row * min(len(X), batch_size)):
            for start in range(0, len(X), batch_size):
                rows = slice(start, start + batch_size)
                result = fn(module, as_batch(rows)).cpu().numpy().astype(output_dtype, copy=False)
                out[rows] = result if finish is None else finish(result)
    return out


def module_dtype(dtype):
    return torch.float64 if dtype == np.float64 else torch.float32


def compute_dtype(X):
    """Inference runs at the precision of the data (float32 stays float32)."""
    return np.float32 if X.dtype == np.float32 else np.float64
