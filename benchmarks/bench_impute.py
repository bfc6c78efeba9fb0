"""Imputation: ``DiffusionImputer`` against scikit-learn's imputers on real mixed tables.

For each table (``bench_tables.py``'s loaders: ``diamonds`` of its tuning group, ``cpssw8``
and ``census`` of its held-out one) and missingness mechanism, 3,000 rows drawn at random
lose cells:

* ``MCAR``: each cell with probability 0.2;
* ``MNAR``: a number above its column's median with probability 0.3, else 0.1; a category
  that is its column's most frequent with probability 0.3, else 0.1 (the missingness
  depends on the missing value itself).

Each imputer is fitted on the incomplete rows and fills them in (``fit_transform``).
Reported: ``rmse``, the root mean squared error over the removed numeric cells, each
column in units of its standard deviation; ``accuracy`` over the removed categorical cells;
``downstream``, the balanced accuracy (R² for ``census``) on 3,000 other, complete rows of a
``HistGradientBoosting`` model trained on the imputed rows to predict the table's target;
and seconds. ``IterativeImputer`` (its defaults, ``BayesianRidge`` in turns) and
``KNNImputer`` impute the standardised numbers and the categories' ordinal codes together,
a category then rounded to the nearest code; ``SimpleImputer`` uses the mean and the most
frequent category; ``DiffusionImputer`` runs at its defaults (3 fits, the mean of 10
draws), with one fit (``max_iter=1``), and on request (``--imputers``) with
``sample_posterior=True`` (one draw).

Run:  python benchmarks/bench_impute.py [--tables diamonds cpssw8 census] [--seed 0]
      [--imputers ...] [--threads 1]
Needs ``pip install -e ".[bench]"``.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.metrics import balanced_accuracy_score, r2_score

sys.path.insert(0, str(Path(__file__).parent))
import bench_tables  # noqa: E402

from skae import DiffusionImputer  # noqa: E402

N_ROWS = 3000
MECHANISMS = ["MCAR", "MNAR"]


def remove_cells(frame, mechanism, rng):
    """A copy of ``frame`` with cells removed by ``mechanism``, and the mask of them."""
    p = np.full(frame.shape, 0.2)
    if mechanism == "MNAR":
        for j, (_, column) in enumerate(frame.items()):
            if isinstance(column.dtype, pd.CategoricalDtype):
                high = (column == column.mode().iloc[0]).to_numpy()
            else:
                high = (column > column.median()).to_numpy()
            p[:, j] = np.where(high, 0.3, 0.1)
    missing = rng.rand(*frame.shape) < p
    incomplete = frame.copy()
    for j, name in enumerate(frame.columns):
        if pd.api.types.is_integer_dtype(frame[name].dtype):
            incomplete[name] = incomplete[name].astype(float)
        incomplete.loc[missing[:, j], name] = np.nan
    return incomplete, missing


def by_codes(Imputer):
    """A scikit-learn imputer on the standardised numbers and the categories' codes."""

    def impute(incomplete, seed):
        categorical = [
            c for c, d in incomplete.dtypes.items() if isinstance(d, pd.CategoricalDtype)
        ]
        M = incomplete.copy()
        for name in categorical:
            M[name] = M[name].cat.codes.replace(-1, np.nan).astype(float)
        mean, std = M.mean(), M.std().replace(0, 1)
        imputer = Imputer(random_state=seed) if Imputer is IterativeImputer else Imputer()
        filled = (
            pd.DataFrame(imputer.fit_transform((M - mean) / std), columns=M.columns) * std + mean
        )
        out = incomplete.copy()
        for name in incomplete.columns:
            values = filled[name].to_numpy()
            if name in categorical:
                categories = incomplete[name].cat.categories
                codes = np.clip(np.rint(values), 0, len(categories) - 1).astype(int)
                out[name] = pd.Categorical.from_codes(codes, dtype=incomplete[name].dtype)
            else:
                out[name] = values
        return out

    return impute


