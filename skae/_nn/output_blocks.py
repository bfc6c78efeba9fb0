"""The column layout of the model matrix and each block's output head and loss."""

import numpy as np
import torch
import torch.nn.functional as F


class OutputBlocks:
    """The column layout of the model matrix: ``n_numeric`` numbers, then one block of
    one-hot columns per categorical column (``category_sizes``).

    On the network's side a categorical block holds logits; this class gives every block
    its output head and its loss: a regression loss for numbers, softmax and cross-entropy
    (or a Gumbel-softmax relaxation, for a GAN's generator) for categories. With no
    categorical columns every method reduces to its numeric part.

    With ``unit_interval=True`` the numbers are values in [0, 1] (pixel intensities): the
    network gives their logits, a sigmoid gives the values and the loss is the binary
    cross-entropy (a Bernoulli likelihood).
    """

    def __init__(self, n_numeric, category_sizes=(), unit_interval=False):
        self.n_numeric = int(n_numeric)
        self.unit_interval = bool(unit_interval)
        self.category_sizes = [int(size) for size in category_sizes]
        starts = self.n_numeric + np.r_[0, np.cumsum(self.category_sizes)].astype(int)
        self.category_slices = [slice(a, b) for a, b in zip(starts[:-1], starts[1:], strict=True)]
        self.n_columns = int(starts[-1])

    def __reduce__(self):
        # Saved as the arguments that rebuild it (``docs/design/architecture.md``, persistence).
        return type(self), (self.n_numeric, self.category_sizes, self.unit_interval)

    @property
    def n_user_columns(self):
        return self.n_numeric + len(self.category_sizes)

    def _log_probabilities(self, out):
        return [F.log_softmax(out[:, block], dim=1) for block in self.category_slices]

    def categorical_log_likelihood(self, out, target):
        """Per-row log-probability of the (one-hot) target categories, summed over the
        categorical columns."""
        total = out.new_zeros(len(out))
        for block, log_p in zip(self.category_slices, self._log_probabilities(out), strict=True):
            total = total + (target[:, block] * log_p).sum(dim=1)
        return total

    def _numeric_errors(self, out, target):
        """Per-value loss of the numbers: squared error, or binary cross-entropy of the
        logits for values in [0, 1]."""
        numeric = slice(0, self.n_numeric)
        if self.unit_interval:
            return F.binary_cross_entropy_with_logits(
                out[:, numeric], target[:, numeric], reduction="none"
            )
        return (out[:, numeric] - target[:, numeric]) ** 2

    def column_losses(self, out, target):
        """Per-row, per-user-column loss, ``(n, n_user_columns)``: squared error (or binary
        cross-entropy, for values in [0, 1]) for a number, cross-entropy for a category."""
        losses = [self._numeric_errors(out, target)]
        for block, log_p in zip(self.category_slices, self._log_probabilities(out), strict=True):
            losses.append(-(target[:, block] * log_p).sum(dim=1, keepdim=True))
        return torch.cat(losses, dim=1)

    def reconstruction_loss(self, out, target):
        """Per-row loss averaged over the user's columns (see :meth:`column_losses`)."""
        numeric = self._numeric_errors(out, target).sum(dim=1)
        if not self.category_slices:
            return numeric / max(self.n_numeric, 1)
        cross_entropy = -self.categorical_log_likelihood(out, target)
        return (numeric + cross_entropy) / self.n_user_columns

    def mean_reconstruction_loss(self, out, target):
        """The mean of :meth:`reconstruction_loss` over rows: the training loss. Without
        categories it is one fused kernel, which matters for small networks."""
        if not self.category_slices:
            if self.unit_interval:
                return F.binary_cross_entropy_with_logits(out, target)
            return F.mse_loss(out, target)
        return self.reconstruction_loss(out, target).mean()

    def log_likelihood(self, out, target, log_scale):
        """Per-row log-likelihood: independent normals (scales ``exp(log_scale)``), or
        Bernoulli distributions for values in [0, 1], for the numbers; categorical
        distributions (softmax of the logits) for the categories."""
        if self.unit_interval:
            total = -self._numeric_errors(out, target).sum(dim=1)
        else:
            numeric = slice(0, self.n_numeric)
            total = gaussian_log_likelihood(target[:, numeric], out[:, numeric], log_scale)
        if self.category_slices:
            total = total + self.categorical_log_likelihood(out, target)
        return total

    def activate(self, out, tau=None):
        """Rows as a critic compares them with one-hot real rows: numbers as values (the
        sigmoid of their logits, for values in [0, 1]), each categorical block a softmax,
        or with ``tau`` a Gumbel-softmax sample at that temperature (differentiable,
        nearly one-hot)."""
        numbers = out[:, : self.n_numeric]
        if self.unit_interval:
            numbers = torch.sigmoid(numbers)
        if not self.category_slices:
            return numbers
        parts = [numbers]
        for block in self.category_slices:
            logits = out[:, block]
            parts.append(
                F.softmax(logits, dim=1) if tau is None else F.gumbel_softmax(logits, tau=tau)
            )
        return torch.cat(parts, dim=1)

    @torch.no_grad()
    def logits_from_means_(self, linear, min_frequency=1e-3):
        """Turn a linear layer that outputs means (as a PCA reconstruction does) into one
        that outputs logits with, to first order, the same values: for one-hot columns
        (category frequencies) ``log p + (q - p) / p`` under a softmax, for values in
        [0, 1] ``logit p + (q - p) / (p (1 - p))`` under a sigmoid, at the mean ``p`` (the
        layer's bias)."""
        if self.unit_interval:
            numeric = slice(0, self.n_numeric)
            means = linear.bias[numeric].clamp(min_frequency, 1 - min_frequency)
            linear.weight[numeric] /= (means * (1 - means))[:, None]
            linear.bias[numeric] = torch.logit(means)
        for block in self.category_slices:
            frequencies = linear.bias[block].clamp(min=min_frequency)
            linear.weight[block] /= frequencies[:, None]
            linear.bias[block] = torch.log(frequencies)


def gaussian_log_likelihood(x, mean, log_scale):
    """Per-row log-density of ``x`` under independent normals (summed over features)."""
    z = (x - mean) * torch.exp(-log_scale)
    return -(0.5 * z**2 + log_scale + 0.5 * np.log(2 * np.pi)).sum(dim=1)
