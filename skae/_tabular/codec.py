"""The table codec: user data ⇄ the matrix the networks see.

Three forms of the same rows:

- **user data**: an array, or a DataFrame whose columns may be numbers or categories
  (``category``, ``object``, ``string``, ``bool``; a missing value in a categorical column
  is a category of its own);
- **validated rows** (:meth:`TableCodec.to_array`): a float array with one column per user
  column, categorical columns holding the integer index of their category. Validated rows
  are what estimators slice into batches;
- **the model matrix** (:meth:`TableCodec.encode`): the numeric columns, normalised, then
  one one-hot block per categorical column. On the way back (:meth:`TableCodec.decode`) a
  block holds the network's logits, and becomes the most probable category or a category
  drawn from their softmax.

:meth:`TableCodec.layout` describes the model matrix's columns to the networks (for
``skae._nn.output_blocks.OutputBlocks``), so that every estimator gives its categorical
outputs a softmax and a cross-entropy loss and its numeric outputs a regression loss.
"""

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri
from sklearn.preprocessing import QuantileTransformer, StandardScaler

from .categories import Categories
from .frames import from_pandas
from .state import dtype_from_state, dtype_state

#: Most decimals a numeric column's precision is detected at (see ``TableCodec.fit``),
#: and the values tried first on each candidate.
MAX_DECIMALS = 6
DECIMALS_PROBE_ROWS = 1000
#: Rows per chunk when the standard scaler is fitted: memory holds a chunk's float64 copy,
#: not the whole matrix's.
SCALER_FIT_ROWS = 16384
#: Quantiles the quantile scaler keeps of each column, at most (``QuantileTransformer``'s
#: default): more add little resolution at a cost in memory and time.
MAX_QUANTILES = 1000
#: Probabilities below this (and above 1 minus it) are clipped before the normal quantile
#: function (``QuantileTransformer``'s bound).
QUANTILE_BOUND = 1e-7
#: Rows encoded at a time into the model matrix: the temporaries of scaling and one-hot
#: encoding are a block's, not the whole matrix's.
ENCODE_BLOCK_ROWS = 8192


def is_categorical(dtype):
    """Whether a DataFrame column of this dtype is modelled as categories."""
    return not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _check_dtype_supported(name, dtype):
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise TypeError(
            f"Column {name!r} has dtype {dtype}, which skae cannot model. Convert it to "
            "numbers (e.g. a timestamp or a day count) or to categories first."
        )
    if pd.api.types.is_complex_dtype(dtype):
        raise TypeError(f"Column {name!r} has complex dtype {dtype}; skae models real numbers.")