def simple(incomplete, seed):
    out = incomplete.copy()
    for name, column in incomplete.items():
        strategy = "most_frequent" if isinstance(column.dtype, pd.CategoricalDtype) else "mean"
        filled = SimpleImputer(strategy=strategy).fit_transform(
            column.to_frame().astype(object if strategy == "most_frequent" else float)
        )
        out[name] = pd.Series(filled[:, 0], index=column.index).astype(column.dtype)
    return out


def diffusion(**params):
    def impute(incomplete, seed):
        return DiffusionImputer(random_state=seed, **params).fit_transform(incomplete)

    return impute


IMPUTERS = {
    "DiffusionImputer": diffusion(),
    "DiffusionImputer(max_iter=1)": diffusion(max_iter=1),
    "DiffusionImputer(sample_posterior=True)": diffusion(sample_posterior=True),
    "IterativeImputer": by_codes(IterativeImputer),
    "KNNImputer": by_codes(KNNImputer),
    "SimpleImputer": simple,
}


def downstream(imputed, test, target, seed):
    X, y = imputed.drop(columns=target), imputed[target]
    if isinstance(test[target].dtype, pd.CategoricalDtype):
        model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)
        return balanced_accuracy_score(
            test[target], model.fit(X, y).predict(test.drop(columns=target))
        )
    model = HistGradientBoostingRegressor(categorical_features="from_dtype", random_state=seed)
    return r2_score(test[target], model.fit(X, y).predict(test.drop(columns=target)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=["diamonds", "cpssw8", "census"])
    parser.add_argument("--seed", type=int, default=0)
    default = [name for name in IMPUTERS if "sample_posterior" not in name]
    parser.add_argument("--imputers", nargs="+", default=default, choices=list(IMPUTERS))
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pd.set_option("display.width", 200)
    rows = []
    for table in args.tables:
        load, target, _ = bench_tables.TABLES[table]
        frame = load()
        order = np.random.RandomState(args.seed).permutation(len(frame))
        complete = frame.iloc[order[:N_ROWS]].reset_index(drop=True)
        test = frame.iloc[order[N_ROWS : 2 * N_ROWS]].reset_index(drop=True)
        numeric = [j for j, d in enumerate(frame.dtypes) if not isinstance(d, pd.CategoricalDtype)]
        std = complete.iloc[:, numeric].std().to_numpy()
        for mechanism in MECHANISMS:
            incomplete, missing = remove_cells(
                complete, mechanism, np.random.RandomState(args.seed)
            )
            for name in args.imputers:
                start = time.perf_counter()
                imputed = IMPUTERS[name](incomplete, args.seed)
                seconds = time.perf_counter() - start
                errors = (
                    imputed.iloc[:, numeric].to_numpy(float)
                    - complete.iloc[:, numeric].to_numpy(float)
                ) / std
                categorical = [j for j in range(frame.shape[1]) if j not in numeric]
                hits = [
                    (
                        imputed.iloc[:, j].astype(object) == complete.iloc[:, j].astype(object)
                    ).to_numpy()[missing[:, j]]
                    for j in categorical
                ]
                cast = imputed.astype(
                    {
                        c: complete[c].dtype
                        for c in complete.columns
                        if pd.api.types.is_integer_dtype(complete[c].dtype)
                    },
                    errors="ignore",
                )
                rows.append(
                    dict(
                        table=table,
                        mechanism=mechanism,
                        imputer=name,
                        rmse=float(np.sqrt(np.mean(errors[missing[:, numeric]] ** 2))),
                        accuracy=float(np.concatenate(hits).mean()) if hits else np.nan,
                        downstream=downstream(cast, test, target, args.seed),
                        seconds=seconds,
                    )
                )
                print(table, mechanism, name, file=sys.stderr, flush=True)
    results = pd.DataFrame(rows)
    print(results.round(3).to_string(index=False))
    print("\nMean over tables and mechanisms")
    print(
        results.groupby("imputer")[["rmse", "accuracy", "downstream", "seconds"]]
        .mean()
        .round(3)
        .to_string()
    )


if __name__ == "__main__":
    main()
