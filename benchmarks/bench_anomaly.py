"""Unsupervised anomaly-detection benchmark: ROC-AUC of skae's autoencoder against baselines.

Detectors, each with default settings (only the random seed is set):

* ``skae.AutoencoderTransformer()``: anomaly score ``-score_samples``;
* ``sklearn.ensemble.IsolationForest()``: anomaly score ``-score_samples``;
* pyod's deep ``AutoEncoder()`` (standardises internally, ``preprocessing=True``):
  anomaly score ``decision_function``; ``verbose=0`` only silences its progress bar;
* ``StandardScaler + PCA(n_components=2)``: anomaly score = squared reconstruction error,
  the linear analogue of the autoencoder.

A last column, "AE inliers only", fits the same autoencoder on the inliers alone (the labels
known, so not a detector a user has) and scores every row: the best its reconstruction
error can do when nothing in the fit pulls the model towards the outliers.

Data sets (bundled with scikit-learn, nothing is downloaded), contaminated at ~10%:

* breast cancer: all 357 benign rows as inliers plus 36 malignant rows drawn at random;
* digits: all rows of one class as inliers plus 10% as many rows drawn from the other
  nine classes, for each inlier class 0..9.

Protocol: fit on the whole contaminated set without labels, score the same rows, and
compute the ROC-AUC against the true outlier labels. Each seed redraws the outliers and
seeds every model. The table gives mean ± std over seeds (for digits, of the per-seed mean
over classes); "skae fit s" is the wall-clock time of the autoencoder's fit + scoring.

Run with ``python benchmarks/bench_anomaly.py`` (3 seeds, 10 digit classes: 33 fits of
each model) or add ``--quick`` for a smoke run (1 seed, 2 digit classes). ``--threads``
sets torch's thread count (default 2). Progress goes to stderr, the tables to stdout.
"""

import argparse
import sys
import time

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer

try:
    from pyod.models.auto_encoder import AutoEncoder
except Exception as exc:  # noqa: BLE001 - report any import failure and go on
    AutoEncoder, PYOD_ERROR = None, f"{type(exc).__name__}: {exc}"
else:
    PYOD_ERROR = None

CONTAMINATION = 0.1


def skae_ae(X, seed):
    return -AutoencoderTransformer(random_state=seed).fit(X).score_samples(X)


def isolation_forest(X, seed):
    return -IsolationForest(random_state=seed).fit(X).score_samples(X)


def pyod_ae(X, seed):
    return AutoEncoder(random_state=seed, verbose=0).fit(X).decision_function(X)


def pca_error(X, seed):
    pca = make_pipeline(StandardScaler(), PCA(n_components=2, random_state=seed)).fit(X)
    Z = pca[0].transform(X)
    return ((pca[1].inverse_transform(pca[1].transform(Z)) - Z) ** 2).sum(axis=1)


DETECTORS = {"skae AE": skae_ae, "IForest": isolation_forest, "pyod AE": pyod_ae, "PCA": pca_error}
COLUMNS = [*DETECTORS, "skae fit s", "AE inliers only"]


def contaminate(X, inlier, seed):
    """All rows where ``inlier`` plus 10% as many drawn from the rest; returns X, is_outlier."""
    rng = np.random.RandomState(seed)
    inliers = np.flatnonzero(inlier)
    outliers = rng.choice(
        np.flatnonzero(~inlier), round(CONTAMINATION * len(inliers)), replace=False
    )
    return X[np.r_[inliers, outliers]], np.r_[np.zeros(len(inliers)), np.ones(len(outliers))]


def evaluate(label, X, is_outlier, seed):
    """ROC-AUC of each detector and the skae fit time on one contaminated set."""
    print(f"{label}, seed {seed}", file=sys.stderr, flush=True)
    result = {}
    for name, detector in DETECTORS.items():
        if name == "pyod AE" and AutoEncoder is None:
            result[name] = np.nan
            continue
        start = time.perf_counter()
        result[name] = roc_auc_score(is_outlier, detector(X, seed))
        if name == "skae AE":
            result["skae fit s"] = time.perf_counter() - start
    inliers = X[is_outlier == 0]
    result["AE inliers only"] = roc_auc_score(
        is_outlier, -AutoencoderTransformer(random_state=seed).fit(inliers).score_samples(X)
    )
    return result


def fmt(values, digits=3):
    values = np.asarray(values, dtype=float)
    if np.isnan(values).all():
        return "n/a"
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def print_table(title, rows):
    """``rows`` maps a row label to a list over seeds of ``{column: value}``."""
    print(f"\n{title}")
    print(f"{'':<16}" + "".join(f"{c:>17}" for c in COLUMNS))
    for label, runs in rows.items():
        cells = [fmt([r[c] for r in runs], 1 if c == "skae fit s" else 3) for c in COLUMNS]
        print(f"{label:<16}" + "".join(f"{cell:>17}" for cell in cells))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 2 digit classes")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    args = parser.parse_args()
    seeds = [0] if args.quick else [0, 1, 2]
    classes = [0, 1] if args.quick else list(range(10))
    torch.set_num_threads(args.threads)
    if PYOD_ERROR:
        print(f"pyod AutoEncoder unavailable ({PYOD_ERROR})")

    start = time.perf_counter()
    X, y = load_breast_cancer(return_X_y=True)
    cancer = [evaluate("breast cancer", *contaminate(X, y == 1, s), s) for s in seeds]

    X, y = load_digits(return_X_y=True)
    per_class = {
        f"digit {k}": [evaluate(f"digit {k}", *contaminate(X, y == k, s), s) for s in seeds]
        for k in classes
    }
    digits_mean = [
        {c: np.mean([runs[i][c] for runs in per_class.values()]) for c in COLUMNS}
        for i in range(len(seeds))
    ]

    print(f"ROC-AUC, mean ± std over {len(seeds)} seed(s); ~10% outliers; fit and scored on X")
    print(f"skae defaults: {AutoencoderTransformer().get_params()}")
    print_table("Summary", {"breast cancer": cancer, f"digits ({len(classes)} cls)": digits_mean})
    print_table("Digits, per inlier class", per_class)
    print(f"\nTotal time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
