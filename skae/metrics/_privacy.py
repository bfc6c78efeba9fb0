"""Whether synthetic rows sit closer to the training rows than new real rows do."""

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from ._tables import aligned_tables


def privacy_score(X_train, X_synthetic, X_holdout):
    """How much closer synthetic rows sit to the training rows than real rows the generator
    never saw: the ratio of their median distances to the closest training row.

    The distance to the closest record (DCR) of a row is its Gower distance to the nearest
    training row: the mean over columns of the absolute difference of a number (scaled by
    the training column's range) or the mismatch (0 or 1) of a category. A generator that
    copies or barely perturbs training rows has synthetic DCRs near 0; one that learnt the
    distribution has DCRs like those of held-out real rows (``X_holdout``, drawn from the
    same distribution as ``X_train`` and not trained on).

    Parameters
    ----------
    X_train : array-like or DataFrame of shape (n_train, n_features)
        The rows the generator was trained on.
    X_synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        Generated rows.
    X_holdout : array-like or DataFrame of shape (n_holdout, n_features)
        Real rows the generator was not trained on.

    Returns
    -------
    score : float
        ``median DCR(X_synthetic) / median DCR(X_holdout)``: about 1 or more, the samples
        are no closer to the training rows than new real rows; near 0, they are copies.
        ``inf`` when the held-out rows' median DCR is 0 (they copy training rows
        themselves) and the synthetic rows' is not.

    See Also
    --------
    copy_rate : The share of rows that are exact copies of training rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import privacy_score
    >>> rng = np.random.RandomState(0)
    >>> train, holdout, new = rng.randn(500, 3), rng.randn(500, 3), rng.randn(500, 3)
    >>> bool(privacy_score(train, new, holdout) > 0.8)
    True
    >>> privacy_score(train, train[:100] + 1e-6, holdout) < 0.01  # near-copies
    True
    """
    train, synthetic, holdout = aligned_tables(
        {"X_train": X_train, "X_synthetic": X_synthetic, "X_holdout": X_holdout}
    )
    encode = _gower_encoder(train)
    neighbours = NearestNeighbors(n_neighbors=1, metric="manhattan").fit(encode(train))
    medians = []
    for rows in (synthetic, holdout):
        with threadpool_limits(1):
            distances, _ = neighbours.kneighbors(encode(rows))
        medians.append(float(np.median(distances[:, 0])) / train.shape[1])
    synthetic_median, holdout_median = medians
    if holdout_median == 0:
        return float("inf") if synthetic_median > 0 else 1.0
    return synthetic_median / holdout_median


def copy_rate(X_train, X):
    """The share of the rows of ``X`` that are exact copies of a training row.

    Parameters
    ----------
    X_train : array-like or DataFrame of shape (n_train, n_features)
        The rows a generator was trained on.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Rows to check: generated ones, or held-out real rows, whose own rate is what a
        generator's should not exceed (tables with few distinct rows hold duplicates).

    Returns
    -------
    rate : float
        In [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import copy_rate
    >>> train = np.arange(20.0).reshape(10, 2)
    >>> copy_rate(train, np.r_[train[:3], train[:1] + 0.5])
    0.75
    """
    train, rows = aligned_tables({"X_train": X_train, "X": X})
    seen = pd.MultiIndex.from_frame(train).unique() if train.shape[1] > 1 else train.iloc[:, 0]
    keys = pd.MultiIndex.from_frame(rows) if rows.shape[1] > 1 else rows.iloc[:, 0]
    return float(np.mean(keys.isin(seen)))


def _gower_encoder(train):
    """A function of a table aligned with ``train`` whose Manhattan distances are its
    Gower distances to ``train``'s rows, times the number of columns: numbers scaled by
    the training range, categories one-hot at half weight (a mismatch adds 1)."""
    numeric = [c for c in train.columns if not isinstance(train[c].dtype, pd.CategoricalDtype)]
    categorical = [c for c in train.columns if c not in numeric]
    low = train[numeric].min().to_numpy()
    spread = np.maximum(train[numeric].max().to_numpy() - low, np.finfo(float).tiny)

    def encode(frame):
        parts = [(frame[numeric].to_numpy(dtype=float) - low) / spread]
        for c in categorical:
            codes = frame[c].cat.codes.to_numpy()
            one_hot = np.zeros((len(frame), len(frame[c].cat.categories) + 1))
            one_hot[np.arange(len(frame)), codes] = 0.5  # a missing value (-1) is its own
            parts.append(one_hot)
        return np.concatenate(parts, axis=1)

    return encode
