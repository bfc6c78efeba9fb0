"""Parameter descriptions shared by the estimators' docstrings, and the link to their API
pages.

A class docstring names a shared block as ``{name}``; :func:`fill_doc` substitutes it, so each
parameter is described once (the ``Substitution`` pattern of imbalanced-learn).
"""

import textwrap

#: The API page of a public estimator, the target of the "?" in its HTML representation
#: (scikit-learn's ``_doc_link_*`` hooks fill in ``skae`` and the class name).
DOC_LINK_TEMPLATE = (
    "https://skae.readthedocs.io/en/latest/generated/{estimator_module}.{estimator_name}.html"
)

_SHARED = {
    "network_params": """
hidden_layer_sizes : tuple of int, default=(128, 64)
    Widths of the encoder's hidden layers; the decoder mirrors them. ``()`` gives a linear
    model.

activation : {"relu", "leaky_relu", "elu", "gelu", "silu", "tanh"}, default="relu"
    Non-linearity between hidden layers.

dropout : float in [0, 1), default=0.0
    Dropout probability after every hidden layer, during training only.
""",
    "training_params": """
max_epochs : int, default=200
    Upper bound on the number of passes over the training data.

batch_size : int or "auto", default="auto"
    Rows per optimisation step. ``"auto"`` uses ``clip(n_samples // 10, 32, 256)``.

lr : float, default=1e-3
    Learning rate of the Adam optimiser.

weight_decay : float, default=0.0
    Decoupled weight decay (AdamW).

early_stopping : bool, default=True
    Hold out ``validation_fraction`` of the rows and stop when their loss has not improved
    by a relative ``tol`` for ``n_iter_no_change`` epochs; the weights of the best epoch are
    kept. The weights validated, and kept, are a moving average of the recent steps'
    weights, which generalises better (design notes, *Averaged weights*). With too few rows
    to hold out, the training loss is monitored instead, on the weights as trained.

validation_fraction : float in (0, 1), default=0.1
    Fraction of the rows held out for early stopping.

n_iter_no_change : int, default=10
    Epochs without improvement before training stops; three times as many until an epoch
    first beats the untrained (PCA-initialised) weights, whose loss often rises for the
    first few epochs.

tol : float, default=1e-4
    Smallest relative improvement of the monitored loss that counts.

warm_start : bool, default=False
    ``True`` makes ``fit`` on a fitted model continue training its network (another
    ``max_epochs``, with early stopping as set) from the fitted weights, on data of the
    same columns and categories, as ``MLPRegressor`` does; the scaling and the code size
    stay as first fitted. ``False`` fits from scratch.

{scaler_param}

contamination : float in (0, 0.5], default=0.1
    Expected fraction of outliers in the training data; sets ``offset_`` so that about
    this fraction of the training rows get ``predict == -1``.
""",
    "reconstruction_loss_param": """
reconstruction_loss : {"auto", "mse", "bce"}, default="auto"
    ``"mse"``: squared error (for ``VAETransformer``, a Gaussian decoder). ``"bce"``:
    binary cross-entropy (a Bernoulli decoder), for numbers in [0, 1] such as pixel
    intensities; the decoder's outputs pass through a sigmoid, so reconstructions and
    samples stay in [0, 1]. ``"bce"`` needs ``X`` in [0, 1] and ``scaler=None`` or
    ``"auto"``, and is then the reconstruction term of ``score_samples``. ``"auto"`` is
    ``"bce"`` for images (``input_shape``) whose pixels all lie in [0, 1] and are not
    scaled, ``"mse"`` otherwise: the Bernoulli likelihood fits pixel intensities better
    than the squared error, even as judged by the held-out squared error (user guide,
    *Images*).
""",
    "scaler_param": """
scaler : {"auto", "standard", "quantile"} or None, default="auto"
    How numeric columns are normalised inside the model: ``"standard"`` standardises them,
    ``"quantile"`` maps each through its empirical CDF onto a standard normal (for skewed
    or zero-inflated columns), ``None`` leaves them as they are. ``"auto"`` is
    ``"standard"`` for tables and ``None`` for images (``input_shape``) and for outputs
    in [0, 1]: pixels share one scale, and scaling each by its own spread blows up the
    rarely-inked border pixels (user guide, *Images*).
    Outputs are always in the original units.
""",
    "runtime_params": """
device : str, default="auto"
    ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    Resolved at fit time into ``device_``.

random_state : int, RandomState instance or None, default=None
    Seeds weight initialisation, shuffling, the validation split and sampling. With an int,
    two fits on the same data on CPU give identical results. Fitting never changes the
    global NumPy or torch random state.

verbose : int, default=0
    ``0`` is silent; ``1`` shows a progress bar over epochs with the losses.
""",
    "input_shape_param": """
input_shape : tuple of int or None, default=None
    ``None`` for tables. ``(C, H, W)`` for rows that are flattened images (``C * H * W``
    numeric features): the networks become convolutional, one strided 3x3 convolution
    per entry of ``hidden_layer_sizes`` (its channels; each halves H and W) and a dense
    head, mirrored by transposed convolutions. Any H and W work.
""",
    "fitted_attributes": """
n_features_in_ : int
    Number of features seen during ``fit``.

feature_names_in_ : ndarray of shape (n_features_in,)
    Names of the features seen during ``fit``, when ``X`` was a DataFrame of string columns.

device_ : str
    The device the network lives on.

n_iter_ : int
    Number of epochs run.
""",
    "autoencoder_attributes": """
history_ : list of dict
    One dict per epoch: ``epoch``, ``train_loss``, ``valid_loss`` (with early stopping),
    ``dur`` (seconds). ``pandas.DataFrame(est.history_)`` makes it a table.

net_ : skorch.NeuralNet
    The fitted skorch net; ``net_.module_`` is the PyTorch module.

offset_ : float
    ``decision_function(X) = score_samples(X) - offset_``.
""",
}


_SHARED["training_params"] = _SHARED["training_params"].replace(
    "{scaler_param}", _SHARED["scaler_param"].strip("\n")
)


def fill_doc(obj):
    """Substitute the shared parameter blocks into ``obj.__doc__``."""
    blocks = {name: textwrap.indent(text.strip("\n"), "    ") for name, text in _SHARED.items()}
    obj.__doc__ = obj.__doc__.format(**{k: v.lstrip() for k, v in blocks.items()})
    return obj
