"""Synthetic mixed-type tables: skae's samplers against CTGAN, TVAE and a Gaussian mixture.

Tables (none is downloaded; the first two ship inside PyPI packages of the ``bench`` extra):

* ``penguins``: palmerpenguins, 333 complete rows after dropping rows with missing numbers;
  3 categorical columns (``sex`` keeps its missing values as a category), 5 numeric;
* ``cars``: vega_datasets' cars, 392 rows; ``Origin`` categorical, 6 numeric (2 integer);
* ``seattle``: vega_datasets' Seattle weather, 1,461 rows; ``weather`` categorical (5
  classes, rare ones), 4 numeric;
* ``wine``: scikit-learn's wine, 178 rows; 13 numeric columns and the cultivar as a
  categorical column.

Each table is split 70/30, stratified by its target column, over several seeds. Each
sampler is fitted on the training rows (every column, target included) and draws as many
rows as there are test rows. The samples are scored against the held-out real rows with

* ``c2st``: :func:`skae.metrics.c2st_score` (0.5 = indistinguishable; lower is better);
* ``fidelity``: :func:`skae.metrics.column_fidelity_score` (1 - KS for numbers, 1 - TV for
  categories; higher is better);
* ``tstr``: accuracy on the real test rows of a classifier (``HistGradientBoosting``)
  trained on the synthetic rows to predict the target; ``real`` trains it on the real
  training rows, the reference;
* ``copies``: fraction of synthetic rows identical to a training row (all columns);
  ``real_copies`` is the same for the real test rows, the reference (tables recorded at a
  coarse precision repeat rows naturally);

and the fit time in seconds. Samplers: ``AutoencoderTransformer.sample``,
``VAETransformer.sample`` and ``GANSampler``, all at their defaults; ``GaussianMixture``
(on the one-hot encoded, standardised table, 1 to 5 components by BIC, each category
rounded to the largest of its one-hot columns); ``CTGAN`` and ``TVAE`` from the ``ctgan``
package at their defaults.

Run:  python benchmarks/bench_tables.py [--seeds 3] [--tables penguins cars] [--samplers ...]
(``--quick``: one seed, penguins only, no CTGAN/TVAE.)
Needs ``pip install -e ".[bench]"``. All models run in this process with the same threads.
"""

import argparse
import json
import time
from importlib.metadata import distribution

import numpy as np
import pandas as pd
from sklearn.datasets import load_wine
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer, GANSampler, VAETransformer
from skae._tabular.codec import TableCodec, is_categorical
from skae.metrics import c2st_score, column_fidelity_score


def categorical_columns(frame):
    """Names of the columns of a DataFrame that skae models as categories."""
    return [name for name, dtype in frame.dtypes.items() if is_categorical(dtype)]


# ------------------------------------------------------------------ tables
def packaged_file(package, path):
    return distribution(package).locate_file(path)


def load_penguins():
    path = packaged_file("palmerpenguins", "palmerpenguins/data/penguins.csv")
    frame = pd.read_csv(path).dropna(subset=["bill_length_mm", "body_mass_g"])
    frame = frame.astype({"species": "category", "island": "category"})
    return frame.reset_index(drop=True), "species"


def load_cars():
    records = json.loads(
        packaged_file("vega_datasets", "vega_datasets/_data/cars.json").read_text()
    )
    frame = pd.DataFrame(records).drop(columns=["Name", "Year"]).dropna().reset_index(drop=True)
    frame = frame.astype({"Cylinders": "int64", "Origin": "category"})
    return frame, "Origin"


def load_seattle():
    path = packaged_file("vega_datasets", "vega_datasets/_data/seattle-weather.csv")
    frame = pd.read_csv(path).drop(columns="date").astype({"weather": "category"})
    return frame, "weather"


def load_wine_table():
    frame = load_wine(as_frame=True).frame
    frame["target"] = frame["target"].map({0: "A", 1: "B", 2: "C"}).astype("category")
    return frame, "target"


TABLES = {
    "penguins": load_penguins,
    "cars": load_cars,
    "seattle": load_seattle,
    "wine": load_wine_table,
}


# ------------------------------------------------------------------ samplers
def fit_skae(Estimator):
    def fit(frame, seed):
        model = Estimator(random_state=seed).fit(frame)
        return lambda n: model.sample(n, random_state=seed)

    return fit


