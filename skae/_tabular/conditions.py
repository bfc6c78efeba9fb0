"""The conditions of a conditional ``sample``: columns fixed to a value, numbers kept to a
range, checked against what ``fit`` saw and turned into targets in the model matrix."""

import numbers

import numpy as np
import pandas as pd
from scipy.special import ndtri

from .codec import QUANTILE_BOUND


class Conditions:
    """``conditions`` of ``sample`` for a model fitted with ``codec``, checked.

    ``conditions`` maps a column (its name when ``fit`` saw a DataFrame, else its index) to
    a value (a category of a categorical column, a number of a numeric one) or, for a
    numeric column, a ``(low, high)`` range whose ends may be ``None``. ``owner`` is the
    model, which errors name. ``fixed`` maps a column's index to its value (a category as
    its index), ``ranges`` a numeric column's index to its bounds within the training
    range.
    """

    def __init__(self, codec, conditions, feature_names, owner):
        name = type(owner).__name__
        if not isinstance(conditions, dict) or not conditions:
            raise ValueError(
                f"conditions must be a non-empty dict mapping columns to values or "
                f"(low, high) ranges; got {conditions!r}."
            )
        self.codec = codec
        self.fixed, self.ranges = {}, {}
        for key, value in conditions.items():
            j = _column_index(key, feature_names, codec, name)
            label = key if feature_names is None else repr(key)
            if j in codec.categorical_:
                categories = codec.categorical_[j]
                self.fixed[j] = int(categories.codes(pd.Series([value], dtype=object))[0])
            elif isinstance(value, tuple | list):
                self.ranges[j] = self._range(j, label, value, name)
            else:
                self.fixed[j] = self._number(j, label, value)

    def _position(self, j):
        return int(np.flatnonzero(self.codec.numeric_ == j)[0])

    def _number(self, j, label, value):
        if not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ValueError(
                f"conditions sets numeric column {label} to {value!r}; it takes a finite "
                "number or a (low, high) range."
            )
        low, high = self._training_range(j)
        if not low <= value <= high:
            raise ValueError(
                f"conditions sets column {label} to {value!r}, outside its training range "
                f"[{low:g}, {high:g}]: the model has seen no rows there to sample from."
            )
        return float(value)

    def _range(self, j, label, bounds, name):
        if len(bounds) != 2:
            raise ValueError(
                f"conditions gives column {label} the range {bounds!r}; a range is a pair "
                "(low, high), either end None for no bound."
            )
        if not self.codec.dequantises:
            raise ValueError(
                f"conditions gives numeric column {label} a range, which {name} samples "
                "through the quantile scaler's marginal of the column; it was fitted with "
                "another scaler. Fit with scaler='auto' (or 'quantile'), or fix the column "
                "to a value."
            )
        train_low, train_high = self._training_range(j)
        low, high = (
            edge if edge is not None else default
            for edge, default in zip(bounds, (train_low, train_high), strict=True)
        )
        for edge in (low, high):
            if not isinstance(edge, numbers.Real) or np.isnan(edge):
                raise ValueError(
                    f"conditions gives column {label} the range {bounds!r}; its ends must "
                    "be numbers or None."
                )
        if low > high:
            raise ValueError(f"conditions gives column {label} a range {bounds!r} with low > high.")
        low, high = max(low, train_low), min(high, train_high)
        if low > high:
            raise ValueError(
                f"conditions gives column {label} the range {bounds!r}, which misses its "
                f"training range [{train_low:g}, {train_high:g}]: the model has seen no "
                "rows there to sample from."
            )
        return float(low), float(high)

    def _training_range(self, j):
        position = self._position(j)
        return float(self.codec.low_[position]), float(self.codec.high_[position])

    def targets(self, n, random_state):
        """``(mask, values)``: which model-matrix columns the conditions set, and their
        values in ``n`` rows of the model matrix (float64). A fixed number is dequantised
        as a training value is (a tied value to a point of its share of the scale); a
        range draws each row's value from the column's training marginal within it."""
        codec = self.codec
        A = np.empty((n, len(codec.numeric_) + len(codec.categorical_)))
        A[:, codec.numeric_] = codec.low_
        A[:, list(codec.categorical_)] = 0
        for j, value in self.fixed.items():
            A[:, j] = value
        M = codec.encode(A, np.float64, random_state)
        mask = np.zeros(codec.n_outputs, dtype=bool)
        for j in self.fixed:
            if j in codec.categorical_:
                block = codec.category_slices_[list(codec.categorical_).index(j)]
                mask[block] = True
            else:
                mask[self._position(j)] = True
        for j, (low, high) in self.ranges.items():
            position = self._position(j)
            lower, _ = codec.quantile_bounds(np.full(1, low), position)
            _, upper = codec.quantile_bounds(np.full(1, high), position)
            u = lower + random_state.uniform(size=n) * (upper - lower)
            M[:, position] = ndtri(np.clip(u, QUANTILE_BOUND, 1 - QUANTILE_BOUND))
            mask[position] = True
        return mask, M

    def enforce(self, A):
        """Set the fixed columns of validated rows ``A`` to their values and clip the
        ranged ones into their ranges (rounding to the training precision can step just
        outside one), in place."""
        for j, value in self.fixed.items():
            A[:, j] = value
        for j, (low, high) in self.ranges.items():
            np.clip(A[:, j], low, high, out=A[:, j])
        return A


def _column_index(key, feature_names, codec, name):
    n_columns = len(codec.numeric_) + len(codec.categorical_)
    if feature_names is not None:
        names = list(feature_names)
        if key not in names:
            raise ValueError(
                f"conditions names column {key!r}, which {name} was not fitted on; its "
                f"columns are {names[:20]}{' ...' if len(names) > 20 else ''}."
            )
        return names.index(key)
    if not isinstance(key, numbers.Integral) or isinstance(key, bool) or not 0 <= key < n_columns:
        raise ValueError(
            f"conditions names column {key!r}; {name} was fitted on an array, so columns "
            f"are named by their index, 0 to {n_columns - 1}."
        )
    return int(key)
