"""How the autoencoder is trained and preprocessed, against its anomaly scores.

The measurement behind the "training and contamination" section of
``docs/design/anomaly_real_2026-12.md`` (issue #34, items 4 and 5): each variant fits
``AutoencoderTransformer`` differently on every setting of a ``bench_anomaly.py`` group
and scores the test rows with ``score_samples``:

* ``default``: the defaults;
* ``short10``: 10 epochs, no early stopping (short training);
* ``dropout0.2``, ``hidden64-32``, ``weight_decay1e-3``, ``no_pca_init``: one parameter
  changed;
* ``ensemble5``: the mean score of five autoencoders with different seeds;
* ``trimmed_refit``: a second autoencoder fitted on the training rows minus the
  ``contamination`` fraction the first scores worst; ``trimmed_warm``: the first one
  trained on further on those rows (``warm_start=True``);
* ``raw_units``: ``scaler=None`` (the columns' own units); ``quantile``:
  ``scaler="quantile"``.

Printed: mean ROC-AUC, AP and fit + score seconds per variant, each variant's paired
difference from ``default`` with its standard error over the settings, and ROC-AUC by set
(real) or anomaly type (synthetic).

Run:  python benchmarks/explore_anomaly_training.py {real,synthetic} [--seeds 3]
      [--variants ...]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, str(Path(__file__).parent))
import bench_anomaly as bench  # noqa: E402

from skae import AutoencoderTransformer  # noqa: E402

PARAMETERS = {
    "default": {},
    "short10": dict(max_epochs=10, early_stopping=False),
    "dropout0.2": dict(dropout=0.2),
    "hidden64-32": dict(hidden_layer_sizes=(64, 32)),
    "weight_decay1e-3": dict(weight_decay=1e-3),
    "no_pca_init": dict(pca_init=False),
    "raw_units": dict(scaler=None),
    "quantile": dict(scaler="quantile"),
}


def trimmed_rows(ae, X):
    scores = ae.score_samples(X)
    return X[scores >= np.quantile(scores, ae.contamination)]


def normality(variant, X_train, X_test, seed):
    """``score_samples`` of ``X_test`` (higher = more normal) under ``variant``."""
    if variant == "ensemble5":
        models = [AutoencoderTransformer(random_state=10 * seed + i) for i in range(5)]
        return np.mean([m.fit(X_train).score_samples(X_test) for m in models], axis=0)
    if variant in ("trimmed_refit", "trimmed_warm"):
        ae = AutoencoderTransformer(random_state=seed).fit(X_train)
        kept = trimmed_rows(ae, X_train)
        if variant == "trimmed_refit":
            ae = AutoencoderTransformer(random_state=seed)
        return ae.set_params(warm_start=True).fit(kept).score_samples(X_test)
    model = AutoencoderTransformer(random_state=seed, **PARAMETERS[variant])
    return model.fit(X_train).score_samples(X_test)


def main():
    variants = [*PARAMETERS, "ensemble5", "trimmed_refit", "trimmed_warm"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=["real", "synthetic"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=variants, choices=variants)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cells = bench.exploration_cells(args.group)
    names = ["default", *[v for v in args.variants if v != "default"]]
    rows = []
    for table, kind in cells:
        for seed in range(args.seeds):
            X_train, X_test, y_test = bench.setting(table, kind, seed)
            for variant in names:
                start = time.perf_counter()
                anomaly = -normality(variant, X_train, X_test, seed)
                rows.append(
                    dict(
                        variant=variant,
                        table=table,
                        type=kind,
                        seed=seed,
                        roc_auc=roc_auc_score(y_test, anomaly),
                        ap=average_precision_score(y_test, anomaly),
                        seconds=time.perf_counter() - start,
                    )
                )
            print(table, kind, seed, file=sys.stderr, flush=True)
    results = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    print(f"{args.group}: {len(cells) * args.seeds} settings")
    print(results.groupby("variant")[["roc_auc", "ap", "seconds"]].mean().round(3).to_string())
    print("\nPaired difference from default (mean ± standard error over settings)")
    for metric in ["roc_auc", "ap"]:
        wide = results.pivot_table(metric, ["table", "type", "seed"], "variant")
        d = wide.sub(wide["default"], axis=0).drop(columns="default")
        print(
            metric,
            ", ".join(
                f"{v} {d[v].mean():+.3f} ± {d[v].std(ddof=1) / np.sqrt(len(d)):.3f}" for v in d
            ),
        )
    by = "table" if args.group == "real" else "type"
    print(results.pivot_table("roc_auc", "variant", by).round(3).to_string())


if __name__ == "__main__":
    main()
