"""Held-out reconstruction error of AutoencoderTransformer (default parameters) against PCA.

For each table bundled with scikit-learn (digits, breast cancer, wine) and each
``n_components`` in 2, 4, 8, 16 (where smaller than the number of features), the rows are
split 75/25 over several seeds; both models are fitted on the training rows and the mean
squared reconstruction error of the test rows is reported as a ratio autoencoder / PCA
(below 1 = the autoencoder is better).

* ``std``: error in standardised units (a StandardScaler fitted on the training rows),
  against ``StandardScaler + PCA``: the same preprocessing the autoencoder applies inside.
* ``raw``: error in the data's own units against plain ``PCA``, shown for digits only,
  where every column is a pixel intensity on the same scale (on the other tables raw
  units are dominated by whichever column has the largest numbers).

Run:  python benchmarks/bench_quality.py [--quick]
"""

import argparse
import time

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

DATASETS = {"digits": load_digits, "breast_cancer": load_breast_cancer, "wine": load_wine}


def reconstruction_error(model, X):
    return np.mean((model.inverse_transform(model.transform(X)) - X) ** 2)


def standardised_error(model, X, scaler):
    """Reconstruction MSE of ``model`` on ``X``, measured in ``scaler``'s standardised units."""
    reconstruction = model.inverse_transform(model.transform(X))
    return np.mean((scaler.transform(reconstruction) - scaler.transform(X)) ** 2)


def compare(X, n_components, seed):
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    S_train, S_test = scaler.transform(X_train), scaler.transform(X_test)
    start = time.perf_counter()
    ae = AutoencoderTransformer(n_components, random_state=seed).fit(X_train)
    fit_time = time.perf_counter() - start
    ae_std = standardised_error(ae, X_test, scaler)
    pca_std = reconstruction_error(PCA(n_components).fit(S_train), S_test)
    ae_raw = reconstruction_error(ae, X_test)
    pca_raw = reconstruction_error(PCA(n_components).fit(X_train), X_test)
    return ae_std / pca_std, ae_raw / pca_raw, fit_time, ae.n_iter_


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, n_components 2 and 8")
    args = parser.parse_args()
    torch.set_num_threads(2)
    seeds = [0] if args.quick else [0, 1, 2]
    grid = [2, 8] if args.quick else [2, 4, 8, 16]

    print(f"held-out MSE ratio autoencoder / PCA, mean over {len(seeds)} split(s)")
    print(
        f"{'dataset':14s} {'k':>3s} {'std ratio':>10s} {'worst':>7s} {'raw ratio':>10s} "
        f"{'fit s':>7s} {'epochs':>7s}"
    )
    for name, load in DATASETS.items():
        X, _ = load(return_X_y=True)
        for k in grid:
            if k >= X.shape[1]:
                continue
            runs = np.array([compare(X, k, seed) for seed in seeds])
            raw = f"{runs[:, 1].mean():10.3f}" if name == "digits" else f"{'-':>10s}"
            print(
                f"{name:14s} {k:3d} {runs[:, 0].mean():10.3f} {runs[:, 0].max():7.3f} {raw} "
                f"{runs[:, 2].mean():7.1f} {runs[:, 3].mean():7.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
