"""The inputs of the metrics as aligned DataFrames: one column layout, numbers as floats,
everything else as categories over every table's values."""

import numpy as np
import pandas as pd

from .._tabular.codec import is_categorical
from .._tabular.frames import as_frame, to_pandas


def paired_tables(X_real, X_synthetic):
    """Both inputs as DataFrames with the same columns (see :func:`aligned_tables`)."""
    return aligned_tables({"X_real": X_real, "X_synthetic": X_synthetic})


def aligned_tables(tables):
    """The tables (a dict of name to table) as DataFrames with the first's columns, in its
    order: numbers as float64, everything else as categories over the union of every
    table's values."""
    frames = {}
    for name, X in tables.items():
        X = to_pandas(X)
        frames[name] = (as_frame(X, name, validate=True), isinstance(X, pd.DataFrame))
    (first_name, (first, by_name)), *others = frames.items()
    aligned = [first]
    for name, (frame, _) in others:
        if frame.shape[1] != first.shape[1] or (
            by_name and set(frame.columns) != set(first.columns)
        ):
            raise ValueError(
                f"{first_name} and {name} must have the same columns; got "
                f"{list(first.columns)} and {list(frame.columns)}."
            )
        aligned.append(frame.reindex(columns=first.columns))
    names = list(frames)
    for column in first.columns:
        values = [frame[column] for frame in aligned]
        if not any(is_categorical(v.dtype) for v in values):
            for frame, v, name in zip(aligned, values, names, strict=True):
                frame[column] = finite_column(v, name)
        else:
            union = pd.concat([v.astype(object) for v in values]).dropna().unique()
            dtype = pd.CategoricalDtype(union)
            for frame, v in zip(aligned, values, strict=True):
                frame[column] = v.astype(object).astype(dtype)
    return aligned


def finite_column(column, name):
    values = column.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError(f"Column {column.name!r} of {name} contains NaN or infinity.")
    return pd.Series(values, name=column.name)
