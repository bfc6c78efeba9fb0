"""Free helpers of the estimators: seeding, input checks, the device, Ctrl-C, and the small
scikit-learn models (PCA, Gaussian mixtures) fitted beside the networks."""

import re
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
from sklearn import config_context
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, validate_data
from threadpoolctl import threadpool_limits

from ._callbacks import TrainingInterrupted
from ._frames import to_pandas
from ._sklearn_compat import InvalidParameterError

#: The values the ``device`` parameter accepts.
DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
#: Exclusive upper bound of the seeds drawn from a RandomState (any int32 is a valid seed).
MAX_SEED = np.iinfo(np.int32).max
#: Rows a code mixture (:func:`fit_code_mixture`) is fitted on: more give the same held-out
#: log-likelihood in more time (``docs/design/constants.md``).
MIXTURE_MAX_ROWS = 2_000
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


@contextmanager
def interruptible(estimator):
    """Ctrl-C during the block propagates as ``KeyboardInterrupt``, as in scikit-learn, so
    a search stops, and leaves ``estimator`` as it was before: never half-trained."""
    state = dict(vars(estimator))
    try:
        yield
    except (KeyboardInterrupt, TrainingInterrupted) as interrupt:
        vars(estimator).clear()
        vars(estimator).update(state)
        if isinstance(interrupt, KeyboardInterrupt):
            raise
        raise KeyboardInterrupt from interrupt


def discard_message(*args, **kwargs):
    """A picklable sink for skorch messages."""


def resolve_device(device, owner):
    """The torch device string for the ``device`` parameter, or a clear error."""
    if not (isinstance(device, str) and DEVICE_PATTERN.match(device)):
        raise InvalidParameterError(
            f"The 'device' parameter of {owner} must be 'auto', 'cpu', 'cuda', 'cuda:N' or "
            f"'mps'. Got {device!r} instead."
        )
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        index = int(device.partition(":")[2] or 0)
        if not torch.cuda.is_available() or index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but no such CUDA device is available "
                f"({torch.cuda.device_count()} found). Use device='auto' or device='cpu'."
            )
    if device == "mps" and not torch.backends.mps.is_available():
        raise ValueError("device='mps' was requested but MPS is not available.")
    return device


def fit_rng(random_state):
    """A private RandomState for one fit, derived from ``random_state``.

    ``None`` draws fresh OS entropy instead of the global NumPy state, so fitting never
    moves the caller's global random stream.
    """
    if random_state is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0]) % MAX_SEED
    else:
        seed = check_random_state(random_state).randint(MAX_SEED)
    return np.random.RandomState(seed)


@contextmanager
def seeded_torch(seed, device):
    """Seed torch inside the block and restore the caller's torch RNG state afterwards."""
    cuda = device.startswith("cuda")
    devices = list(range(torch.cuda.device_count())) if cuda else []
    with torch.random.fork_rng(devices=devices):
        if cuda:
            torch.manual_seed(seed)
        else:
            torch.random.default_generator.manual_seed(seed)
        yield


def check_rows(estimator, X, reset, min_samples=1):
    """``X`` validated for ``estimator``, whose name errors carry and whose feature names
    and count are set (``reset``) or checked: a DataFrame (polars and pyarrow ones as
    pandas) keeps its columns for the codec to check one by one; anything else (a torch
    tensor included) becomes a float array, float32 staying float32. Too few rows or no
    columns get scikit-learn's messages."""
    X = to_pandas(X)
    if isinstance(X, torch.Tensor):
        X = X.detach().cpu().numpy()  # keeps float32 float32, as a float32 array
    if not isinstance(X, pd.DataFrame):
        try:
            return validate_data(
                estimator,
                X,
                reset=reset,
                dtype=[np.float64, np.float32],
                ensure_min_samples=min_samples,
            )
        except ValueError as error:
            if "could not convert" not in str(error):
                raise
            raise ValueError(
                f"X holds values that are not numbers ({error}). {type(estimator).__name__} "
                "models such columns as categories in a DataFrame (pandas, polars or "
                "pyarrow): pass pd.DataFrame(X, columns=...) instead of an array."
            ) from error
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    # The shape checks alone, on a zero-copy stand-in of X's shape.
    check_array(np.broadcast_to(0.0, X.shape), ensure_min_samples=min_samples, estimator=estimator)
    return X


def subsample(X, max_rows, rng, keep_order=False):
    """``X``, or ``max_rows`` of its rows drawn without replacement with ``rng`` when it has
    more: in the order drawn, or with ``keep_order`` in their order in ``X``."""
    if len(X) <= max_rows:
        return X
    rows = rng.choice(len(X), max_rows, replace=False)
    return X[np.sort(rows) if keep_order else rows]


def epoch_history(history):
    """A skorch history (or some of its epochs) as ``history_`` holds it: one dict per
    epoch, without the per-batch rows."""
    return [{k: v for k, v in row.items() if k != "batches"} for row in history]


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
    seeded from ``rng``: full covariances, one component per 20 rows, at most 10 (the
    fusion's code GAN starts from a mixture fitted by the same rule)."""
    mixture = GaussianMixture(
        n_components=max(1, min(10, len(M) // 20)),
        reg_covar=1e-4,
        random_state=rng.randint(MAX_SEED),
    )
    with warnings.catch_warnings(), helper_model_context():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return mixture.fit(M.astype(np.float64))
