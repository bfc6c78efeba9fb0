"""AEGANFusion against its parts: sample quality (C2ST) and anomaly ROC-AUC.

**Samples.** Data: digits (64 pixels), breast cancer (30 numbers), wine (13 numbers) and
penguins (palmerpenguins, 5 numbers and 3 categories; ``bench`` extra). Each is split
70/30 (stratified by its label) over several seeds; each sampler is fitted on the
training rows and draws as many rows as were held out, scored with
:func:`skae.metrics.c2st_score` against the held-out rows (0.5 = indistinguishable, lower
is better), three times (three draws and classifier seeds, averaged: one draw's C2ST moves
by about 0.03). Samplers, all with an 8-unit code where they have one:

* ``fusion``: ``AEGANFusion()`` (defaults: an 8-unit autoencoder, a code GAN, fine-tuning);
* ``fusion, no fine-tuning``: ``AEGANFusion(fine_tune_steps=0)``, the ablation;
* ``AE.sample``: ``AutoencoderTransformer(n_components=8).sample`` (a Gaussian mixture on
  the codes);
* ``VAE``: ``VAETransformer(n_components=8).sample`` (the prior);
* ``GAN``: ``GANSampler()`` on the data itself.

**Anomalies.** Breast cancer, two protocols, ROC-AUC of ``-score_samples`` for the
malignant rows:

* ``clean``: fit on 70% of the benign rows; score the other 30% and every malignant row;
* ``contaminated``: as ``bench_anomaly.py``: all benign rows plus 36 malignant ones,
  fitted and scored without labels.

Detectors: ``AEGANFusion()``; its fitted ``autoencoder_`` alone (the reconstruction error
after fine-tuning: the fused score without the critic's term);
``AutoencoderTransformer(n_components=8)``; that autoencoder's reconstruction error plus
the log-density of its codes under its ``code_density_`` (z-scored like the fusion's
terms: what a density on the codes gives without a critic);
``IsolationForest()``.

The splits are paired (every sampler sees the same ones, and the fusion's autoencoder is
the single autoencoder), so besides the means the benchmark prints, per data set, the
fusion's C2ST minus each other sampler's: its mean over the splits, the standard error of
that mean, and on how many splits the fusion was better. A difference within about two
standard errors of 0 is not a measured difference.

Run:  python benchmarks/bench_fusion.py [--seeds 5] [--part samples|anomalies|both]
(``--quick``: one seed, wine only.)
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from skae import AEGANFusion, AutoencoderTransformer, GANSampler, VAETransformer
from skae.metrics import c2st_score

sys.path.insert(0, str(Path(__file__).parent))
from bench_tables import load_penguins  # noqa: E402

K = 8
#: Draws of samples (and C2ST seeds) averaged per fitted sampler.
DRAWS = 3


def load(name):
    if name == "penguins":
        frame, target = load_penguins()
        return frame, frame[target]
    loader = {"digits": load_digits, "breast_cancer": load_breast_cancer, "wine": load_wine}
    return loader[name](return_X_y=True)


SAMPLERS = {
    "fusion": lambda seed: AEGANFusion(random_state=seed),
    "fusion, no fine-tuning": lambda seed: AEGANFusion(fine_tune_steps=0, random_state=seed),
    "AE.sample": lambda seed: AutoencoderTransformer(n_components=K, random_state=seed),
    "VAE": lambda seed: VAETransformer(n_components=K, random_state=seed),
    "GAN": lambda seed: GANSampler(random_state=seed),
}


def bench_samples(datasets, seeds):
    rows = []
    for name in datasets:
        X, y = load(name)
        for seed in seeds:
            train, test = train_test_split(X, test_size=0.3, random_state=seed, stratify=y)
            for sampler, make in SAMPLERS.items():
                start = time.perf_counter()
                model = make(seed).fit(train)
                fit_s = time.perf_counter() - start
                c2st = mean_c2st(model, test, seed)
                rows.append(
                    {"data": name, "seed": seed, "sampler": sampler, "c2st": c2st, "fit_s": fit_s}
                )
                print(
                    f"{name} seed {seed} {sampler}: c2st {c2st:.3f} ({fit_s:.1f} s)",
                    file=sys.stderr,
                    flush=True,
                )
    return pd.DataFrame(rows)


def mean_c2st(model, test, seed):
    """C2ST of ``model``'s samples against the held-out rows ``test`` of split ``seed``,
    averaged over ``DRAWS`` draws, each with its own classifier seed."""
    scores = []
    for draw in range(DRAWS):
        draw_seed = seed + 1000 * draw
        synthetic = model.sample(len(test), random_state=draw_seed)
        scores.append(c2st_score(test, synthetic, random_state=draw_seed))
    return float(np.mean(scores))


def fusion_differences(results):
    """Per data set and other sampler: the fusion's C2ST minus that sampler's, as the mean
    over the splits, its standard error, and the splits on which the fusion was better."""
    c2st = results.pivot_table(index=["data", "seed"], columns="sampler", values="c2st")
    rows = []
    for name, splits in c2st.groupby(level="data", sort=False):
        for sampler in splits.columns.drop("fusion"):
            difference = splits["fusion"] - splits[sampler]
            rows.append(
                {
                    "data": name,
                    "fusion minus": sampler,
                    "mean": difference.mean(),
                    "std error": difference.std() / np.sqrt(len(difference)),
                    "fusion better": f"{(difference < 0).sum()}/{len(difference)}",
                }
            )
    return pd.DataFrame(rows).set_index(["data", "fusion minus"]).round(4)


def code_density_score(autoencoder, X_fit, X):
    """Reconstruction score plus code log-density, each z-scored on the fitting rows."""

    def terms(rows):
        return np.c_[
            autoencoder.score_samples(rows),
            autoencoder.code_density_.score_samples(autoencoder.transform(rows)),
        ]

    reference = terms(X_fit)
    z = (terms(X) - reference.mean(0)) / reference.std(0)
    return z.sum(axis=1)


def detector_scores(X_fit, X, seed):
    """Normality scores of ``X`` (higher = more normal) by each detector fitted on ``X_fit``."""
    fusion = AEGANFusion(random_state=seed).fit(X_fit)
    autoencoder = AutoencoderTransformer(n_components=K, random_state=seed).fit(X_fit)
    forest = IsolationForest(random_state=seed).fit(X_fit)
    return {
        "fusion": fusion.score_samples(X),
        # The fused score without the critic's term ranks rows as this does.
        "fusion's autoencoder": fusion.autoencoder_.score_samples(X),
        "AE": autoencoder.score_samples(X),
        "AE + code density": code_density_score(autoencoder, X_fit, X),
        "IsolationForest": forest.score_samples(X),
    }


def bench_anomalies(seeds):
    X, y = load_breast_cancer(return_X_y=True)
    benign, malignant = X[y == 1], X[y == 0]
    rows = []
    for seed in seeds:
        rng = np.random.RandomState(seed)
        order = rng.permutation(len(benign))
        n_fit = int(0.7 * len(benign))
        test = np.r_[benign[order[n_fit:]], malignant]
        is_outlier = np.r_[np.zeros(len(benign) - n_fit), np.ones(len(malignant))]
        protocols = {"clean": (benign[order[:n_fit]], test, is_outlier)}
        outliers = malignant[rng.choice(len(malignant), 36, replace=False)]
        mixed = np.r_[benign, outliers]
        protocols["contaminated"] = (mixed, mixed, np.r_[np.zeros(len(benign)), np.ones(36)])
        for protocol, (X_fit, X_test, labels) in protocols.items():
            for detector, scores in detector_scores(X_fit, X_test, seed).items():
                auc = roc_auc_score(labels, -scores)
                rows.append({"protocol": protocol, "detector": detector, "auc": auc})
                print(f"{protocol} seed {seed} {detector}: {auc:.3f}", file=sys.stderr, flush=True)
    table = pd.DataFrame(rows).groupby(["protocol", "detector"], sort=False)["auc"]
    return pd.DataFrame({"mean": table.mean(), "std": table.std()}).round(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--part", choices=["samples", "anomalies", "both"], default="both")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seeds = range(1 if args.quick else args.seeds)
    datasets = ["wine"] if args.quick else ["digits", "breast_cancer", "wine", "penguins"]
    if args.part in ("samples", "both"):
        print("C2ST of samples against held-out rows (lower is better), fit seconds")
        results = bench_samples(datasets, seeds)
        means = results.groupby(["data", "sampler"], sort=False)[["c2st", "fit_s"]].mean()
        print(means.round(3).to_string())
        print("\nFusion's C2ST minus each other's over the paired splits (< 0: fusion better)")
        print(fusion_differences(results).to_string())
    if args.part in ("anomalies", "both"):
        print("\nBreast cancer: ROC-AUC of the malignant rows (higher is better)")
        print(bench_anomalies(seeds).to_string())


if __name__ == "__main__":
    main()
