"""The small scikit-learn models fitted beside the networks: the PCA behind a start or a
float ``n_components``, and the Gaussian mixtures codes are drawn from."""

import warnings
from contextlib import contextmanager

import numpy as np
from sklearn import config_context
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from .._utils.random import MAX_SEED, subsample

#: Rows a code mixture (:func:`fit_code_mixture`) is fitted on: more give the same held-out
#: log-likelihood in more time (``docs/design/constants.md``).
MIXTURE_MAX_ROWS = 2_000

#: A code mixture's components: one per this many rows, at most ``MAX_COMPONENTS``.
ROWS_PER_COMPONENT = 20
MAX_COMPONENTS = 10
#: Added to the diagonal of each component's covariance (``GaussianMixture.reg_covar``, a
#: hundred times its default): codes of a few rows must not give a singular component.
MIXTURE_REG_COVAR = 1e-4
#: Rows the PCA behind an initialisation or a float ``n_components`` is fitted on, at most.
PCA_MAX_ROWS = 10_000


@contextmanager
def helper_model_context():
    """Context for the small helper models (PCA, mixtures) fitted beside the network.

    They always work on NumPy arrays, and some refuse array-API dispatch, which a user may
    have switched on globally. They are too small to gain from BLAS threads, which only
    spin against torch's on a busy machine.
    """
    with config_context(array_api_dispatch=False), threadpool_limits(1):
        yield


def start_rows(X):
    """The rows a network's sizes and PCA start are learnt from: ``X``, or ``PCA_MAX_ROWS``
    of its rows drawn with a fixed seed (the start itself is deterministic)."""
    return subsample(X, PCA_MAX_ROWS, np.random.RandomState(0))


def fit_pca(M, n_components):
    """PCA with up to ``n_components`` axes on the rows of ``M`` (callers pass the model
    matrix of :func:`start_rows`); a float in (0, 1) is the fraction of the variance to
    keep, as in ``PCA``."""
    n_pca = n_components if n_components < 1 else min(n_components, *M.shape)
    with np.errstate(all="ignore"), warnings.catch_warnings(), helper_model_context():
        warnings.simplefilter("ignore", RuntimeWarning)
        return PCA(n_components=n_pca, svd_solver="full").fit(M)


def fit_code_mixture(M, rng):
    """The Gaussian mixture an autoencoder samples its codes from, fitted on the rows of
    ``M`` (callers pass at most ``MIXTURE_MAX_ROWS``, drawn with :func:`subsample`) and
    seeded from ``rng``: full covariances, one component per ``ROWS_PER_COMPONENT`` rows,
    at most ``MAX_COMPONENTS`` (the fusion's code GAN starts from a mixture fitted by the
    same rule)."""
    mixture = GaussianMixture(
        n_components=max(1, min(MAX_COMPONENTS, len(M) // ROWS_PER_COMPONENT)),
        reg_covar=MIXTURE_REG_COVAR,
        random_state=rng.randint(MAX_SEED),
    )
    with warnings.catch_warnings(), helper_model_context():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return mixture.fit(M.astype(np.float64))