class TableCodec:
    """Normalise numeric columns, one-hot categorical ones, and restore both on output.

    ``scaler`` normalises the numeric columns: ``"standard"`` (standardisation),
    ``"quantile"`` (each column through its empirical CDF onto a standard normal) or
    ``None``. ``learn_columns`` and ``fit`` are called in the estimator's ``fit``;
    ``encode``, ``decode`` and ``decode_sample`` work on chunks of rows, so inference never
    holds a full-size intermediate.
    """

    def __init__(self, scaler="standard"):
        self.scaler = scaler

    # ---------------------------------------------------------------- fit
    def learn_columns(self, X, library=None, arrow_schema=None, declared_categories=False):
        """Learn which columns of ``X`` (an array or a pandas DataFrame) are numbers and
        which categories, and the categories of each; then ``to_array`` works.
        ``library`` is the frame library the user's data came in (see ``skae._tabular.frames``),
        which ``to_output`` returns frames of (with ``arrow_schema``, for pyarrow).
        ``declared_categories``: a pandas categorical column gets every category of its
        dtype, seen or not."""
        self.library_ = library
        self.arrow_schema_ = arrow_schema
        if isinstance(X, pd.DataFrame):
            self.frame_dtypes_ = list(X.dtypes.items())
            for name, dtype in self.frame_dtypes_:
                _check_dtype_supported(name, dtype)
            self.categorical_ = {
                j: Categories(name, X[name], declared_categories)
                for j, (name, dtype) in enumerate(X.dtypes.items())
                if is_categorical(dtype)
            }
        else:
            self.frame_dtypes_ = None
            self.categorical_ = {}
        n_columns = X.shape[1]
        numeric = [j for j in range(n_columns) if j not in self.categorical_]
        self.numeric_ = np.array(numeric, dtype=np.intp)
        return self

    def fit(self, A, unit_interval=False):
        """Fit the normalisation on validated rows ``A``, and record each numeric column's
        range and precision (the fewest decimals, up to ``MAX_DECIMALS``, that write all
        its values; ``-1`` when none do), which samples keep to. ``unit_interval=True``
        (with no scaler) models the numbers as values in [0, 1], whose logits the networks
        output (see :meth:`layout`)."""
        self.unit_interval_ = bool(unit_interval)
        self.dtype_ = A.dtype
        numeric = self.numeric_columns(A)
        self.scaler_ = None
        if self.scaler == "standard" and len(self.numeric_):
            # Arrays in and out whatever the caller's set_config(transform_output=...) says.
            self.scaler_ = StandardScaler().set_output(transform="default")
            # In chunks: fitting at once works on a float64 copy of every row.
            for start in range(0, len(numeric), SCALER_FIT_ROWS):
                self.scaler_.partial_fit(numeric[start : start + SCALER_FIT_ROWS])
        elif self.scaler == "quantile" and len(self.numeric_):
            self.scaler_ = QuantileTransformer(
                n_quantiles=min(MAX_QUANTILES, len(A)), output_distribution="normal", random_state=0
            )
            self.scaler_.set_output(transform="default").fit(numeric)
        self.low_, self.high_ = numeric.min(axis=0), numeric.max(axis=0)
        self.decimals_ = np.array([_decimals(column) for column in numeric.T], dtype=int)
        sizes = [categories.size for categories in self.categorical_.values()]
        ends = len(self.numeric_) + np.cumsum(sizes, dtype=int)
        self.category_slices_ = [
            slice(int(end - size), int(end)) for end, size in zip(ends, sizes, strict=True)
        ]
        return self

    def update(self, A, scaling=True):
        """Learn from more rows ``A`` (``partial_fit``): widen each numeric column's range,
        and with ``scaling`` update a standard scaler's mean and spread to all the rows
        seen, as ``StandardScaler.partial_fit`` does. The other scalers stay as fitted."""
        if not len(self.numeric_):
            return self
        scaling = scaling and isinstance(self.scaler_, StandardScaler)
        for start in range(0, len(A), SCALER_FIT_ROWS):  # a block's copy at a time
            numeric = self.numeric_columns(A[start : start + SCALER_FIT_ROWS])
            self.low_ = np.minimum(self.low_, numeric.min(axis=0))
            self.high_ = np.maximum(self.high_, numeric.max(axis=0))
            if scaling:
                self.scaler_.partial_fit(numeric)
        return self

    def numeric_columns(self, A):
        """The numeric columns of validated rows (``A`` itself when all are numeric)."""
        return A[:, self.numeric_] if self.categorical_ else A

    @property
    def categorical_names(self):
        """Names of the categorical columns."""
        return [categories.name for categories in self.categorical_.values()]

    @property
    def n_numeric(self):
        """Number of numeric columns: the first columns of the model matrix."""
        return len(self.numeric_)

    @property
    def n_outputs(self):
        """Width of the model matrix."""
        if self.category_slices_:
            return self.category_slices_[-1].stop
        return self.n_numeric

    def layout(self):
        """The model matrix's columns as the networks see them: ``(n_numeric,
        category_sizes, unit_interval)``, the arguments of
        ``skae._nn.output_blocks.OutputBlocks``."""
        sizes = [block.stop - block.start for block in self.category_slices_]
        return self.n_numeric, sizes, self.unit_interval_

    @property
    def log_abs_det_jacobian(self):
        """``log |det d(model matrix)/d(user units)|`` of the numeric columns: converts a
        density over the model matrix into one over the user's units. It is a constant
        for ``scaler="standard"`` and ``None``; for ``"quantile"`` it varies by row and
        this is 0 (densities stay in the transformed units)."""
        if isinstance(self.scaler_, StandardScaler):
            return -float(np.log(self.scaler_.scale_).sum())
        return 0.0

    def affine_scaling(self):
        """``(mean, scale)`` such that the numeric columns of the model matrix are ``(x -
        mean) / scale``, or ``None`` when the scaler is not affine (``"quantile"``)."""
        n_numeric = len(self.numeric_)
        if self.scaler_ is None:
            return np.zeros(n_numeric), np.ones(n_numeric)
        if isinstance(self.scaler_, StandardScaler):
            return self.scaler_.mean_, self.scaler_.scale_
        return None

    def __getstate__(self):
        state = dict(vars(self))
        if "dtype_" in state:
            state["dtype_"] = dtype_state(self.dtype_)
        if state.get("frame_dtypes_") is not None:
            state["frame_dtypes_"] = [(name, dtype_state(d)) for name, d in self.frame_dtypes_]
        return state

    def __setstate__(self, state):
        vars(self).update(state)
        if "dtype_" in state:
            self.dtype_ = np.dtype(state["dtype_"])
        if state.get("frame_dtypes_") is not None:
            self.frame_dtypes_ = [(name, dtype_from_state(d)) for name, d in state["frame_dtypes_"]]

    # ---------------------------------------------------------------- user data → rows
    def to_array(self, X):
        """Validated rows of ``X``: a float array, categories as their index.

        Arrays pass through (the estimator has validated them). For a DataFrame, every
        column is checked against what ``fit`` saw, with errors naming the column: a
        numeric column must hold finite numbers, a categorical one only known categories.
        The array is float32 when every numeric column is float32, else float64.
        """
        if not isinstance(X, pd.DataFrame):
            return X
        numeric = [X.iloc[:, j] for j in self.numeric_]
        for column in numeric:
            self._check_numeric(column)
        float32 = all(column.dtype == np.float32 for column in numeric)
        A = np.empty(X.shape, dtype=np.float32 if float32 else np.float64)
        for j, column in zip(self.numeric_, numeric, strict=True):
            A[:, j] = column.to_numpy(dtype=A.dtype, na_value=np.nan)
        for j, categories in self.categorical_.items():
            A[:, j] = categories.codes(X.iloc[:, j])
        return A

    @staticmethod
    def _check_numeric(column):
        if is_categorical(column.dtype):
            raise ValueError(
                f"Column {column.name!r} was numeric in fit but has dtype {column.dtype} now."
            )
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            what = "NaN" if np.isnan(values[bad]).any() else "infinity"
            raise ValueError(
                f"Input X contains {what} in numeric column {column.name!r}. skae models a "
                "missing value as a category of its own only in categorical columns; impute "
                "numeric ones (e.g. with sklearn.impute.SimpleImputer) or drop those rows."
            )

    # ---------------------------------------------------------------- rows ⇄ model matrix
    @property
    def dequantises(self):
        """Whether :meth:`encode` with a random state spreads tied values (``"quantile"``)."""
        return isinstance(self.scaler_, QuantileTransformer)

    def quantile_bounds(self, values, position):
        """The lowest and highest quantile (in [0, 1]) the quantile scaler gives each of
        ``values`` of the ``position``-th numeric column: the share of the normal scale
        that a training value tied over several rows spreads over."""
        return _quantile_span(self.scaler_, np.asarray(values, dtype=np.float64), position)

    def encode(self, A, dtype=None, random_state=None):
        """Validated rows → model matrix, of ``dtype`` (default: ``A``'s). The numbers are
        scaled in ``A``'s dtype, then stored in ``dtype``: a float32 matrix of a float64
        table never exists as float64 (a one-hot block makes it much wider). Many rows are
        encoded ``ENCODE_BLOCK_ROWS`` at a time into the matrix.

        With ``random_state`` (a ``RandomState``; training rows), the quantile scaler
        dequantises: a value that many rows share (an integer, a rounded number, a spike
        such as 0) goes to a point drawn uniformly from its share of the normal scale, not
        to its middle, so that every numeric column is continuous and standard normal in
        the model; decoding maps that share back to the value."""
        dtype = A.dtype if dtype is None else np.dtype(dtype)
        if self.scaler_ is None and not self.categorical_:
            return A.astype(dtype, copy=False)
        M = np.empty((len(A), self.n_outputs), dtype=dtype)
        for start in range(0, len(A), ENCODE_BLOCK_ROWS):
            rows = slice(start, start + ENCODE_BLOCK_ROWS)
            self._encode_block(A[rows], M[rows], random_state)
        return M

    def _encode_block(self, A, out, random_state=None):
        """Encode the rows ``A`` into ``out``, a block of the model matrix."""
        numeric = self.numeric_columns(A)
        if isinstance(self.scaler_, StandardScaler):
            # StandardScaler.transform's arithmetic, without its validation of every batch.
            numeric = np.array(numeric, dtype=A.dtype)
            numeric -= self.scaler_.mean_.astype(A.dtype)
            numeric /= self.scaler_.scale_.astype(A.dtype)
        elif self.dequantises and random_state is not None:
            numeric = _dequantised_normal(self.scaler_, numeric, random_state).astype(A.dtype)
        elif self.scaler_ is not None:
            numeric = self.scaler_.transform(numeric).astype(A.dtype, copy=False)
        if not self.categorical_:
            out[:] = numeric
            return
        out[:, : len(self.numeric_)] = numeric
        out[:, len(self.numeric_) :] = 0
        codes = A[:, list(self.categorical_)].astype(np.intp)
        starts = np.array([block.start for block in self.category_slices_])
        out[np.arange(len(A))[:, None], starts + codes] = 1

    def decode(self, M):
        """Model matrix → validated rows in the user's units: a reconstruction. A
        categorical block, which holds logits, gives its most probable category."""
        return self._decode(M, lambda logits: logits.argmax(axis=1))

    def decode_sample(self, M, random_state):
        """Model matrix → validated rows that look like training rows: a sample. A
        categorical block gives a category drawn from the softmax of its logits with
        ``random_state`` (a ``RandomState``), and numbers are kept to the range and
        precision of their training column."""
        return self._decode(M, lambda logits: _draw(logits, random_state), like_training=True)

    def _decode(self, M, category_of, like_training=False):
        numeric = M[:, : len(self.numeric_)]
        if self.unit_interval_:
            numeric = expit(numeric)
        if self.scaler_ is not None:
            numeric = self.scaler_.inverse_transform(numeric).astype(M.dtype, copy=False)
        if like_training:
            numeric = self._like_training(numeric)
        if not self.categorical_:
            return numeric
        A = np.empty((len(M), len(self.numeric_) + len(self.categorical_)), dtype=M.dtype)
        A[:, self.numeric_] = numeric
        for j, block in zip(self.categorical_, self.category_slices_, strict=True):
            A[:, j] = category_of(M[:, block])
        return A

    def _like_training(self, numeric):
        numeric = np.clip(numeric, self.low_, self.high_).astype(numeric.dtype, copy=False)
        for j in np.flatnonzero(self.decimals_ >= 0):
            numeric[:, j] = np.round(numeric[:, j], self.decimals_[j])
        return numeric

    # ---------------------------------------------------------------- rows → user data
    def to_output(self, A):
        """Validated rows as the user gave them: a DataFrame of the training library with the
        training columns and dtypes (integers rounded, categories restored), or an array of
        the training dtype."""
        if self.frame_dtypes_ is None:
            return A.astype(self.dtype_, copy=False)
        columns = {}
        for j, (name, dtype) in enumerate(self.frame_dtypes_):
            if j in self.categorical_:
                columns[name] = self.categorical_[j].column(A[:, j])
                continue
            values = A[:, j]
            if pd.api.types.is_integer_dtype(dtype):
                info = np.iinfo(getattr(dtype, "numpy_dtype", dtype))
                values = np.clip(np.rint(values), info.min, info.max)
            columns[name] = pd.Series(values).astype(dtype)
        return from_pandas(pd.DataFrame(columns), self.library_, self.arrow_schema_)


