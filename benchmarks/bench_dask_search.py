"""A grid search of 8 candidates on a Dask LocalCluster of 2 worker processes against the
same search run serially in this process (issue #22's target: at least 1.6x faster on a
2-core machine, with the same ``best_params_`` and ``cv_results_`` scores).

The search: ``GridSearchCV(AutoencoderTransformer(random_state=0), grid, cv=3)`` on
scikit-learn's digits (1,797 x 64), the grid ``n_components`` in (2, 4, 8, 16) times
``hidden_layer_sizes`` in ((64,), (128, 64)): 24 fits and the refit, each with the
estimator's defaults (early stopping on a 10% validation split). Scored by the estimator's
``score`` (the mean reconstruction log-likelihood score, as ``PCA.score``).

- ``serial``: ``n_jobs=None`` in this process (skae chooses its torch threads by the work:
  one for these networks);
- ``dask``: ``n_jobs=-1`` under ``joblib.parallel_backend("dask")`` with a running
  ``LocalCluster(n_workers=2, threads_per_worker=1)``; dask's nanny starts each worker with
  ``OMP_NUM_THREADS=1``, so each fit there uses one torch thread. The cluster's start-up is
  timed apart (a user starts it once for many searches).

The two runs are interleaved ``--repeats`` times; the ratio is of the medians. Run on an
otherwise idle machine, with ``OMP_WAIT_POLICY=PASSIVE``:

    OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_dask_search.py [--quick] [--repeats 3]
"""

import argparse
import logging
import statistics
import time

import joblib
import numpy as np
import torch
from distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer

GRID = {"n_components": [2, 4, 8, 16], "hidden_layer_sizes": [(64,), (128, 64)]}


def search(max_epochs, n_jobs):
    model = AutoencoderTransformer(random_state=0, max_epochs=max_epochs)
    return GridSearchCV(model, GRID, cv=3, n_jobs=n_jobs)


def timed(run):
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 10 epochs, 1 repeat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    max_epochs, repeats = (10, 1) if args.quick else (200, args.repeats)
    X = load_digits().data
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads allowed here")
    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        print(f"LocalCluster of 2 workers started in {time.perf_counter() - start:.1f} s")
        seconds = {"serial": [], "dask": []}
        for repeat in range(repeats):
            serial, s = timed(lambda: search(max_epochs, None).fit(X))
            seconds["serial"].append(s)
            with joblib.parallel_backend("dask"):
                on_cluster, s = timed(lambda: search(max_epochs, -1).fit(X))
            seconds["dask"].append(s)
            same_best = on_cluster.best_params_ == serial.best_params_
            score_gap = np.max(
                np.abs(
                    on_cluster.cv_results_["mean_test_score"]
                    - serial.cv_results_["mean_test_score"]
                )
            )
            print(
                f"repeat {repeat}: serial {seconds['serial'][-1]:.1f} s, dask "
                f"{seconds['dask'][-1]:.1f} s; same best_params_: {same_best} "
                f"({serial.best_params_}); largest mean_test_score difference {score_gap:.2e}",
                flush=True,
            )
    serial_s, dask_s = (statistics.median(seconds[k]) for k in ("serial", "dask"))
    print("\n| search | serial | dask, 2 workers | serial / dask | target >= 1.6 |")
    print("|---|---|---|---|---|")
    print(
        f"| 8 candidates x 3 folds, digits, max_epochs={max_epochs} | {serial_s:.1f} s "
        f"| {dask_s:.1f} s | {serial_s / dask_s:.2f} | "
        f"{'met' if serial_s / dask_s >= 1.6 else 'not met'} |"
    )


if __name__ == "__main__":
    main()
