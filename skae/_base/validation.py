"""Checks shared by the estimators, each with an error that names the estimator and says
what to change: the rows (as scikit-learn validates them), the layer sizes and image
shape, the scaler and output range the parameters and data call for, and whether a fit may
train data-parallel."""

import numbers

import numpy as np
import pandas as pd
import torch
from sklearn.utils.validation import check_array, validate_data

from .._tabular.frames import to_pandas
from .._training.parallel import current_group
from .._utils.sklearn_compat import InvalidParameterError


def check_rows(estimator, X, reset, min_samples=1):
    """``X`` validated for ``estimator``, whose name errors carry and whose feature names
    and count are set (``reset``) or checked: a DataFrame (polars and pyarrow ones as
    pandas) keeps its columns for the codec to check one by one; anything else (a torch
    tensor included) becomes a float array, float32 staying float32. Too few rows or no
    columns get scikit-learn's messages."""
    X = to_pandas(X)
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()  # keeps float32 float32, as a float32 array
    if not isinstance(X, pd.DataFrame):
        try:
            return validate_data(
                estimator,
                X,
                reset=reset,
                dtype=[np.float64, np.float32],
                ensure_min_samples=min_samples,
            )
        except ValueError as error:
            if "could not convert" not in str(error):
                raise
            raise ValueError(
                f"X holds values that are not numbers ({error}). {type(estimator).__name__} "
                "models such columns as categories in a DataFrame (pandas, polars or "
                "pyarrow): pass pd.DataFrame(X, columns=...) instead of an array."
            ) from error
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    # The shape checks alone, on a zero-copy stand-in of X's shape.
    check_array(np.broadcast_to(0.0, X.shape), ensure_min_samples=min_samples, estimator=estimator)
    return X


def check_layer_sizes(estimator):
    """Every parameter of ``estimator`` named ``*hidden_layer_sizes`` holds positive
    integers (its type is checked with the other parameters), and ``input_shape`` is
    ``None`` or ``(channels, height, width)``: an ``InvalidParameterError`` otherwise."""
    owner = type(estimator).__name__
    for name, sizes in estimator.get_params(deep=False).items():
        if name.endswith("hidden_layer_sizes") and not all(
            isinstance(size, numbers.Integral) and size >= 1 for size in sizes
        ):
            raise InvalidParameterError(
                f"The '{name}' parameter of {owner} must hold positive integers. Got "
                f"{sizes!r} instead."
            )
    shape = estimator.input_shape
    if shape is not None and not (
        len(shape) == 3 and all(isinstance(d, numbers.Integral) and d >= 1 for d in shape)
    ):
        raise InvalidParameterError(
            f"The 'input_shape' parameter of {owner} must be None or (channels, height, "
            f"width), three positive integers. Got {shape!r} instead."
        )


def scaler_in_effect(scaler, table_scaler, input_shape, setting, unit_interval):
    """The ``scaler`` in effect: ``"auto"`` is none for images (``input_shape``), whose
    pixels share one scale (scaling each pixel by its own spread blows up the rarely-inked
    border pixels), and for outputs in [0, 1] (``unit_interval is True``, as ``setting``
    says); ``table_scaler``, the estimator's table default, otherwise."""
    if scaler == "auto":
        return table_scaler if input_shape is None and unit_interval is not True else None
    if unit_interval is True and scaler is not None:
        raise ValueError(
            f"{setting} models values in [0, 1] as they are, so it needs scaler=None "
            f"or 'auto'; got scaler={scaler!r}."
        )
    return scaler


def unit_interval_in_effect(setting, choice, codec, A, images):
    """Whether the numeric outputs are values in [0, 1] through a sigmoid, for the
    validated rows ``A`` of ``codec``'s columns: as the parameter ``setting`` says
    (``choice``), or with ``"auto"`` for unscaled ``images`` whose values all lie in
    [0, 1]."""
    numeric = codec.numeric_columns(A)
    low, high = (numeric.min(), numeric.max()) if numeric.size else (0.0, 0.0)
    in_range = low >= 0 and high <= 1
    if choice == "auto":
        return images and codec.scaler is None and in_range
    if choice and not in_range:
        raise ValueError(
            f"{setting} models values in [0, 1], but X has values from {low:g} to "
            f"{high:g}; scale X into [0, 1] first (for example with "
            "sklearn.preprocessing.MinMaxScaler, or divide 8-bit pixels by 255)."
        )
    return choice


def check_input_shape(input_shape, codec, n_features):
    """Rows described as images (``input_shape``) must be all-numeric and hold C * H * W
    values."""
    if input_shape is None:
        return
    if codec.categorical_:
        raise ValueError(
            f"input_shape={input_shape} describes images, whose pixels are numbers, "
            f"but X has categorical columns {codec.categorical_names}."
        )
    n_values = int(np.prod(input_shape))
    if n_values != n_features:
        raise ValueError(
            f"input_shape={input_shape} describes rows of C * H * W = {n_values} "
            f"values, but X has {n_features} features."
        )


def process_group_for(estimator, trains_data_parallel):
    """The process group ``estimator`` trains across inside
    ``skae.parallel.data_parallel()``, or ``None`` outside it; an error there when it
    cannot train data-parallel."""
    group = current_group()
    if group is not None and not trains_data_parallel:
        raise ValueError(
            f"{type(estimator).__name__} does not train data-parallel: inside "
            "skae.parallel.data_parallel() only AutoencoderTransformer and VAETransformer "
            "do. Fit it outside the block, in one process."
        )
    return group


def conditions_unsupported(owner):
    """The error of a sampler that cannot sample conditionally, naming the one that can."""
    return ValueError(
        f"{type(owner).__name__} cannot sample with conditions: its rows come from codes "
        "that no column can be fixed in. DiffusionSampler can: "
        "DiffusionSampler().fit(X).sample(n, conditions={column: value or (low, high)})."
    )
