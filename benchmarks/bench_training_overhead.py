"""Training overhead of ``AutoencoderTransformer.fit`` over a hand-written PyTorch loop.

Both sides train the same network (``skae._modules.AutoencoderModule`` with the estimator's
default architecture) on the same standardised data, for the same number of epochs, with the
same batch size, optimiser (``AdamW``, same ``lr`` and ``weight_decay``) and MSE loss. The
hand-written loop is the baseline: one float32 tensor, ``torch.randperm`` each epoch, batches
sliced from ``X[perm]``, forward, loss, ``zero_grad``, ``backward``, ``step``.

Columns of the table (median seconds over interleaved repeats):

- ``base loop``: the baseline's epoch loop only;
- ``skae fit``: the whole ``fit`` (validation, standardisation, PCA init, training, the
  inference pass that sets ``offset_`` and the Gaussian mixture on the codes);
- ``skae loop``: skorch's training loop inside ``fit``, the sum of the epoch ``dur`` that
  skorch records in ``history_``;
- ``fit/base`` and ``loop/base``: the ratios; ``mse base`` and ``mse skae``: reconstruction
  MSE of the trained networks on the standardised data (untimed), to check both learnt alike.

Run ``python benchmarks/bench_training_overhead.py`` (a few minutes on 2 cores), or add
``--quick`` for a smoke run on smaller data. On a machine shared with other busy processes,
OpenMP's spin-waiting makes 2 torch threads many times slower: run with
``OMP_WAIT_POLICY=PASSIVE`` in the environment, or with ``--threads 1``.
"""

import argparse
import statistics
import time

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer
from skae._modules import AutoencoderModule

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
    # score_samples is minus the per-row MSE in standardised units: its mean is the MSE.
    return seconds, loop, -float(np.mean(est.score_samples(X)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 2 epochs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    args = parser.parse_args()
    n_samples, epochs = (20_000, 2) if args.quick else (100_000, 5)

    torch.set_num_threads(args.threads)
    X = make_data(n_samples)
    # Warm up both paths once (lazy imports, allocator, kernel dispatch caches).
    fit_baseline(X[:2000], 128, 1, 0)
    fit_skae(X[:2000], 128, 1, 0)

    print(
        f"{n_samples} x {N_FEATURES} float32, {epochs} epochs, {torch.get_num_threads()} "
        f"threads, median of {args.repeats} interleaved repeats"
    )
    header = (
        f"{'batch':>6} {'base loop':>10} {'skae fit':>9} {'skae loop':>10} "
        f"{'fit/base':>9} {'loop/base':>10} {'mse base':>9} {'mse skae':>9}"
    )
    print(header)
    print("-" * len(header))
    for batch_size in (128, 1024):
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


if __name__ == "__main__":
    main()