def _decimals(values):
    """The fewest decimals (up to ``MAX_DECIMALS``) that write every value; -1 if none.

    The first ``DECIMALS_PROBE_ROWS`` values rule out most candidates (continuous data
    fails them all), so a long column is scanned in full once at most."""

    def writes(values, decimals):
        # Within a thousandth of a step of 10**-decimals: float32 storage still passes.
        scaled = values.astype(np.float64) * 10.0**decimals
        return np.allclose(scaled, np.rint(scaled), rtol=0, atol=1e-3)

    for decimals in range(MAX_DECIMALS + 1):
        if writes(values[:DECIMALS_PROBE_ROWS], decimals) and writes(values, decimals):
            return decimals
    return -1


def _draw(logits, random_state):
    """One category per row, drawn from ``softmax(logits)`` by inverse CDF."""
    logits = logits.astype(np.float64)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    cdf = np.cumsum(p, axis=1)
    u = random_state.uniform(size=(len(p), 1)) * cdf[:, -1:]
    return np.minimum((cdf < u).sum(axis=1), p.shape[1] - 1)


def _dequantised_normal(scaler, X, random_state):
    """``QuantileTransformer.transform`` onto a normal distribution, except that a value
    which spans several of the scaler's quantiles (tied training values) goes to a point
    drawn uniformly in their span instead of its middle."""
    lower = np.empty(X.shape)
    upper = np.empty(X.shape)
    for j in range(X.shape[1]):
        lower[:, j], upper[:, j] = _quantile_span(scaler, X[:, j], j)
    u = lower + random_state.uniform(size=X.shape) * (upper - lower)
    return ndtri(np.clip(u, QUANTILE_BOUND, 1 - QUANTILE_BOUND))


def _quantile_span(scaler, values, j):
    """The lowest and highest training quantile (in [0, 1]) of each of ``values`` in
    column ``j`` of the fitted ``QuantileTransformer``: apart for a tied training value."""
    quantiles, references = scaler.quantiles_[:, j], scaler.references_
    # np.interp takes the last of tied quantiles, and on the reversed axis the first.
    upper = np.interp(values, quantiles, references)
    lower = -np.interp(-values, -quantiles[::-1], -references[::-1])
    return lower, upper
