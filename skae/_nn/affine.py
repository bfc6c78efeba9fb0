"""Affine maps in torch: the scaling of the model matrix, its inverse through a network's
outputs, and a weighted sum of standardised scores."""

import torch
from torch import nn


class Standardize(nn.Module):
    """``(x - mean) / scale`` in float32, as ``StandardScaler`` on float32 rows."""

    def __init__(self, mean, scale):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.scale


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


class ZScoredSum(nn.Module):
    """Per row, ``sum_k weight_k * (term_k - center_k) / scale_k`` of ``(n, k)`` score
    terms, in float64."""

    def __init__(self, center, scale, weights):
        super().__init__()
        self.register_buffer("center", torch.as_tensor(center, dtype=torch.float64))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float64))
        self.register_buffer("weights", torch.as_tensor(weights, dtype=torch.float64))

    def forward(self, terms):
        return ((terms.double() - self.center) / self.scale * self.weights).sum(dim=1)
