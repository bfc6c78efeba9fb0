"""PyTorch modules: the networks behind the estimators.

Each module's ``__init__`` stores sizes and builds layers; nothing here knows about
scikit-learn, skorch, devices or data validation.
"""

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
}


def mlp(n_in, hidden_layer_sizes, n_out, activation="relu", dropout=0.0):
    """A stack of ``Linear -> activation -> Dropout`` blocks ending in a plain ``Linear``."""
    layers = []
    width = n_in
    for size in hidden_layer_sizes:
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def conv_sizes(height, width, n_stages):
    """Spatial sizes ``[(H, W), ...]`` before and after each of ``n_stages`` stages of 3x3
    convolutions with padding 1 and stride 2 in every dimension still larger than 1."""
    sizes = [(height, width)]
    for _ in range(n_stages):
        h, w = sizes[-1]
        sizes.append(((h + 1) // 2, (w + 1) // 2))
    return sizes


def _strides(larger, smaller):
    return tuple(2 if a > b else 1 for a, b in zip(larger, smaller, strict=True))


def conv_encoder(input_shape, channels, n_out, activation="relu", dropout=0.0):
    """Flattened ``(C, H, W)`` images -> ``n_out`` numbers: one strided 3x3 convolution
    per entry of ``channels`` (its output channels; each halves H and W, rounding up),
    then a ``Linear`` head, the last layer."""
    n_channels, height, width = input_shape
    sizes = conv_sizes(height, width, len(channels))
    layers = [nn.Unflatten(1, tuple(input_shape))]
    for size, smaller, out_channels in zip(sizes[:-1], sizes[1:], channels, strict=True):
        layers += [
            nn.Conv2d(n_channels, out_channels, 3, _strides(size, smaller), padding=1),
            ACTIVATIONS[activation](),
        ]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_channels = out_channels
    h, w = sizes[-1]
    layers += [nn.Flatten(), nn.Linear(n_channels * h * w, n_out)]
    return nn.Sequential(*layers)


def conv_decoder(n_in, output_shape, channels, activation="relu", dropout=0.0):
    """``n_in`` numbers -> flattened ``(C, H, W)`` images, the mirror of
    :func:`conv_encoder`: a ``Linear`` layer onto the coarsest grid, then one transposed
    3x3 convolution per entry of ``channels`` (input channels, coarsest first), each
    doubling H and W up to the exact size of the matching encoder stage."""
    n_channels, height, width = output_shape
    sizes = conv_sizes(height, width, len(channels))[::-1]
    h, w = sizes[0]
    layers = [nn.Linear(n_in, channels[0] * h * w), ACTIVATIONS[activation]()]
    layers.append(nn.Unflatten(1, (channels[0], h, w)))
    outputs = [*channels[1:], n_channels]
    for i, (size, larger) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        stride = _strides(larger, size)
        # The transposed convolution gives (n - 1) * stride + 1 (+ output_padding) rows.
        padding = tuple(t - (n - 1) * s - 1 for t, n, s in zip(larger, size, stride, strict=True))
        layers.append(
            nn.ConvTranspose2d(channels[i], outputs[i], 3, stride, 1, output_padding=padding)
        )
        if i < len(channels) - 1:
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    layers.append(nn.Flatten())
    return nn.Sequential(*layers)


def dense_or_conv(n_in, hidden, n_out, activation, dropout, image_in=None, image_out=None):
    """An MLP, or a convolutional encoder when the input is an image (``image_in``), or a
    convolutional decoder when the output is (``image_out``)."""
    if image_in is not None:
        return conv_encoder(image_in, hidden, n_out, activation, dropout)
    if image_out is not None:
        return conv_decoder(n_in, image_out, hidden, activation, dropout)
    return mlp(n_in, hidden, n_out, activation, dropout)


def output_layer(network):
    """The last layer with weights of a ``Sequential`` (a conv decoder ends in Flatten)."""
    return [layer for layer in network if hasattr(layer, "weight")][-1]


class AutoencoderModule(nn.Module):
    """Encoder and decoder networks (MLPs, or convolutional for images: ``input_shape``),
    each optionally beside a linear path.

    With ``linear_path=True`` the code is ``linear(x) + mlp(x)`` and the reconstruction
    ``linear(z) + mlp(z)``. The MLPs' last layers start at zero, so once the linear layers
    are set from PCA (:meth:`init_linear_path_from_pca`) the untrained network is exactly PCA
    and training only has to learn the non-linear correction.
    """

    #: Encoder outputs per code unit (the variational module adds a log-variance).
    encoder_heads = 1

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(128, 64),
        activation="relu",
        dropout=0.0,
        linear_path=True,
        input_shape=None,
    ):
        super().__init__()
        hidden = tuple(hidden_layer_sizes)
        self.n_components = n_components
        n_out = self.encoder_heads * n_components
        self.encoder_net = dense_or_conv(
            n_features, hidden, n_out, activation, dropout, image_in=input_shape
        )
        self.decoder_net = dense_or_conv(
            n_components, hidden[::-1], n_features, activation, dropout, image_out=input_shape
        )
        self.linear_path = linear_path
        if linear_path:
            self.encoder_linear = nn.Linear(n_features, n_components)
            self.decoder_linear = nn.Linear(n_components, n_features)
            for head in (output_layer(self.encoder_net), output_layer(self.decoder_net)):
                nn.init.zeros_(head.weight)
                nn.init.zeros_(head.bias)

    def _encoder_outputs(self, x):
        """The code (its mean, for the variational module) and the other encoder heads."""
        out = self.encoder_net(x)
        code, rest = out[:, : self.n_components], out[:, self.n_components :]
        return (code + self.encoder_linear(x) if self.linear_path else code), rest

    def encode(self, x):
        return self._encoder_outputs(x)[0]

    def decode(self, z):
        x = self.decoder_net(z)
        return x + self.decoder_linear(z) if self.linear_path else x

    def forward(self, x):
        return self.decode(self.encode(x))

    def decoder_parameters(self):
        """The decoder's ``(name, parameter)`` pairs: those of the layers that map codes
        to outputs (a variational module's ``log_scale`` belongs to its likelihood)."""
        layers = {"decoder_net": self.decoder_net}
        if self.linear_path:
            layers["decoder_linear"] = self.decoder_linear
        return [
            (f"{prefix}.{name}", parameter)
            for prefix, layer in layers.items()
            for name, parameter in layer.named_parameters()
        ]

    @torch.no_grad()
    def init_linear_path_from_pca(self, components, mean, scale=None):
        """Set the linear encoder to ``(x - mean) @ components.T / scale`` and the linear
        decoder to its inverse.

        ``scale`` (one per component, default 1) whitens the codes. ``components`` may have
        fewer rows than the code has units (fewer samples or features than
        ``n_components``); the remaining code units start with zero linear weights.
        """
        n_pca = len(components)
        components = torch.as_tensor(components, dtype=torch.float32)
        scale = torch.ones(n_pca) if scale is None else torch.as_tensor(scale).float()
        encoder = torch.zeros_like(self.encoder_linear.weight)
        encoder[:n_pca] = components / scale[:, None]
        decoder = torch.zeros_like(self.decoder_linear.weight)
        decoder[:, :n_pca] = (components * scale[:, None]).T
        mean = torch.as_tensor(np.asarray(mean), dtype=torch.float32)
        self.encoder_linear.weight.copy_(encoder)
        self.encoder_linear.bias.copy_(-encoder @ mean)
        self.decoder_linear.weight.copy_(decoder)
        self.decoder_linear.bias.copy_(mean)

    @torch.no_grad()
    def rescale_numeric(self, old, new):
        """Keep the function from the user's units to the user's units while the first
        ``len(mean)`` columns (the numeric ones) of the model matrix change from ``(x -
        mean) / scale`` with ``old = (mean, scale)`` to ``new``: the inputs' weights and the
        outputs' weights and biases take the change. Dense networks only."""
        (old_mean, old_scale), (new_mean, new_scale) = old, new
        ratio = torch.as_tensor(new_scale / old_scale, dtype=torch.float32)  # u = ratio u' + shift
        shift = torch.as_tensor((new_mean - old_mean) / old_scale, dtype=torch.float32)
        numeric = slice(0, len(ratio))
        inputs = [self.encoder_net[0]] + ([self.encoder_linear] if self.linear_path else [])
        for layer in inputs:
            layer.bias += layer.weight[:, numeric] @ shift.to(layer.weight.device)
            layer.weight[:, numeric] *= ratio.to(layer.weight.device)
        outputs = [output_layer(self.decoder_net)]
        outputs += [self.decoder_linear] if self.linear_path else []
        for layer in outputs:  # u' = (u - shift) / ratio, the shift taken once
            layer.weight[numeric] /= ratio.to(layer.weight.device)[:, None]
            layer.bias[numeric] /= ratio.to(layer.weight.device)
        outputs[-1].bias[numeric] -= (shift / ratio).to(outputs[-1].bias.device)


class VAEModule(AutoencoderModule):
    """Gaussian encoder ``q(z|x)``, decoder mean and a learned per-feature decoder scale.

    The scales belong to the first ``n_gaussian`` outputs (default: all), the numeric
    columns; the outputs after them are the logits of categorical columns.

    ``forward`` draws ``z`` with the reparameterisation trick and returns
    ``(x_mean, z_mean, z_logvar)``. The log-variance is clamped to ``LOGVAR_RANGE`` so that
    ``exp`` can neither overflow nor vanish.
    """

    encoder_heads = 2
    LOGVAR_RANGE = (-30.0, 20.0)

    def __init__(self, n_features, n_components, *args, n_gaussian=None, **kwargs):
        super().__init__(n_features, n_components, *args, **kwargs)
        n_gaussian = n_features if n_gaussian is None else n_gaussian
        self.log_scale = nn.Parameter(torch.zeros(n_gaussian))

    def encode_distribution(self, x):
        z_mean, z_logvar = self._encoder_outputs(x)
        return z_mean, z_logvar.clamp(*self.LOGVAR_RANGE)

    def forward(self, x):
        z_mean, z_logvar = self.encode_distribution(x)
        z = z_mean + torch.exp(0.5 * z_logvar) * torch.randn_like(z_mean)
        return self.decode(z), z_mean, z_logvar

    @torch.no_grad()
    def rescale_numeric(self, old, new):
        """As the autoencoder's, and the decoder's scales of the numeric columns follow."""
        super().rescale_numeric(old, new)
        ratio = torch.as_tensor(new[1] / old[1], dtype=torch.float32)
        self.log_scale[: len(ratio)] -= torch.log(ratio).to(self.log_scale.device)

    @torch.no_grad()
    def init_from_probabilistic_pca(self, components, mean, variances, noise_variance):
        """Start at the probabilistic-PCA solution: whitened PCA codes (matching the N(0, I)
        prior), posterior variances ``noise_variance / variances`` and decoder scale
        ``sqrt(noise_variance)``."""
        variances = np.maximum(np.asarray(variances, dtype=np.float64), 1e-12)
        noise_variance = max(float(noise_variance), 1e-6)
        self.init_linear_path_from_pca(components, mean, np.sqrt(variances))
        logvar = torch.zeros(self.n_components)
        logvar[: len(variances)] = torch.as_tensor(np.log(noise_variance / variances)).float()
        head = output_layer(self.encoder_net)
        head.bias[self.n_components :] = logvar.clamp(*self.LOGVAR_RANGE)
        self.log_scale.fill_(0.5 * np.log(noise_variance))


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
