"""The tabular codec: user data ⇄ the matrix the networks see.

A codec is fitted in ``fit`` on validated training data. ``encode`` maps rows of user data
to the model's matrix, ``decode`` maps the model's matrix back to the user's units, and
``to_output`` gives decoded rows the type the user fitted on (a DataFrame with the same
columns and dtypes, or an array of the training dtype). Both work on chunks of rows, so
inference never holds a full-size intermediate copy.

Only numeric columns exist for now; the mixed-type codec (one-hot categories in, softmax
out) replaces :class:`NumericCodec` with the same four methods.
"""

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler


def non_numeric_columns(X):
    """Names of the columns of a DataFrame that are neither numbers nor booleans."""
    if not isinstance(X, pd.DataFrame):
        return []
    return [
        col
        for col, dtype in X.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]


class NumericCodec:
    """Standardise numeric columns; remember the DataFrame layout to restore it on output."""

    def __init__(self, standardize=True):
        self.standardize = standardize

    def fit(self, X, frame_dtypes=None):
        """Fit on a validated float array; ``frame_dtypes`` are the DataFrame's dtypes, if any."""
        self.scaler_ = StandardScaler(with_mean=self.standardize, with_std=self.standardize)
        self.scaler_.fit(X)
        self.dtype_ = X.dtype
        self.frame_dtypes_ = frame_dtypes
        return self

    @property
    def n_outputs(self):
        """Width of the model's matrix."""
        return self.scaler_.n_features_in_

    @property
    def log_abs_det_jacobian(self):
        """``log |det d(model matrix)/d(user units)|``: converts a density over the model's
        matrix into a density over the user's units."""
        return -float(np.log(self.scaler_.scale_).sum()) if self.standardize else 0.0

    def encode(self, X):
        """Rows in the user's units → model matrix (float array of ``X``'s dtype)."""
        return self.scaler_.transform(X, copy=True) if self.standardize else X

    def decode(self, M):
        """Model matrix → rows in the user's units, as a float array."""
        return self.scaler_.inverse_transform(M, copy=True) if self.standardize else M

    def to_output(self, X):
        """Decoded rows as the user gave them: a DataFrame with the training columns and
        dtypes (integers rounded, booleans thresholded at 0.5), or an array of the training
        dtype."""
        if self.frame_dtypes_ is None:
            return X.astype(self.dtype_, copy=False)
        columns = {}
        for j, (name, dtype) in enumerate(self.frame_dtypes_.items()):
            values = X[:, j]
            if pd.api.types.is_bool_dtype(dtype):
                values = values > 0.5
            elif pd.api.types.is_integer_dtype(dtype):
                info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
                values = np.clip(np.rint(values), info.min, info.max)
            columns[name] = pd.Series(values).astype(dtype)
        return pd.DataFrame(columns)
