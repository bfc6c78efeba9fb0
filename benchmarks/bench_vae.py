"""VAETransformer (default parameters) against PCA and AutoencoderTransformer.

For digits, breast cancer and wine (bundled with scikit-learn), split 75/25 over seeds:

* reconstruction: held-out mean squared error in standardised units (a StandardScaler fitted
  on the training rows), as a ratio to ``StandardScaler + PCA`` at the same n_components,
  for the VAE and for AutoencoderTransformer;
* likelihood: mean held-out ELBO of the VAE (``score``, nats per row, in the data's units)
  next to the exact held-out log-likelihood of probabilistic PCA (``PCA.score``) with the
  same n_components, which is what a linear VAE would reach; higher is better, and the
  ELBO is only a lower bound on the VAE's log-likelihood;
* fit time of the VAE.

Then anomaly detection on breast cancer (benign rows plus 10% malignant, fitted and scored
without labels, as in ``bench_anomaly.py``): ROC-AUC of the VAE's ELBO, the autoencoder and
IsolationForest.

Run:  python benchmarks/bench_vae.py [--quick]
"""

import argparse
import time

import numpy as np
import torch
from bench_anomaly import contaminate
from bench_quality import DATASETS, reconstruction_error, standardised_error
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer, VAETransformer


def compare(X, k, seed):
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    pca_error = reconstruction_error(
        PCA(k).fit(scaler.transform(X_train)), scaler.transform(X_test)
    )
    start = time.perf_counter()
    vae = VAETransformer(k, random_state=seed).fit(X_train)
    fit_time = time.perf_counter() - start
    ae = AutoencoderTransformer(k, random_state=seed).fit(X_train)
    return (
        standardised_error(vae, X_test, scaler) / pca_error,
        standardised_error(ae, X_test, scaler) / pca_error,
        vae.score(X_test),
        PCA(k).fit(X_train).score(X_test),
        vae.history_[-1]["active_units"],
        fit_time,
    )


def anomaly_auc(seeds):
    X_all, y_all = load_breast_cancer(return_X_y=True)
    aucs = []
    for seed in seeds:
        X, is_outlier = contaminate(X_all, y_all == 1, seed)
        models = [
            VAETransformer(random_state=seed),
            AutoencoderTransformer(random_state=seed),
            IsolationForest(random_state=seed),
        ]
        aucs.append([roc_auc_score(is_outlier, -m.fit(X).score_samples(X)) for m in models])
    return np.array(aucs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, n_components 2 only")
    args = parser.parse_args()
    torch.set_num_threads(2)
    seeds = [0] if args.quick else [0, 1, 2]
    grid = [2] if args.quick else [2, 8]

    print(f"mean over {len(seeds)} split(s); MSE ratios to StandardScaler+PCA (below 1 = better)")
    print(
        f"{'dataset':14s} {'k':>3s} {'VAE/PCA':>8s} {'AE/PCA':>8s} {'VAE ELBO':>10s} "
        f"{'pPCA loglik':>12s} {'active':>7s} {'VAE fit s':>10s}"
    )
    for name, load in DATASETS.items():
        X, _ = load(return_X_y=True)
        for k in grid:
            r = np.array([compare(X, k, seed) for seed in seeds]).mean(axis=0)
            print(
                f"{name:14s} {k:3d} {r[0]:8.3f} {r[1]:8.3f} {r[2]:10.1f} {r[3]:12.1f} "
                f"{r[4]:7.1f} {r[5]:10.1f}",
                flush=True,
            )

    aucs = anomaly_auc(seeds)
    print("\nbreast cancer anomaly ROC-AUC (benign + 10% malignant, unsupervised)")
    for name, column in zip(
        ["VAE (ELBO)", "AutoencoderTransformer", "IsolationForest"], aucs.T, strict=True
    ):
        print(f"  {name:24s} {column.mean():.3f} ± {column.std():.3f}")


if __name__ == "__main__":
    main()
