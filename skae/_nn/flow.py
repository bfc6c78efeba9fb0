"""A flow-matching generator for tables: a velocity field over the model matrix, trained to
carry standard normal noise to data along straight lines (rectified flow), and the ODE
solver that samples with it."""

import math

import torch
from torch import nn

from .layers import ACTIVATIONS

#: Frequencies of the sine and cosine features of the flow's time (a multiple of 2).
TIME_FEATURES = 64
#: Largest frequency of the time features.
MAX_TIME_FREQUENCY = 1000.0
#: The ODE's time grid is ``1 - (1 - u) ** TIME_GRID_POWER`` for ``u`` evenly spaced in
#: [0, 1]: steps shrink towards the data (``t = 1``), where the rows take their shape.
TIME_GRID_POWER = 2
#: Categorical outputs become logits this many times their one-hot coordinate, so that the
#: codec's softmax picks the category the flow ends nearest to.
CATEGORY_LOGIT_SCALE = 20.0


class ResidualMLP(nn.Module):
    """``n_in`` numbers and a time in [0, 1] → ``n_out`` numbers: a linear layer onto the
    first hidden width, then one residual block (activation, linear) per further hidden
    layer of the same width (a plain layer where the width changes), then an activation
    and a linear output layer. The time enters as sine and cosine features beside the
    input."""

    def __init__(self, n_in, hidden_layer_sizes, n_out, activation="silu"):
        super().__init__()
        widths = tuple(hidden_layer_sizes)
        half = TIME_FEATURES // 2
        self.register_buffer(
            "frequencies", torch.exp(torch.linspace(0.0, math.log(MAX_TIME_FREQUENCY), half))
        )
        self.input = nn.Linear(n_in + TIME_FEATURES, widths[0])
        self.blocks = nn.ModuleList(
            nn.Sequential(ACTIVATIONS[activation](), nn.Linear(a, b))
            for a, b in zip(widths[:-1], widths[1:], strict=True)
        )
        self.output = nn.Sequential(ACTIVATIONS[activation](), nn.Linear(widths[-1], n_out))

    def forward(self, x, t):
        angles = t[:, None] * self.frequencies[None]
        h = self.input(torch.cat([x, torch.sin(angles), torch.cos(angles)], dim=1))
        for block in self.blocks:
            out = block(h)
            h = h + out if out.shape == h.shape else out
        return self.output(h)


class FlowModule(nn.Module):
    """A velocity field ``v(x, t)`` over rows of the model matrix in flow space: numbers as
    they are (the quantile scaler makes them standard normal), one-hot categories as
    ``-1`` / ``+1``. Training regresses ``v(x_t, t)`` on ``x_1 - x_0`` for ``x_t = (1 -
    t) x_0 + t x_1``, noise ``x_0``, data ``x_1`` (:class:`~skae._nn.losses.FlowMatchingLoss`);
    :meth:`decode` integrates ``dx/dt = v`` from noise at ``t = 0`` to ``t = 1`` with
    ``n_steps`` steps of Heun's method on a grid that is finer towards ``t = 1``
    (``TIME_GRID_POWER``), so that a seeded noise gives the same rows.

    ``category_slices`` are the model matrix's one-hot blocks; ``decode`` gives them as
    logits.
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes=(512, 512, 512, 512),
        activation="silu",
        category_slices=(),
        n_steps=10,
    ):
        super().__init__()
        self.n_steps = int(n_steps)
        self.velocity = ResidualMLP(n_features, hidden_layer_sizes, n_features, activation)
        categorical = torch.zeros(n_features, dtype=torch.bool)
        for block in category_slices:
            categorical[block] = True
        self.register_buffer("categorical", categorical)

    def forward(self, x, t):
        return self.velocity(x, t)

    def to_flow_space(self, M):
        """Rows of the model matrix in flow space (one-hot columns to -1 / +1)."""
        return torch.where(self.categorical, 2 * M - 1, M)

    def decode(self, z):
        """Rows of the model matrix (categories as logits) from noise rows ``z``."""
        x = z
        for start, end in self._time_steps(z):
            x = self._heun_step(x, start, end)
        return self._logits(x)

    def inpaint(self, z, known, known_mask, n_resamples=1, generator=None):
        """Rows of the model matrix (categories as logits) from noise rows ``z``, whose
        columns ``known_mask`` end at their values in ``known`` (rows in flow space).

        Before every step the known columns are set where their straight path from fresh
        noise to their value is at that time (RePaint, Lugmayr et al., 2022, for the flow),
        and each step is taken ``n_resamples`` times: after all but the last the rows go
        back to the step's start by the forward noising of the path, so that the other
        columns are pulled towards the known values repeatedly rather than once. Fresh
        noise comes from ``generator``."""

        def fresh_noise():
            return torch.randn(z.shape, generator=generator, device=z.device, dtype=z.dtype)

        x = z
        for start, end in self._time_steps(z):
            for resample in range(n_resamples):
                noise = fresh_noise()
                x = torch.where(known_mask, (1 - start) * noise + start * known, x)
                x = self._heun_step(x, start, end, known, known_mask, noise)
                if resample < n_resamples - 1:
                    # x_start = (start / end) x_end + noise: the path's data part scales
                    # with time, its noise part's spread is 1 - time.
                    ratio = start / end
                    spread = torch.sqrt(torch.clamp((1 - start) ** 2 - (ratio * (1 - end)) ** 2, 0))
                    x = ratio * x + spread * fresh_noise()
        return self._logits(torch.where(known_mask, known, x))

    def _time_steps(self, z):
        even = torch.linspace(0.0, 1.0, self.n_steps + 1, dtype=z.dtype, device=z.device)
        times = 1 - (1 - even) ** TIME_GRID_POWER
        return zip(times[:-1], times[1:], strict=True)

    def _heun_step(self, x, start, end, known=None, known_mask=None, noise=None):
        """``x`` at time ``start`` integrated to ``end`` by one step of Heun's method; with
        ``known``, the known columns of its Euler guess set on their path from ``noise``."""
        step = end - start
        velocity = self(x, start.expand(len(x)))
        guess = x + step * velocity
        if known is not None:
            guess = torch.where(known_mask, (1 - end) * noise + end * known, guess)
        return x + step * (velocity + self(guess, end.expand(len(x)))) / 2

    def _logits(self, x):
        return torch.where(self.categorical, CATEGORY_LOGIT_SCALE * x, x)
