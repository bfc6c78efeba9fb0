"""A multivariate normal's log-density in torch, so that batched scores and exported
graphs can include it."""

import numpy as np
import torch
from torch import nn


def gaussian_whitening(covariance):
    """``(whitening, log_norm)`` of a normal distribution with this covariance: the
    matrix ``W`` with ``(z - mean) @ W`` standard normal, and the log of the density's
    normalising constant; computed once, in float64, for :class:`GaussianLogDensity`."""
    cholesky = np.linalg.cholesky(np.asarray(covariance, dtype=np.float64))
    log_norm = -np.log(np.diag(cholesky)).sum() - 0.5 * len(cholesky) * np.log(2 * np.pi)
    return np.linalg.inv(cholesky).T, float(log_norm)


class GaussianLogDensity(nn.Module):
    """The log-density of a multivariate normal distribution with ``mean`` and the
    ``whitening`` and ``log_norm`` of :func:`gaussian_whitening`, so that a network's scores
    can include it batch by batch (float64 buffers: cast the module to the data's dtype)."""

    def __init__(self, mean, whitening, log_norm):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float64))
        self.register_buffer("whitening", torch.as_tensor(whitening, dtype=torch.float64))
        self.register_buffer("log_norm", torch.as_tensor(log_norm, dtype=torch.float64))

    def forward(self, z):
        return self.log_norm - 0.5 * (((z - self.mean) @ self.whitening) ** 2).sum(dim=1)
