"""Synthetic-table quality of GANSampler (default parameters) against other samplers.

For wine and breast cancer, the rows are split 70/30 (stratified by class, over several
seeds). Each sampler is fitted on the training rows and draws as many rows as the test set
has; the samples are scored against the held-out real rows with

* ``c2st``: :func:`skae.metrics.c2st_score`, the cross-validated ROC-AUC of a gradient
  boosted classifier telling real from synthetic rows (0.5 = indistinguishable; lower is
  better);
* ``fidelity``: :func:`skae.metrics.column_fidelity_score`, mean over columns of 1 - KS
  (higher is better);

* ``dcr``: distance to the closest training row (standardised units), median over the
  samples, divided by the same for the held-out real rows: about 1 means samples are as
  new as unseen real rows; near 0 means they copy training rows (the bootstrap scores 0);

and the fit time in seconds. The samplers:

* ``GANSampler``: skae's WGAN-GP at its defaults;
* ``GaussianMixture``: scikit-learn, full covariances, 1 to 5 components picked by BIC;
* ``CTGAN`` and ``TVAE``: the ``ctgan`` package at its defaults (``pip install -e ".[bench]"``);
* ``bootstrap``: rows drawn with replacement from the training rows, the memorisation
  reference. Its duplicated rows can fall in both a training and a test fold of the C2ST,
  which the classifier exploits, so it does not score 0.5 either.

Run:  python benchmarks/bench_gan.py [--seeds 3] [--quick]
(``--quick``: one seed, no CTGAN/TVAE.) All models run in this process with the same threads.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from skae import GANSampler
from skae.metrics import c2st_score, column_fidelity_score

sys.path.insert(0, str(Path(__file__).parent))
from bench_tables import warm_up  # noqa: E402

DATASETS = {"wine": load_wine, "breast_cancer": load_breast_cancer}


def fit_gan(X, seed):
    gan = GANSampler(random_state=seed).fit(X)
    return lambda n: gan.sample(n, random_state=seed)


def fit_gmm(X, seed):
    fits = [
        GaussianMixture(k, covariance_type="full", reg_covar=1e-4, random_state=seed).fit(X)
        for k in range(1, 6)
    ]
    best = min(fits, key=lambda m: m.bic(X))
    return lambda n: best.sample(n)[0]


def fit_ctgan_model(model_class, X, seed):
    import torch

    columns = [f"c{j}" for j in range(X.shape[1])]  # ctgan needs string column names
    model = model_class()
    model.set_random_state(seed)
    with torch.random.fork_rng():
        model.fit(pd.DataFrame(X, columns=columns))
    return lambda n: model.sample(n).to_numpy(dtype=np.float64)


def fit_ctgan(X, seed):
    from ctgan import CTGAN

    return fit_ctgan_model(CTGAN, X, seed)


def fit_tvae(X, seed):
    from ctgan import TVAE

    return fit_ctgan_model(TVAE, X, seed)


def fit_bootstrap(X, seed):
    rng = np.random.RandomState(seed)
    return lambda n: X[rng.randint(len(X), size=n)]


SAMPLERS = {
    "GANSampler": fit_gan,
    "GaussianMixture": fit_gmm,
    "CTGAN": fit_ctgan,
    "TVAE": fit_tvae,
    "bootstrap": fit_bootstrap,
}


def closest_record_ratio(X_train, X_test, synthetic):
    """Median distance of synthetic rows to their closest training row, over the same for
    held-out real rows."""
    scaler = StandardScaler().fit(X_train)
    neighbours = NearestNeighbors(n_neighbors=1).fit(scaler.transform(X_train))

    def median_distance(rows):
        return np.median(neighbours.kneighbors(scaler.transform(rows))[0])

    return median_distance(synthetic) / median_distance(X_test)


def evaluate(fit, X, y, seed):
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=seed, stratify=y)
    start = time.perf_counter()
    sample = fit(X_train, seed)
    fit_time = time.perf_counter() - start
    synthetic = sample(len(X_test))
    return {
        "c2st": c2st_score(X_test, synthetic, random_state=seed),
        "fidelity": column_fidelity_score(X_test, synthetic),
        "dcr": closest_record_ratio(X_train, X_test, synthetic),
        "fit_s": fit_time,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seeds = range(1 if args.quick else args.seeds)
    samplers = {
        name: fit
        for name, fit in SAMPLERS.items()
        if not (args.quick and name in ("CTGAN", "TVAE"))
    }
    warm_up()
    rows = []
    for data_name, load in DATASETS.items():
        X, y = load(return_X_y=True)
        for name, fit in samplers.items():
            for seed in seeds:
                rows.append({"data": data_name, "sampler": name, **evaluate(fit, X, y, seed)})
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows).groupby(["data", "sampler"], sort=False).mean()
    print(f"\nmean over {len(seeds)} split(s); c2st: lower is better, 0.5 is ideal")
    print(table.round(3).to_string())


if __name__ == "__main__":
    main()
