"""Judge synthetic data and reconstructions by what they are, not by a training loss.

A GAN's losses say little about its samples. These scores compare samples with real rows
directly: :func:`c2st_score` asks whether a classifier can tell them apart at all,
:func:`column_fidelity_score` compares each column's distribution, and
:func:`reconstruction_error` gives the per-row error of any skae encoder/decoder, and
:func:`reconstruction_error_by_column` its breakdown over the input's columns.

All accept NumPy arrays and DataFrames (pandas, polars or pyarrow). Columns that are not
numbers (``category``, ``object``, ``string``, ``bool``) are compared as categories.
"""

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from ._tabular.codec import is_categorical
from ._tabular.frames import as_frame, to_pandas
from ._utils.random import MAX_SEED

__all__ = [
    "c2st_score",
    "column_fidelity_score",
    "reconstruction_error",
    "reconstruction_error_by_column",
]


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
    real, synthetic = _paired_tables(X_real, X_synthetic)
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
    real, synthetic = _paired_tables(X_real, X_synthetic)
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


def reconstruction_error(estimator, X):
    """Per-row reconstruction error of a fitted skae encoder/decoder.

    The mean over the input's columns of the error between a row and its reconstruction
    (the decoding of its code; the posterior mean's, for a VAE): the squared difference
    for a number, in the model's standardised units so that no column dominates by its
    scale (the binary cross-entropy for a model with Bernoulli outputs,
    ``reconstruction_loss="bce"``), and the cross-entropy for a category. It is the
    row mean of :func:`reconstruction_error_by_column`.

    Parameters
    ----------
    estimator : fitted AutoencoderTransformer, VAETransformer or AEGANFusion
        The model that encodes and decodes.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Rows to reconstruct.

    Returns
    -------
    errors : ndarray of shape (n_samples,)
        Higher means worse reconstructed.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.metrics import reconstruction_error
    >>> X, _ = load_wine(return_X_y=True)
    >>> ae = AutoencoderTransformer(n_components=4, max_epochs=5, random_state=0).fit(X)
    >>> reconstruction_error(ae, X[:3]).shape
    (3,)
    """
    estimator = _encoder_decoder(estimator, "reconstruction_error")
    return estimator._row_errors(estimator._validate_input(X))


def reconstruction_error_by_column(estimator, X):
    """Which columns make a row badly reconstructed: its error, column by column.

    The terms whose mean is :func:`reconstruction_error`: per row and input column, the
    squared standardised difference for a number (the binary cross-entropy with
    ``reconstruction_loss="bce"``) and the cross-entropy of the true category for a
    categorical column (one column each, however many categories it has). Sort a flagged
    row's values to see what made it anomalous.

    Parameters
    ----------
    estimator : fitted AutoencoderTransformer, VAETransformer or AEGANFusion
        The model that encodes and decodes.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Rows to explain.

    Returns
    -------
    errors : DataFrame of shape (n_samples, n_features)
        Columns named as the input's (``feature_names_in_``, or ``x0``, ``x1``, ... when
        fitted on an array), with the index of ``X`` when it is a pandas DataFrame. Higher means
        worse reconstructed.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.metrics import reconstruction_error_by_column
    >>> X = load_wine(as_frame=True).data
    >>> ae = AutoencoderTransformer(n_components=4, max_epochs=5, random_state=0).fit(X)
    >>> errors = reconstruction_error_by_column(ae, X.iloc[:3])
    >>> errors.shape, errors.columns[0]
    ((3, 13), 'alcohol')
    """
    estimator = _encoder_decoder(estimator, "reconstruction_error_by_column")
    errors = estimator._column_errors(estimator._validate_input(X))
    names = getattr(estimator, "feature_names_in_", None)
    if names is None:
        names = [f"x{i}" for i in range(errors.shape[1])]
    index = X.index if isinstance(X, pd.DataFrame) else None
    return pd.DataFrame(errors, columns=list(names), index=index)


def _encoder_decoder(estimator, function):
    """``estimator``, when it is a skae model that encodes and decodes (whose rows
    ``_validate_input`` validates and ``_row_errors``, ``_column_errors`` score: see
    ``BaseAutoencoder``), else a TypeError."""
    if not hasattr(estimator, "_column_errors"):
        raise TypeError(
            f"{function} needs a skae model that encodes and decodes "
            "(AutoencoderTransformer, VAETransformer or AEGANFusion); got "
            f"{type(estimator).__name__}."
        )
    return estimator


def _paired_tables(X_real, X_synthetic):
    """Both inputs as DataFrames with the same columns: numbers as float64, everything else
    as categories over the union of both inputs' values."""
    X_real, X_synthetic = to_pandas(X_real), to_pandas(X_synthetic)
    real = as_frame(X_real, "X_real", validate=True)
    synthetic = as_frame(X_synthetic, "X_synthetic", validate=True)
    if real.shape[1] != synthetic.shape[1] or (
        isinstance(X_real, pd.DataFrame) and set(real.columns) != set(synthetic.columns)
    ):
        raise ValueError(
            "X_real and X_synthetic must have the same columns; got "
            f"{list(real.columns)} and {list(synthetic.columns)}."
        )
    synthetic = synthetic.reindex(columns=real.columns)
    for column in real.columns:
        a, b = real[column], synthetic[column]
        if not (is_categorical(a.dtype) or is_categorical(b.dtype)):
            real[column], synthetic[column] = _finite(a, "X_real"), _finite(b, "X_synthetic")
        else:
            dtype = pd.CategoricalDtype(pd.concat([a, b]).astype(object).dropna().unique())
            real[column] = a.astype(object).astype(dtype)
            synthetic[column] = b.astype(object).astype(dtype)
    return real, synthetic


def _finite(column, name):
    values = column.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError(f"Column {column.name!r} of {name} contains NaN or infinity.")
    return pd.Series(values, name=column.name)
