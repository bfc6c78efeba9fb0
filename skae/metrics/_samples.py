"""How close synthetic rows are to real ones: a classifier's two-sample test, each column's
distribution, each pair of columns' trend."""

import itertools

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from .._utils.random import MAX_SEED
from ._tables import paired_tables

#: Bins a numeric column is cut into to compare it with a categorical one
#: (:func:`pair_trend_score`; SDMetrics' quality report uses as many).
PAIR_TREND_BINS = 10


def c2st_score(X_real, X_synthetic, *, random_state=None):
    """Classifier two-sample test: how well a classifier tells synthetic rows from real ones.

    A gradient-boosted classifier (``HistGradientBoostingClassifier``, categorical columns
    as categories) is trained to label rows as real or synthetic; the score is its
    cross-validated ROC-AUC (stratified 5-fold, fewer folds for tiny inputs).

    Parameters
    ----------
    X_real : array-like or DataFrame of shape (n_real, n_features)
        Real rows; ideally rows the generator was not trained on.
    X_synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        Generated rows, with the same columns as ``X_real``.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and the classifier.

    Returns
    -------
    score : float
        ``0.5``: indistinguishable from real rows; ``1.0``: told apart perfectly. Values a
        little below 0.5 are noise. Rows copied from the real ones score 0.5 too, so also
        check that the generator does not just memorise (e.g. against held-out rows).

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import c2st_score
    >>> rng = np.random.RandomState(0)
    >>> real, same, shifted = rng.randn(300, 3), rng.randn(300, 3), rng.randn(300, 3) + 2
    >>> bool(c2st_score(real, same, random_state=0) < 0.6)
    True
    >>> bool(c2st_score(real, shifted, random_state=0) > 0.95)
    True
    """
    real, synthetic = paired_tables(X_real, X_synthetic)
    n_folds = min(5, len(real), len(synthetic))
    if n_folds < 2:
        raise ValueError(
            "c2st_score needs at least 2 real and 2 synthetic rows; got "
            f"{len(real)} and {len(synthetic)}."
        )
    rng = check_random_state(random_state)
    X = pd.concat([real, synthetic], ignore_index=True)
    y = np.r_[np.zeros(len(real)), np.ones(len(synthetic))]
    classifier = HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=rng.randint(MAX_SEED)
    )
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=rng.randint(MAX_SEED))
    # One OpenMP thread: with torch's OpenMP runtime loaded beside scikit-learn's, the
    # boosting's threads spin against each other, many times slower on small samples.
    with threadpool_limits(1):
        return float(cross_val_score(classifier, X, y, cv=folds, scoring="roc_auc").mean())


def column_fidelity_score(X_real, X_synthetic):
    """How well each column's distribution is reproduced, averaged over columns.

    A numeric column scores ``1 - KS``, the Kolmogorov-Smirnov statistic (the largest gap
    between the two empirical CDFs); a categorical column scores ``1 - TV``, the total
    variation distance between the two category frequencies. Only the marginals are
    compared: a high score does not mean that the columns' dependencies are right (that is
    what :func:`c2st_score` sees).

    Parameters
    ----------
    X_real : array-like or DataFrame of shape (n_real, n_features)
        Real rows.
    X_synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        Generated rows, with the same columns as ``X_real``.

    Returns
    -------
    score : float
        In [0, 1]; 1 means every marginal matches exactly.

    Examples
    --------
    >>> import pandas as pd
    >>> from skae.metrics import column_fidelity_score
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "b", "b"]})
    >>> fake = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": ["a", "a", "a", "b"]})
    >>> column_fidelity_score(real, fake)  # x matches; c is off by a quarter
    0.875
    """
    real, synthetic = paired_tables(X_real, X_synthetic)
    scores = []
    for column in real.columns:
        a, b = real[column], synthetic[column]
        if isinstance(a.dtype, pd.CategoricalDtype):
            p = a.value_counts(normalize=True)
            q = b.value_counts(normalize=True).reindex(p.index, fill_value=0.0)
            scores.append(1.0 - 0.5 * float(np.abs(p - q).sum()))
        else:
            scores.append(1.0 - float(ks_2samp(a.to_numpy(), b.to_numpy()).statistic))
    return float(np.mean(scores))


