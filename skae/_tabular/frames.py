"""DataFrame libraries: skae models pandas DataFrames, and takes polars DataFrames and
pyarrow Tables by converting them to pandas on the way in (with their own ``to_pandas``,
which needs pyarrow) and back to their library on the way out (``sample`` and
``inverse_transform`` return the kind of frame ``fit`` saw)."""

import pandas as pd

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
