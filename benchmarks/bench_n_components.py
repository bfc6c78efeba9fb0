"""How large a code serves users best: the autoencoder's ``n_components`` for two uses.

For each candidate ``n_components`` (ints, and floats meaning PCA's fraction of the
variance), on scikit-learn's digits, breast cancer and wine:

* ``features``: 5-fold accuracy of ``make_pipeline(AutoencoderTransformer(n_components),
  LogisticRegression())``, the autoencoder as a feature step;
* ``reconstruction``: held-out reconstruction error (:func:`skae.metrics.
  reconstruction_error`, standardised units; 70/30 split) against ``StandardScaler + PCA``
  with the same code size (below 1 = better than PCA; none where the code is as large as
  the input) and in absolute terms;
* ``fit s``: the autoencoder's fit time on the 70% split.

The third use, anomaly scores, is measured by ``bench_anomaly.py``; the user guide puts the
three side by side. Run:  python benchmarks/bench_n_components.py [--candidates 2 8 0.9]
(one torch thread; ``--quick``: candidates 2 and 8, wine only).
"""

import argparse
import time

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer
from skae.metrics import reconstruction_error

TABLES = {"digits": load_digits, "cancer": load_breast_cancer, "wine": load_wine}


def parse(value):
    return float(value) if "." in value else int(value)


def measure(X, y, n_components, seed=0):
    ae = AutoencoderTransformer(n_components=n_components, random_state=seed)
    pipe = make_pipeline(ae, LogisticRegression(max_iter=2000))
    accuracy = cross_val_score(pipe, X, y, cv=5).mean()
    X_train, X_test = train_test_split(X, test_size=0.3, random_state=seed, stratify=y)
    start = time.perf_counter()
    fitted = AutoencoderTransformer(n_components=n_components, random_state=seed).fit(X_train)
    seconds = time.perf_counter() - start
    error = reconstruction_error(fitted, X_test).mean()
    pca = make_pipeline(StandardScaler(), PCA(min(fitted.n_components_, X.shape[1])))
    pca.fit(X_train)
    Z = pca[0].transform(X_test)
    pca_error = np.mean((pca[1].inverse_transform(pca[1].transform(Z)) - Z) ** 2)
    return {
        "code size": fitted.n_components_,
        "features": accuracy,
        "reconstruction": error,
        # PCA with as many axes as features reconstructs exactly: no ratio to give.
        "vs PCA": error / pca_error if fitted.n_components_ < X.shape[1] else np.nan,
        "fit s": seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", nargs="+", default=["2", "4", "8", "16", "0.9"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    candidates = ["2", "8"] if args.quick else args.candidates
    tables = ["wine"] if args.quick else list(TABLES)
    rows = []
    for table in tables:
        X, y = TABLES[table](return_X_y=True)
        for candidate in candidates:
            rows.append(
                {"table": table, "n_components": candidate, **measure(X, y, parse(candidate))}
            )
    results = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(results.round(3).to_string(index=False))
    print("\nMean over tables")
    means = results.groupby("n_components", sort=False).mean(numeric_only=True)
    print(means.round(3).to_string())


if __name__ == "__main__":
    main()