def pair_trend_score(X_real, X_synthetic):
    """How well the trend between each pair of columns is reproduced, averaged over pairs.

    The column-pair trends of SDMetrics' quality report: two numeric columns score
    ``1 - |r_real - r_synthetic| / 2``, with ``r`` their Pearson correlation; any other
    pair scores ``1 - TV``, the total variation distance between the two tables'
    contingency tables of the pair, a numeric column cut into ``PAIR_TREND_BINS``
    equal-width bins over the real rows' range (synthetic values outside it fall in the
    end bins). TabDiff and TabSyn report ``1 - pair_trend_score`` as the trend error.

    Parameters
    ----------
    X_real : array-like or DataFrame of shape (n_real, n_features)
        Real rows.
    X_synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        Generated rows, with the same columns as ``X_real``.

    Returns
    -------
    score : float
        In [0, 1]; 1 means every pair's trend matches exactly. A table of one column has
        no pair and scores 1.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import pair_trend_score
    >>> rng = np.random.RandomState(0)
    >>> x = rng.randn(1000)
    >>> real = np.c_[x, x + 0.1 * rng.randn(1000)]  # two columns that move together
    >>> independent = np.c_[rng.randn(1000), rng.randn(1000)]
    >>> round(pair_trend_score(real, real), 2), round(pair_trend_score(real, independent), 1)
    (1.0, 0.5)
    """
    real, synthetic = paired_tables(X_real, X_synthetic)
    numeric = {c: not isinstance(real[c].dtype, pd.CategoricalDtype) for c in real.columns}
    scores = []
    for a, b in itertools.combinations(real.columns, 2):
        if numeric[a] and numeric[b]:
            r_real, r_synthetic = (np.corrcoef(t[a], t[b])[0, 1] for t in (real, synthetic))
            scores.append(1.0 - abs(np.nan_to_num(r_real) - np.nan_to_num(r_synthetic)) / 2)
        else:
            pairs = (
                _contingency_codes(real[a], synthetic[a]),
                _contingency_codes(real[b], synthetic[b]),
            )
            scores.append(1.0 - _total_variation(*pairs))
    return float(np.mean(scores)) if scores else 1.0


def _contingency_codes(real, synthetic):
    """``(real, synthetic)`` codes of a column for a contingency table: the category codes
    of a categorical column, the ``PAIR_TREND_BINS`` bins of a numeric one."""
    if isinstance(real.dtype, pd.CategoricalDtype):
        return real.cat.codes.to_numpy(), synthetic.cat.codes.to_numpy()
    edges = np.histogram_bin_edges(real.to_numpy(), bins=PAIR_TREND_BINS)[1:-1]
    return np.digitize(real.to_numpy(), edges), np.digitize(synthetic.to_numpy(), edges)


def _total_variation(a, b):
    """Total variation distance between the normalised contingency tables of the real and
    the synthetic codes of two columns, ``a = (real, synthetic)`` and ``b`` alike."""
    (real_a, synthetic_a), (real_b, synthetic_b) = a, b
    width = int(max(real_b.max(), synthetic_b.max())) + 2  # codes from -1 (missing)
    cells = np.r_[real_a * width + real_b, synthetic_a * width + synthetic_b]
    _, index = np.unique(cells, return_inverse=True)
    p = np.bincount(index[: len(real_a)], minlength=index.max() + 1) / len(real_a)
    q = np.bincount(index[len(real_a) :], minlength=index.max() + 1) / len(synthetic_a)
    return 0.5 * float(np.abs(p - q).sum())
