"""Training cost of skae's ``fit``: overhead over a hand-written PyTorch loop, behaviour on
a busy machine, and peak memory.

``--mode overhead``: both sides train the same network (``skae._nn.autoencoder.AutoencoderModule``
with the estimator's default architecture) on the same standardised data (100,000 x 64
float32, 3 epochs), with the same batch size, optimiser (``AdamW``, same ``lr`` and
``weight_decay``) and MSE loss. The hand-written loop is the baseline: one float32 tensor,
``torch.randperm`` each epoch, batches sliced from ``X[perm]``, forward, loss,
``zero_grad``, ``backward``, ``step``. Columns (median seconds over interleaved repeats):

- ``base loop``: the baseline's epoch loop only;
- ``skae fit``: the whole ``fit`` (validation, standardisation, PCA init, training, the
  inference pass that sets ``offset_`` and the Gaussian fits on the codes);
- ``skae loop``: skorch's training loop inside ``fit``, the sum of the epoch ``dur`` that
  skorch records in ``history_``;
- ``fit/base`` and ``loop/base``: the ratios; ``mse base`` and ``mse skae``: reconstruction
  MSE of the trained networks on the standardised data (untimed), to check both learnt alike.

``--mode busy``: small fits (an autoencoder and a fusion on breast cancer) on an idle
machine and beside one CPU-bound process, with skae's thread choice and with every allowed
thread (torch's default). On a machine with 2 cores the busy/idle ratio should be near 2.

``--mode memory``: the peak memory ``fit`` adds over its input (300,000 x 50 float32), in a
fresh process.

Run ``python benchmarks/bench_training_overhead.py`` (all modes, several minutes on 2 cores)
or one ``--mode``; ``--quick`` uses smaller data. Run it with ``OMP_WAIT_POLICY=PASSIVE``
on a machine shared with other work: OpenMP's spin-waiting otherwise slows the baseline,
which chooses no thread count.
"""

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

import skae._training.compute
from skae import AEGANFusion, AutoencoderTransformer, GANSampler
from skae._nn.autoencoder import AutoencoderModule
from skae.metrics import reconstruction_error

N_FEATURES = 64
# The estimator's defaults, read so that the hand-written side follows them if they change.
DEFAULTS = AutoencoderTransformer().get_params()


