"""Variants of the autoencoder's anomaly score, from one fitted default model per setting.

The measurement behind ``docs/design/anomaly_real_2026-12.md`` (issue #34): which code
term, and which weighting of the reconstruction term, ranks the outliers of
``bench_anomaly.py``'s groups best. Each setting fits ``AutoencoderTransformer`` at its
defaults once and scores the test rows with every variant (higher = more normal):

* ``current``: ``score_samples`` (reconstruction + code Gaussian);
* ``recon``, ``gauss``: either term alone;
* ``knn20``: the k-nearest-neighbour log-density of the code (``k = 20``) among the
  training codes, whitened with the code Gaussian, in nats;
* ``recon+knn20``: the reconstruction term with the kNN code density instead of the
  Gaussian; ``z:recon+gauss+knn20``: the three terms each robustly z-scored on the
  training rows (median and MAD) and summed;
* ``recon*d/D+gauss``: the reconstruction term scaled by code size over input size (at
  most 1) plus the Gaussian: the two terms weighted by their degrees of freedom;
* ``rankavg20``: the mean of the ranks of ``current`` and of the kNN distance (the rank
  combination measured in issue #34);
* ``iforest``: ``IsolationForest``'s ``score_samples`` on the codes (fitted on the
  training codes); ``z:current+iforest``: it and ``current``, each robustly z-scored on
  the training rows, summed.

``--half-code`` fits the autoencoder with ``n_components = min(8, n_features // 2)``
instead of its default 8.

Run:  python benchmarks/explore_anomaly_code_terms.py {real,synthetic} [--seeds 3]
      [--half-code]
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.special import gammaln
from scipy.stats import rankdata
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, str(Path(__file__).parent))
import bench_anomaly as bench  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402
from skae._nn.densities import GaussianLogDensity  # noqa: E402

K = 20


def knn_log_density(reference, queries, k):
    """The k-nearest-neighbour density estimate's log at ``queries`` (nats), and the
    distance to the k-th neighbour."""
    k = min(k, len(reference))
    dim = reference.shape[1]
    radius = NearestNeighbors(n_neighbors=k).fit(reference).kneighbors(queries)[0][:, -1]
    log_ball = dim / 2 * np.log(np.pi) - gammaln(dim / 2 + 1)
    return np.log(k / len(reference)) - log_ball - dim * np.log(np.maximum(radius, 1e-12)), radius


def robust_z(values, training):
    median = np.median(training)
    return (values - median) / (1.4826 * np.median(np.abs(training - median)) + 1e-12)


def variants(X_train, X_test, seed, half_code=False):
    n_components = max(1, min(8, X_train.shape[1] // 2)) if half_code else 8
    ae = AutoencoderTransformer(n_components, random_state=seed).fit(X_train)
    gaussian = GaussianLogDensity(ae.code_mean_, ae._code_whitening, ae._code_log_norm)
    terms = {}
    for part, X in [("train", X_train), ("test", X_test)]:
        codes = ae.transform(X).astype(np.float64)
        score = ae.score_samples(X)
        with torch.no_grad():
            gauss = gaussian(torch.from_numpy(codes)).numpy()
        terms[part] = dict(
            score=score,
            gauss=gauss,
            recon=score - gauss,
            white=(codes - ae.code_mean_) @ ae._code_whitening,
            codes=codes,
        )
    train, test = terms["train"], terms["test"]
    log_det = np.linalg.slogdet(ae._code_whitening)[1]
    knn, radius = knn_log_density(train["white"], test["white"], K)
    knn_train, _ = knn_log_density(train["white"], train["white"], K + 1)
    weight = min(1.0, ae.n_components_ / X_train.shape[1])
    forest = IsolationForest(random_state=seed).fit(train["codes"])
    forest_train, forest_test = (forest.score_samples(t["codes"]) for t in (train, test))
    return {
        "current": test["score"],
        "recon": test["recon"],
        "gauss": test["gauss"],
        f"knn{K}": knn + log_det,
        f"recon+knn{K}": test["recon"] + knn + log_det,
        f"z:recon+gauss+knn{K}": robust_z(test["recon"], train["recon"])
        + robust_z(test["gauss"], train["gauss"])
        + robust_z(knn, knn_train),
        "recon*d/D+gauss": weight * test["recon"] + test["gauss"],
        f"rankavg{K}": -(rankdata(-test["score"]) + rankdata(radius)),
        "iforest": forest_test,
        "z:current+iforest": robust_z(test["score"], train["score"])
        + robust_z(forest_test, forest_train),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=["real", "synthetic"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--half-code", action="store_true", help="n_components=min(8, D//2)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cells = bench.exploration_cells(args.group)
    rows = []
    for table, kind in cells:
        for seed in range(args.seeds):
            X_train, X_test, y_test = bench.setting(table, kind, seed)
            for name, normality in variants(X_train, X_test, seed, args.half_code).items():
                rows.append(
                    dict(
                        variant=name,
                        table=table,
                        type=kind,
                        seed=seed,
                        roc_auc=roc_auc_score(y_test, -normality),
                        ap=average_precision_score(y_test, -normality),
                        p_at_n=bench.precision_at_n(y_test, -normality),
                    )
                )
            print(table, kind, seed, file=sys.stderr, flush=True)
    results = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"{args.group}: {len(cells) * args.seeds} settings")
    means = results.groupby("variant")[bench.METRICS].mean()
    means["roc_auc vs current"] = means["roc_auc"] - means.loc["current", "roc_auc"]
    print(means.round(3).sort_values("roc_auc").to_string())
    by = "table" if args.group == "real" else "type"
    print(results.pivot_table("roc_auc", "variant", by).round(3).to_string())


if __name__ == "__main__":
    main()