def fit_gmm(frame, seed):
    codec = TableCodec().learn_columns(frame)
    A = codec.to_array(frame)
    M = codec.fit(A).encode(A)
    fits = [
        GaussianMixture(k, covariance_type="full", reg_covar=1e-4, random_state=seed).fit(M)
        for k in range(1, 6)
    ]
    best = min(fits, key=lambda m: m.bic(M))
    return lambda n: codec.to_output(codec.decode(best.sample(n)[0]))


def fit_ctgan_model(model_class):
    def fit(frame, seed):
        import torch

        model = model_class()
        model.set_random_state(seed)
        discrete = categorical_columns(frame)
        with torch.random.fork_rng():
            model.fit(frame.astype({c: object for c in discrete}), discrete_columns=discrete)

        def sample(n):
            out = model.sample(n)
            # Give the rows the training dtypes, as a user would (integers rounded).
            for name, dtype in frame.dtypes.items():
                if pd.api.types.is_integer_dtype(dtype):
                    out[name] = np.rint(out[name].astype(float))
            return out.astype(frame.dtypes.to_dict())

        return sample

    return fit


def fit_ctgan(frame, seed):
    from ctgan import CTGAN

    return fit_ctgan_model(CTGAN)(frame, seed)


def fit_tvae(frame, seed):
    from ctgan import TVAE

    return fit_ctgan_model(TVAE)(frame, seed)


SAMPLERS = {
    "AutoencoderTransformer": fit_skae(AutoencoderTransformer),
    "VAETransformer": fit_skae(VAETransformer),
    "GANSampler": fit_skae(GANSampler),
    "GaussianMixture": fit_gmm,
    "CTGAN": fit_ctgan,
    "TVAE": fit_tvae,
}


# ------------------------------------------------------------------ scores
def tstr_accuracy(train, test, target, seed):
    """Accuracy on real ``test`` rows of a classifier trained on ``train`` rows."""
    features = [c for c in train.columns if c != target]
    train, test = train.copy(), test.copy()
    for name in categorical_columns(train[features]):
        dtype = pd.CategoricalDtype(pd.concat([train[name], test[name]]).dropna().unique())
        train[name], test[name] = train[name].astype(dtype), test[name].astype(dtype)
    classifier = HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=seed
    )
    if train[target].nunique() < 2:
        return float((test[target] == train[target].iloc[0]).mean())
    classifier.fit(train[features], train[target].astype(str))
    return float((classifier.predict(test[features]) == test[target].astype(str)).mean())


def copy_fraction(train, synthetic):
    """Fraction of synthetic rows equal to some training row in every column."""
    seen = set(map(tuple, train.astype(str).to_numpy()))
    return float(np.mean([tuple(row) in seen for row in synthetic.astype(str).to_numpy()]))


def evaluate(fit, frame, target, seed):
    train, test = train_test_split(frame, test_size=0.3, random_state=seed, stratify=frame[target])
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    start = time.perf_counter()
    sample = fit(train, seed)
    fit_time = time.perf_counter() - start
    synthetic = sample(len(test))
    return {
        "c2st": c2st_score(test, synthetic, random_state=seed),
        "fidelity": column_fidelity_score(test, synthetic),
        "tstr": tstr_accuracy(synthetic, test, target, seed),
        "real": tstr_accuracy(train, test, target, seed),
        "copies": copy_fraction(train, synthetic),
        "real_copies": copy_fraction(train, test),
        "fit_s": fit_time,
    }


def warm_up():
    """A throwaway fit: the first fit in a process pays a one-time start-up (4 s for a
    GANSampler here), which would otherwise be charged to whichever model is timed first."""
    GANSampler(max_epochs=1).fit(np.random.RandomState(0).rand(20, 3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--samplers", nargs="+", default=list(SAMPLERS), choices=list(SAMPLERS))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.tables = 1, ["penguins"]
        args.samplers = [name for name in args.samplers if name not in ("CTGAN", "TVAE")]
    warm_up()
    rows = []
    for table in args.tables:
        frame, target = TABLES[table]()
        for name in args.samplers:
            for seed in range(args.seeds):
                scores = evaluate(SAMPLERS[name], frame, target, seed)
                rows.append({"table": table, "sampler": name, **scores})
                print(
                    {k: round(v, 3) if isinstance(v, float) else v for k, v in rows[-1].items()},
                    flush=True,
                )
    result = pd.DataFrame(rows).groupby(["table", "sampler"], sort=False).mean()
    print(f"\nmean over {args.seeds} split(s); c2st: lower is better, 0.5 is ideal")
    print(result.round(3).to_string())


if __name__ == "__main__":
    main()
