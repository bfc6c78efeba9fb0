"""Per-row and per-column reconstruction errors of skae's encoder/decoders."""

import pandas as pd


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
