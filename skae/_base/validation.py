"""Input checks shared by the estimators: rows validated as scikit-learn does, with errors
that name the estimator."""

import numpy as np
import pandas as pd
import torch
from sklearn.utils.validation import check_array, validate_data

from .._tabular.frames import to_pandas


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
