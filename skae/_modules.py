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


class AutoencoderModule(nn.Module):
    """Encoder and decoder MLPs, each optionally beside a linear path.

    With ``linear_path=True`` the code is ``linear(x) + mlp(x)`` and the reconstruction
    ``linear(z) + mlp(z)``. The MLPs' last layers start at zero, so once the linear layers
    are set from PCA (:meth:`init_linear_path_from_pca`) the untrained network is exactly PCA
    and training only has to learn the non-linear correction.
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_layer_sizes=(128, 64),
        activation="relu",
        dropout=0.0,
        linear_path=True,
    ):
        super().__init__()
        hidden = tuple(hidden_layer_sizes)
        self.encoder_mlp = mlp(n_features, hidden, n_components, activation, dropout)
        self.decoder_mlp = mlp(n_components, hidden[::-1], n_features, activation, dropout)
        self.linear_path = linear_path
        if linear_path:
            self.encoder_linear = nn.Linear(n_features, n_components)
            self.decoder_linear = nn.Linear(n_components, n_features)
            for head in (self.encoder_mlp[-1], self.decoder_mlp[-1]):
                nn.init.zeros_(head.weight)
                nn.init.zeros_(head.bias)

    def encode(self, x):
        z = self.encoder_mlp(x)
        return z + self.encoder_linear(x) if self.linear_path else z

    def decode(self, z):
        x = self.decoder_mlp(z)
        return x + self.decoder_linear(z) if self.linear_path else x

    def forward(self, x):
        return self.decode(self.encode(x))

    @torch.no_grad()
    def init_linear_path_from_pca(self, components, mean):
        """Set the linear encoder to ``(x - mean) @ components.T`` and the decoder to its inverse.

        ``components`` may have fewer rows than the code has units (fewer samples or features
        than ``n_components``); the remaining code units start with zero linear weights.
        """
        n_pca, _ = components.shape
        weight = torch.zeros_like(self.encoder_linear.weight)
        weight[:n_pca] = torch.as_tensor(components, dtype=weight.dtype)
        mean = torch.as_tensor(np.asarray(mean), dtype=weight.dtype)
        self.encoder_linear.weight.copy_(weight)
        self.encoder_linear.bias.copy_(-weight @ mean)
        self.decoder_linear.weight.copy_(weight.T)
        self.decoder_linear.bias.copy_(mean)
