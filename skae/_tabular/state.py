"""Dtypes and missing values as plain data, for persistence: a saved codec holds no pandas
objects, so ``skops.io`` loads it without running pickled code."""

import numpy as np
import pandas as pd

#: Missing values a categorical column may hold, by the name the state stores.
_MISSING_VALUES = {"None": None, "nan": np.nan, "NA": pd.NA, "NaT": pd.NaT}


def dtype_state(dtype):
    """A NumPy or pandas dtype as plain data: its name, or for a categorical dtype its
    categories and order."""
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categories": dtype.categories.tolist(), "ordered": bool(dtype.ordered)}
    if isinstance(dtype, pd.StringDtype):  # pandas 3's "str" is one with NaN as missing
        return {"storage": dtype.storage, "na_value": missing_value_state(dtype.na_value)}
    return str(dtype)


def dtype_from_state(state):
    """The dtype :func:`dtype_state` describes."""
    if not isinstance(state, dict):
        return pd.api.types.pandas_dtype(state)
    if "storage" in state:
        if state["na_value"] == "NA":
            return pd.StringDtype(state["storage"])
        return pd.StringDtype(
            state["storage"], na_value=missing_value_from_state(state["na_value"])
        )
    return pd.CategoricalDtype(state["categories"], ordered=state["ordered"])


def python_scalar(value):
    """A NumPy scalar as the Python scalar it equals; anything else as it is."""
    return value.item() if isinstance(value, np.generic) else value


def missing_value_state(value):
    """The name of a missing value (``None``, NaN, ``pd.NA`` or ``pd.NaT``)."""
    for name, missing in _MISSING_VALUES.items():
        if value is missing or (name == "nan" and isinstance(value, float) and np.isnan(value)):
            return name
    return "None"


def missing_value_from_state(name):
    return _MISSING_VALUES[name]
