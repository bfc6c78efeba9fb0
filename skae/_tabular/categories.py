"""The categories of one categorical column: which it holds, in a fixed order, and the
column's values ⇄ their category index."""

import numpy as np
import pandas as pd

from .state import (
    dtype_from_state,
    dtype_state,
    missing_value_from_state,
    missing_value_state,
    python_scalar,
)

#: A categorical column with more categories than this is refused: its one-hot block would
#: dominate the model (and its memory).
MAX_CATEGORIES = 1000


class Categories:
    """The categories of one column seen in training, in a fixed order, plus whether a
    missing value was seen (it is then the last category)."""

    def __init__(self, name, column, declared=False):
        self.name = name
        self.dtype = column.dtype
        missing = column.isna()
        values = pd.unique(column[~missing])
        if isinstance(self.dtype, pd.CategoricalDtype):
            seen = set(values)
            values = [v for v in self.dtype.categories if declared or v in seen]
        else:
            try:
                values = sorted(values)
            except TypeError:  # mixed types: keep the order of first appearance
                values = list(values)
        self.values = list(values)
        self.missing_value = column[missing].iloc[0] if missing.any() else None
        self.has_missing = bool(missing.any())
        if self.size > MAX_CATEGORIES:
            raise ValueError(
                f"Column {name!r} has {self.size} categories; skae models at most "
                f"{MAX_CATEGORIES} per column (one-hot). Drop it, group rare categories "
                "together, or encode it as numbers (e.g. with "
                "sklearn.preprocessing.TargetEncoder) before fitting."
            )

    @property
    def size(self):
        return len(self.values) + self.has_missing

    def __getstate__(self):
        return {
            **vars(self),
            "dtype": dtype_state(self.dtype),
            "values": [python_scalar(value) for value in self.values],
            "missing_value": missing_value_state(self.missing_value),
        }

    def __setstate__(self, state):
        vars(self).update(state)
        self.dtype = dtype_from_state(state["dtype"])
        self.missing_value = missing_value_from_state(state["missing_value"])

    def codes(self, column):
        """The category index of every value; a clear error for values not seen in fit."""
        missing = column.isna().to_numpy()
        codes = pd.Index(self.values, dtype=object).get_indexer(column.astype(object))
        unknown = (codes < 0) & ~missing
        if unknown.any():
            value = column[unknown].iloc[0]
            raise ValueError(
                f"Column {self.name!r} holds {value!r}, a category not seen in fit (or in "
                "partial_fit's first chunk; a pandas CategoricalDtype declares categories "
                f"ahead). Known categories: {self.values[:20]}"
                f"{' ...' if len(self.values) > 20 else ''}."
            )
        if missing.any():
            if not self.has_missing:
                raise ValueError(
                    f"Column {self.name!r} has missing values, but had none in fit, so "
                    "the model has no category for them."
                )
            codes[missing] = len(self.values)
        return codes

    def column(self, codes):
        """A pandas Series of the training dtype holding the categories of ``codes``."""
        codes = codes.astype(np.int64)
        if isinstance(self.dtype, pd.CategoricalDtype):
            dtype_codes = self.dtype.categories.get_indexer(self.values)
            codes = np.append(dtype_codes, -1)[codes]  # missing → -1
            return pd.Series(pd.Categorical.from_codes(codes, dtype=self.dtype))
        values = np.empty(len(self.values) + 1, dtype=object)
        values[: len(self.values)] = self.values
        values[-1] = self.missing_value
        return pd.Series(values[codes], dtype=object).astype(self.dtype)
