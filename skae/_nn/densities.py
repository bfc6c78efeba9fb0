"""Densities and affine maps in torch, so that batched scores and exported graphs can
include them."""

import numpy as np
import torch
from torch import nn


class GaussianLogDensity(nn.Module):
    """The log-density of a multivariate normal distribution, in torch, so that a network's
    scores can include it batch by batch (float64 buffers: cast the module to the data's
    dtype)."""

    def __init__(self, mean, covariance):
        super().__init__()
        cholesky = np.linalg.cholesky(np.asarray(covariance, dtype=np.float64))
        log_norm = -np.log(np.diag(cholesky)).sum() - 0.5 * len(cholesky) * np.log(2 * np.pi)
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float64))
        self.register_buffer("whitening", torch.as_tensor(np.linalg.inv(cholesky).T))
        self.register_buffer("log_norm", torch.as_tensor(log_norm, dtype=torch.float64))

    def forward(self, z):
        return self.log_norm - 0.5 * (((z - self.mean) @ self.whitening) ** 2).sum(dim=1)


class Rescaled(nn.Module):
    """``module``'s outputs mapped from standardised units back to the data's units:
    ``module(x) * scale + mean`` (differentiable, unlike the codec's inverse)."""

    def __init__(self, module, mean, scale):
        super().__init__()
        self.module = module
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x):
        return self.module(x) * self.scale + self.mean
