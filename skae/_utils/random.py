"""Random streams: a fit's private ``RandomState``, seeds drawn from it, subsamples."""

import numpy as np
from sklearn.utils import check_random_state

#: Exclusive upper bound of the seeds drawn from a RandomState (any int32 is a valid seed).
MAX_SEED = np.iinfo(np.int32).max


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


def subsample(X, max_rows, rng, keep_order=False):
    """``X``, or ``max_rows`` of its rows drawn without replacement with ``rng`` when it has
    more: in the order drawn, or with ``keep_order`` in their order in ``X``."""
    if len(X) <= max_rows:
        return X
    rows = rng.choice(len(X), max_rows, replace=False)
    return X[np.sort(rows) if keep_order else rows]
