"""Layer stacks the networks are built of: MLPs, and strided convolutions for images."""

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
