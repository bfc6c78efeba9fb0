"""The encoder/decoder networks of the autoencoder and the variational autoencoder."""

import numpy as np
import torch
from torch import nn

from .layers import dense_or_conv, output_layer


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
