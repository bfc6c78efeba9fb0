"""Searches on a Dask cluster: GridSearchCV under joblib's dask backend, on a LocalCluster of
two worker processes."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def worker_threads():
    """The torch threads a worker allows, and those skae would take for a huge network."""
    import torch

    from skae._training.compute import threads_for

    return torch.get_num_threads(), threads_for(1e15)


def test_workers_use_one_torch_thread_per_core(client):
    """Dask's nanny starts workers with OMP_NUM_THREADS=1 (one core each here), which
    caps torch's threads, and skae never takes more than the cap."""
    assert set(client.run(worker_threads).values()) == {(1, 1)}


@pytest.mark.slow
def test_grid_search_on_a_cluster_matches_serial(client):
    X = load_digits().data[:400]
    grid = {"n_components": [2, 8], "hidden_layer_sizes": [(32,), (64, 32)]}

    def search():
        model = AutoencoderTransformer(max_epochs=4, random_state=0)
        return GridSearchCV(model, grid, cv=2, n_jobs=-1)

    serial = search().set_params(n_jobs=None).fit(X)
    with joblib.parallel_backend("dask"):
        on_cluster = search().fit(X)
    assert on_cluster.best_params_ == serial.best_params_
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_allclose(on_cluster.cv_results_[key], serial.cv_results_[key])
    assert on_cluster.best_estimator_.transform(X).shape == (
        400,
        serial.best_params_["n_components"],
    )
