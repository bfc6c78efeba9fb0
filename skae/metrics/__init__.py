"""Judge synthetic data and reconstructions by what they are, not by a training loss.

A generator's losses say little about its samples. These scores compare samples with real
rows directly: :func:`c2st_score` asks whether a classifier can tell them apart at all,
:func:`column_fidelity_score` compares each column's distribution, :func:`pair_trend_score`
each pair of columns' joint trend, and :func:`privacy_score` and :func:`copy_rate` whether
the samples sit closer to the training rows than real rows the generator never saw.
:func:`reconstruction_error` gives the per-row error of any skae encoder/decoder, and
:func:`reconstruction_error_by_column` its breakdown over the input's columns.

All accept NumPy arrays and DataFrames (pandas, polars or pyarrow). Columns that are not
numbers (``category``, ``object``, ``string``, ``bool``) are compared as categories.
"""

from ._privacy import copy_rate, privacy_score
from ._reconstruction import reconstruction_error, reconstruction_error_by_column
from ._samples import c2st_score, column_fidelity_score, pair_trend_score

__all__ = [
    "c2st_score",
    "column_fidelity_score",
    "copy_rate",
    "pair_trend_score",
    "privacy_score",
    "reconstruction_error",
    "reconstruction_error_by_column",
]
