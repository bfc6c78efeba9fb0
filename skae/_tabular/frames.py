"""DataFrame libraries: skae models pandas DataFrames, and takes polars DataFrames and
pyarrow Tables by converting them to pandas on the way in (with their own ``to_pandas``,
which needs pyarrow) and back to their library on the way out (``sample`` and
``inverse_transform`` return the kind of frame ``fit`` saw)."""

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

#: The frame libraries skae converts, by the top-level module of the frame's type.
CONVERTED_LIBRARIES = ("polars", "pyarrow")


def frame_library(X):
    """``"pandas"``, ``"polars"`` or ``"pyarrow"`` for a DataFrame (or Table) of that
    library; ``None`` for anything else."""
    if isinstance(X, pd.DataFrame):
        return "pandas"
    library = type(X).__module__.partition(".")[0]
    if library in CONVERTED_LIBRARIES and hasattr(X, "to_pandas") and hasattr(X, "schema"):
        return library
    return None


def to_pandas(X):
    """``X`` as a pandas DataFrame when it is a frame of a converted library; else ``X``."""
    if frame_library(X) not in CONVERTED_LIBRARIES:
        return X
    try:
        return X.to_pandas()
    except ImportError as error:
        raise ImportError(
            f"skae converts {type(X).__module__.partition('.')[0]} frames to pandas, which "
            "needs pyarrow: pip install pyarrow (or pass a pandas DataFrame)."
        ) from error


def as_frame(X, name, *, validate=False):
    """``X`` as a pandas DataFrame with a ``RangeIndex``, for the metrics and the plots.

    A polars DataFrame or pyarrow Table is converted (:func:`to_pandas`); a pandas
    DataFrame keeps its columns and dtypes; anything else is taken as a 2-D array.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        The rows.
    name : str
        Names ``X`` in error messages.
    validate : bool, default=False
        Check the rows as ``skae.metrics`` scores them: a DataFrame must then have at least
        one row, and an array must pass scikit-learn's ``check_array`` (2-D, at least one
        row, finite numbers) and becomes float64 columns labelled ``0, 1, ...``. Otherwise
        (``skae.plotting``) an array of any dtype must be 2-D, and its columns are named
        ``x0, x1, ...``.

    Returns
    -------
    frame : DataFrame of shape (n_samples, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from skae._tabular.frames import as_frame
    >>> as_frame(np.eye(2, dtype=int), "X").columns.tolist()
    ['x0', 'x1']
    >>> as_frame(np.eye(2, dtype=int), "X", validate=True).dtypes.tolist()
    [dtype('float64'), dtype('float64')]
    """
    X = to_pandas(X)
    if isinstance(X, pd.DataFrame):
        if validate and len(X) == 0:
            raise ValueError(f"{name} is empty.")
        return X.reset_index(drop=True)
    if validate:
        X = check_array(X, dtype="numeric", ensure_all_finite=True, input_name=name)
        return pd.DataFrame(X.astype(np.float64))
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D; got shape {X.shape}.")
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def arrow_schema(X):
    """A pyarrow Table's schema as bytes (Arrow's IPC format: plain data, which loads
    without running code), for :func:`from_pandas` to restore; ``None`` for other data."""
    return X.schema.serialize().to_pybytes() if frame_library(X) == "pyarrow" else None


def from_pandas(frame, library, schema=None):
    """The pandas DataFrame ``frame`` as a frame of ``library`` (as ``fit`` saw it). An
    ordered pandas category becomes a polars ``Enum``: that is what polars' ``to_pandas``
    makes of one. A pyarrow Table gets ``schema`` (from :func:`arrow_schema`)."""
    if library == "polars":
        import polars as pl

        out = pl.from_pandas(frame)
        enums = {
            name: pl.Enum(list(dtype.categories))
            for name, dtype in frame.dtypes.items()
            if isinstance(dtype, pd.CategoricalDtype) and dtype.ordered
        }
        return out.cast(enums) if enums else out
    if library == "pyarrow":
        import pyarrow as pa

        table = pa.Table.from_pandas(frame, preserve_index=False)
        return table if schema is None else table.cast(pa.ipc.read_schema(pa.py_buffer(schema)))
    return frame