def make_data(n_samples, seed=0):
    """Rows near a smooth 4-d manifold in 64-d, with per-column scales and noise."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_samples, 4))
    A, B = rng.standard_normal((4, 16)), rng.standard_normal((16, N_FEATURES))
    X = np.tanh(Z @ A) @ B + 0.3 * np.sin(Z @ rng.standard_normal((4, N_FEATURES)))
    X += 0.1 * rng.standard_normal(X.shape)
    X *= rng.uniform(0.5, 20.0, N_FEATURES)  # unequal scales: standardising matters
    return X.astype(np.float32)


def fit_baseline(X, batch_size, epochs, seed):
    """Hand-written loop; returns (seconds of the epoch loop, final MSE)."""
    torch.manual_seed(seed)
    M = StandardScaler().fit_transform(X).astype(np.float32)
    d = DEFAULTS
    module = AutoencoderModule(
        N_FEATURES,
        d["n_components"],
        d["hidden_layer_sizes"],
        d["activation"],
        d["dropout"],
        linear_path=d["pca_init"],
    )
    # Same PCA init as the estimator (full SVD of a 10,000-row subsample), untimed: it sets
    # where training starts, not what a step costs, and the table counts it in "skae fit".
    if d["pca_init"]:
        rows = np.random.RandomState(seed).choice(len(M), min(len(M), 10_000), replace=False)
        pca = PCA(d["n_components"], svd_solver="full").fit(M[rows])
        module.init_linear_path_from_pca(pca.components_, pca.mean_)
    Xt = torch.from_numpy(M)
    optimizer = torch.optim.AdamW(module.parameters(), lr=d["lr"], weight_decay=d["weight_decay"])
    loss_fn = torch.nn.MSELoss()
    module.train()

    start = time.perf_counter()
    for _ in range(epochs):
        Xp = Xt[torch.randperm(len(Xt))]
        for i in range(0, len(Xp), batch_size):
            batch = Xp[i : i + batch_size]
            loss = loss_fn(module(batch), batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with torch.inference_mode():
        return seconds, torch.nn.functional.mse_loss(module.eval()(Xt), Xt).item()


def fit_skae(X, batch_size, epochs, seed):
    """The estimator; returns (seconds of fit, seconds of skorch's loop, final MSE)."""
    # early_stopping=False: every row trains and no validation pass runs, as in the baseline.
    est = AutoencoderTransformer(
        max_epochs=epochs,
        batch_size=batch_size,
        early_stopping=False,
        device="cpu",
        random_state=seed,
    )
    start = time.perf_counter()
    est.fit(X)
    seconds = time.perf_counter() - start
    loop = sum(row["dur"] for row in est.history_)
    # The per-row mean squared error in standardised units, averaged: the baseline's MSE.
    return seconds, loop, float(np.mean(reconstruction_error(est, X)))


def overhead(args):
    """skae's fit against the hand-written loop, same data, epochs and batches."""
    n_samples, epochs = (20_000, 2) if args.quick else (100_000, 3)
    X = make_data(n_samples)
    # Warm up both paths once (lazy imports, allocator, kernel dispatch caches).
    fit_baseline(X[:2000], 128, 1, 0)
    fit_skae(X[:2000], 128, 1, 0)

    print(
        f"{n_samples} x {N_FEATURES} float32, {epochs} epochs, {torch.get_num_threads()} "
        f"threads allowed, median of {args.repeats} interleaved repeats"
    )
    header = (
        f"{'batch':>6} {'base loop':>10} {'skae fit':>9} {'skae loop':>10} "
        f"{'fit/base':>9} {'loop/base':>10} {'mse base':>9} {'mse skae':>9}"
    )
    print(header)
    print("-" * len(header))
    for batch_size in (256, 1024):
        base, fit, loop, mse_base, mse_skae = [], [], [], [], []
        for r in range(args.repeats):
            # Alternate which side runs first so slow drifts (thermal, caches) hit both.
            for side in ("base", "skae") if r % 2 == 0 else ("skae", "base"):
                if side == "base":
                    seconds, err = fit_baseline(X, batch_size, epochs, seed=r)
                    base.append(seconds)
                    mse_base.append(err)
                else:
                    seconds, loop_seconds, err = fit_skae(X, batch_size, epochs, seed=r)
                    fit.append(seconds)
                    loop.append(loop_seconds)
                    mse_skae.append(err)
        b, f, lo = (statistics.median(v) for v in (base, fit, loop))
        print(
            f"{batch_size:>6} {b:>10.2f} {f:>9.2f} {lo:>10.2f} {f / b:>9.2f} {lo / b:>10.2f} "
            f"{statistics.median(mse_base):>9.4f} {statistics.median(mse_skae):>9.4f}"
        )


def _spin(stop):
    """A CPU-bound process: the other work on a busy machine."""
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def _small_fits():
    """Fits a user runs next to other work: small tables, small networks."""
    X = load_breast_cancer(return_X_y=True)[0]
    started = time.perf_counter()
    AutoencoderTransformer(max_epochs=20, random_state=0).fit(X)
    AEGANFusion(
        AutoencoderTransformer(max_epochs=5, random_state=0),
        GANSampler(max_epochs=5, random_state=0),
        fine_tune_steps=20,
        critic_steps=50,
        random_state=0,
    ).fit(X)
    return time.perf_counter() - started


def busy(args):
    """Small fits on an idle machine and beside one CPU-bound process, with skae's thread
    choice and with every allowed thread (what torch does by default)."""
    every_thread = torch.get_num_threads
    print(
        f"{torch.get_num_threads()} threads allowed; small fits (breast cancer: an "
        f"autoencoder, a fusion), median of {args.repeats} runs"
    )
    print(f"{'threads':>16} {'idle s':>8} {'busy s':>8} {'busy/idle':>10}")
    for label, choice in (("skae's choice", None), ("every thread", every_thread)):
        original = skae._training.compute.threads_for
        if choice is not None:
            skae._training.compute.threads_for = lambda multiply_adds, choice=choice: choice()
        try:
            _small_fits()  # warm-up
            idle = statistics.median(_small_fits() for _ in range(args.repeats))
            stop = multiprocessing.Event()
            spinner = multiprocessing.Process(target=_spin, args=(stop,))
            spinner.start()
            try:
                loaded = statistics.median(_small_fits() for _ in range(args.repeats))
            finally:
                stop.set()
                spinner.join()
        finally:
            skae._training.compute.threads_for = original
        print(f"{label:>16} {idle:>8.2f} {loaded:>8.2f} {loaded / idle:>10.2f}")


#: Run in a fresh process: the resident memory, sampled every millisecond by a thread
#: (Linux's /proc/self/statm), at its highest during fit, less its value just before.
MEMORY_PROBE = """
import os, sys, threading, time
import numpy as np, torch
from skae import AutoencoderTransformer

torch.set_num_threads(1)
page = os.sysconf("SC_PAGE_SIZE")
rss = lambda: int(open("/proc/self/statm").read().split()[1]) * page
AutoencoderTransformer(max_epochs=1).fit(np.random.rand(500, 50).astype(np.float32))
X = np.random.default_rng(0).standard_normal((int(sys.argv[1]), 50), dtype=np.float32)
before, peak, done = rss(), [0], threading.Event()

def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss())
        time.sleep(0.001)

sampler = threading.Thread(target=sample)
sampler.start()
AutoencoderTransformer(max_epochs=2, random_state=0).fit(X)
done.set()
sampler.join()
print((peak[0] - before) / X.nbytes, X.nbytes / 2**20)
"""


def memory(args):
    """Peak memory that fit adds over its input, measured in a fresh process."""
    n_samples = 60_000 if args.quick else 300_000
    output = subprocess.check_output([sys.executable, "-c", MEMORY_PROBE, str(n_samples)])
    ratio, mib = map(float, output.split())
    print(f"{n_samples} x 50 float32 ({mib:.0f} MiB): fit raises peak memory by {ratio:.2f}x it")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer epochs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads allowed")
    parser.add_argument(
        "--mode",
        choices=["overhead", "busy", "memory", "all"],
        default="all",
        help="overhead: against a hand-written loop; busy: small fits beside a busy process; "
        "memory: peak memory of fit over its input",
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    for mode, run in (("overhead", overhead), ("busy", busy), ("memory", memory)):
        if args.mode in (mode, "all"):
            print(f"\n== {mode}")
            run(args)


if __name__ == "__main__":
    main()
