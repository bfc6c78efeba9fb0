"""The networks of adversarial training: the generator (with its mixture start) and the
critic."""

import numpy as np
import torch
from torch import nn

from .layers import dense_or_conv, output_layer


class GeneratorModule(nn.Module):
    """Maps latent noise to rows of the model's matrix: an MLP (or, with ``input_shape``,
    transposed convolutions as in DCGAN), optionally beside a linear path.

    With ``linear_path=True`` the output is ``linear(z) + mlp(z)`` and the MLP's last layer
    starts at zero, so once the linear layer is set from PCA (:meth:`init_from_pca`) the
    untrained generator samples a Gaussian with the data's mean and covariance, and
    training only has to learn what is not Gaussian. With ``mixture_start=True`` the
    output is instead a draw of a Gaussian mixture made from the noise
    (:class:`MixtureDraws`, set with ``mixture.init_from_mixture``) plus the MLP's
    correction, which sees the draw and the unused noise and starts at zero. ``decode`` is
    the forward pass, so the generator decodes latent draws as an autoencoder's decoder
    decodes codes.
    """

    def __init__(
        self,
        latent_dim,
        n_features,
        hidden_layer_sizes,
        activation="relu",
        linear_path=True,
        input_shape=None,
        mixture_start=False,
    ):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = dense_or_conv(
            latent_dim,
            tuple(hidden_layer_sizes),
            n_features,
            activation,
            0.0,
            image_out=input_shape,
        )
        self.linear_path = linear_path and not mixture_start
        self.mixture = MixtureDraws(n_features) if mixture_start else None
        if self.linear_path:
            self.linear = nn.Linear(latent_dim, n_features)
        if self.linear_path or mixture_start:
            nn.init.zeros_(output_layer(self.net).weight)
            nn.init.zeros_(output_layer(self.net).bias)

    def forward(self, z):
        if self.mixture is not None:
            # The MLP sees the draw it corrects, and the noise the draw did not use.
            start = self.mixture(z)
            return start + self.net(torch.cat([start, z[:, start.shape[1] :]], dim=1))
        x = self.net(z)
        return x + self.linear(z) if self.linear_path else x

    decode = forward

    @torch.no_grad()
    def init_from_pca(self, components, mean, variances):
        """Map the first latent units to the principal axes, scaled by their standard
        deviations: standard normal noise then gives the data's mean and covariance (in
        the leading ``len(components)`` directions)."""
        n_pca = len(components)
        weight = torch.zeros_like(self.linear.weight)
        scale = np.sqrt(np.maximum(np.asarray(variances, dtype=np.float64), 0.0))
        weight[:, :n_pca] = torch.as_tensor((components * scale[:, None]).T).float()
        self.linear.weight.copy_(weight)
        self.linear.bias.copy_(torch.as_tensor(np.asarray(mean)).float())


class MixtureDraws(nn.Module):
    """Draws of a Gaussian mixture made from standard normal noise ``z``: its first
    ``n_features`` numbers are the draw's noise, ``x = mean_c + L_c z[:, :n_features]``
    (``L_c`` the Cholesky factor of component ``c``'s covariance), and the next one picks the
    component ``c`` by weight through its normal CDF. A function of ``z`` alone, so seeded
    noise gives the same rows. Set the mixture with :meth:`init_from_mixture`."""

    def __init__(self, n_features):
        super().__init__()
        self.register_buffer("means", torch.zeros(1, n_features))
        self.register_buffer("cholesky", torch.eye(n_features)[None])
        self.register_buffer("cumulative_weights", torch.ones(1))

    @torch.no_grad()
    def init_from_mixture(self, means, covariances, weights):
        """Take a full-covariance mixture's ``means_``, ``covariances_`` and ``weights_``."""
        device = self.means.device
        self.means = torch.as_tensor(means, dtype=torch.float32, device=device)
        cholesky = np.linalg.cholesky(np.asarray(covariances, dtype=np.float64))
        self.cholesky = torch.as_tensor(cholesky, dtype=torch.float32, device=device)
        cumulative = np.cumsum(weights) / np.sum(weights)
        self.cumulative_weights = torch.as_tensor(cumulative, dtype=torch.float32, device=device)

    def forward(self, z):
        n_features = self.means.shape[1]
        uniform = 0.5 * (1 + torch.erf(z[:, n_features] / np.sqrt(2)))
        last = len(self.cumulative_weights) - 1
        component = torch.searchsorted(self.cumulative_weights, uniform).clamp(max=last)
        noise = z[:, :n_features, None]
        return self.means[component] + (self.cholesky[component] @ noise)[..., 0]


class CriticModule(nn.Module):
    """Scores rows (higher = more real): an MLP (or, with ``input_shape``, strided
    convolutions) with leaky ReLUs and one output.

    No batch normalisation: the gradient penalty is defined per row, and batch statistics
    would couple the rows.
    """

    def __init__(self, n_features, hidden_layer_sizes, dropout=0.0, input_shape=None):
        super().__init__()
        hidden = tuple(hidden_layer_sizes)
        self.net = dense_or_conv(n_features, hidden, 1, "leaky_relu", dropout, image_in=input_shape)

    def forward(self, x):
        return self.net(x)[:, 0]
