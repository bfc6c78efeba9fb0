"""DiffusionImputer: missing cells filled in by a flow-matching model of the table."""

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ._diffusion import DiffusionSampler
from ._utils.docstrings import DOC_LINK_TEMPLATE
from ._utils.random import MAX_SEED
from ._utils.sklearn_compat import Interval, _fit_context


class DiffusionImputer(TransformerMixin, BaseEstimator):
    """Fill in missing cells from the cells a row has, with a model of the whole table.

    ``fit`` fills each missing cell of the training rows with a value drawn at random from
    its column's observed values and fits ``sampler`` (a :class:`~skae.DiffusionSampler`)
    on them, then refits it on the rows as it fills them in (``max_iter`` fits in all).
    ``transform`` fills each missing cell of a row by inpainting, as
    ``DiffusionSampler.sample(conditions=...)`` does with the row's observed cells as the
    conditions: the values follow the table's dependence rather than a column's mean.
    Numbers and categories are both imputed (a missing category is ``NaN`` or ``None`` in
    a DataFrame column); observed cells are returned as they are.

    By default a cell gets a point estimate, as ``IterativeImputer``'s: the mean (for a
    number) or the most frequent value (for a category) of ``n_draws`` draws.
    ``sample_posterior=True`` returns one draw instead, which keeps the spread of the
    data: transforming with several seeds then gives multiple imputations.

    Parameters
    ----------
    sampler : DiffusionSampler or None, default=None
        The model to fit (cloned); ``None`` is ``DiffusionSampler()`` with this
        imputer's ``random_state``.

    sample_posterior : bool, default=False
        Return one draw of each missing cell rather than the point estimate of
        ``n_draws``.

    max_iter : int, default=3
        Fits of the sampler: the first on the rows with their missing cells filled with
        values drawn from their column, each later one on the rows as the previous fit
        fills them in (one draw), so that the model learns the columns' dependence
        rather than the random fill's independence. Fit time grows with it.

    n_draws : int, default=10
        Draws per missing cell averaged into the point estimate (``sample_posterior=False``);
        ``transform`` costs about this many conditional samples of the incomplete rows.

    random_state : int, RandomState instance or None, default=None
        Seeds the training fill, the sampler (when ``sampler`` is None) and the draws of
        ``transform``: an int gives the same imputations on every call.

    Attributes
    ----------
    sampler_ : DiffusionSampler
        The fitted model.

    n_iter_ : int
        Fits of the sampler made (``max_iter``).

    n_features_in_ : int
        Number of columns seen in ``fit``.

    feature_names_in_ : ndarray of shape (n_features_in,)
        Column names seen in ``fit``, when ``X`` was a DataFrame with string names.

    See Also
    --------
    sklearn.impute.IterativeImputer : One regression model per column, in turns.
    sklearn.impute.KNNImputer : The mean of the nearest complete neighbours.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_wine
    >>> from skae import DiffusionImputer, DiffusionSampler
    >>> X = load_wine().data
    >>> X_missing = X.copy()
    >>> X_missing[::3, 0] = np.nan
    >>> imputer = DiffusionImputer(DiffusionSampler(max_epochs=5), random_state=0)
    >>> print(np.isnan(imputer.fit_transform(X_missing)).any())
    False
    """

    _parameter_constraints = {
        "sampler": [DiffusionSampler, None],
        "sample_posterior": ["boolean"],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_draws": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    _doc_link_module = "skae"
    _doc_link_template = DOC_LINK_TEMPLATE

    def __init__(
        self, sampler=None, *, max_iter=3, sample_posterior=False, n_draws=10, random_state=None
    ):
        self.sampler = sampler
        self.max_iter = max_iter
        self.sample_posterior = sample_posterior
        self.n_draws = n_draws
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the sampler on ``X``, its missing cells filled at random, then
        ``max_iter - 1`` times again on ``X`` filled in by the last fit.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows with missing cells (``NaN``; ``None`` or ``NaN`` in a categorical column).
        y : Ignored

        Returns
        -------
        self : DiffusionImputer
        """
        rng = check_random_state(self.random_state)
        frame = self._as_frame(X, reset=True)
        missing = frame.isna().to_numpy()
        empty = np.flatnonzero(missing.all(axis=0))
        if len(empty):
            names = list(frame.columns[empty])
            raise ValueError(
                f"Columns {names} of X have no observed value, so there is nothing to "
                "learn them from; drop them before imputing."
            )
        filled = frame.copy()
        for j in np.flatnonzero(missing.any(axis=0)):
            observed = frame.iloc[:, j][~missing[:, j]].to_numpy()
            filled.iloc[missing[:, j], j] = rng.choice(observed, missing[:, j].sum())
        self._placeholders = [filled.iloc[0, j] for j in range(filled.shape[1])]
        sampler = self.sampler
        if sampler is None:
            sampler = DiffusionSampler(random_state=rng.randint(MAX_SEED))
        for iteration in range(self.max_iter):
            if iteration:
                filled = self._filled(frame, missing, 1, rng)
            self.sampler_ = clone(sampler).fit(self._as_given(filled))
        self.n_iter_ = self.max_iter
        return self

    def transform(self, X):
        """Fill in the missing cells of ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        X_imputed : ndarray or DataFrame of shape (n_samples, n_features)
            ``X`` without missing cells, in its form (a DataFrame keeps its columns and
            dtypes).
        """
        check_is_fitted(self)
        frame = self._as_frame(X, reset=False)
        n_draws = 1 if self.sample_posterior else self.n_draws
        rng = check_random_state(self.random_state)
        return self._as_given(self._filled(frame, frame.isna().to_numpy(), n_draws, rng))

    def _filled(self, frame, missing, n_draws, rng):
        """``frame`` with its ``missing`` cells filled by ``sampler_``: one draw, or the
        mean (the most frequent value for a category) of ``n_draws``."""
        rows = np.flatnonzero(missing.any(axis=1))
        if not len(rows):
            return frame
        incomplete = frame.iloc[rows].copy()
        columns = np.flatnonzero(missing.any(axis=0))
        for j in columns:
            incomplete.iloc[missing[rows, j], j] = self._placeholders[j]
        draws = pd.concat([incomplete] * n_draws, ignore_index=True)
        filled = self.sampler_._fill_in(
            self._as_given(draws), np.tile(missing[rows], (n_draws, 1)), rng
        )
        filled = pd.DataFrame(filled) if self._array_in else filled
        row = np.tile(np.arange(len(rows)), n_draws)
        out = frame.copy()
        for j in columns:
            by_row = filled.iloc[:, j].groupby(row, observed=True)
            if pd.api.types.is_numeric_dtype(filled.dtypes.iloc[j]) and not isinstance(
                filled.dtypes.iloc[j], pd.CategoricalDtype
            ):
                estimate = by_row.mean()
            else:
                estimate = by_row.agg(lambda values: values.mode().iloc[0])
            out.iloc[rows, j] = estimate.to_numpy()
        return out

    def _as_frame(self, X, reset):
        """``X`` as a DataFrame (an array's columns numbered), checked against ``fit``."""
        if reset:
            self._array_in = not isinstance(X, pd.DataFrame)
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            frame = X
        else:
            array = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan")
            frame = pd.DataFrame(array)
        return frame

    def _as_given(self, frame):
        return frame.to_numpy(dtype=float) if self._array_in else frame

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
