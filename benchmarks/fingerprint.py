"""Behaviour fingerprint: one hash per model of everything a user sees of it.

Fits small models (the autoencoder, with noise, the VAE with a KL warm-up and with the
quantile scaler, the GAN with both objectives, two fusions, a convolutional autoencoder and
GAN on digits, an autoencoder trained chunk by chunk with ``partial_fit`` and a VAE
refitted with ``warm_start``) on wine, digits and breast cancer with a categorical column,
all seeded, and hashes their samples, codes, scores, reconstruction errors (per row
and per column) and training histories. Run it at two commits: a behaviour-preserving change
prints the same hashes (issue #23's refactor was checked this way against 8ed72b7).

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/fingerprint.py   (about 20 s)
"""

import hashlib

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_wine

from skae import AEGANFusion, AutoencoderTransformer, GANSampler, VAETransformer
from skae.metrics import reconstruction_error, reconstruction_error_by_column


def as_bytes(values):
    return np.round(np.asarray(values, dtype=float), 10).tobytes()


def fingerprint(model, X):
    samples = pd.DataFrame(model.sample(5, random_state=0)).select_dtypes("number")
    parts = [as_bytes(samples)]
    if hasattr(model, "transform"):
        parts += [
            as_bytes(model.transform(X)),
            as_bytes(model.score_samples(X)),
            as_bytes(reconstruction_error(model, X)),
            as_bytes(reconstruction_error_by_column(model, X)),
        ]
        history = [
            {k: round(v, 8) for k, v in row.items() if k != "dur" and isinstance(v, float)}
            for row in model.history_
        ]
        parts.append(repr(history).encode())
    return hashlib.sha1(b"".join(parts)).hexdigest()[:12]


def main():
    wine, _ = load_wine(return_X_y=True)
    cancer = load_breast_cancer(as_frame=True).frame
    cancer["kind"] = pd.Categorical(np.where(cancer.target == 1, "a", "b"))
    cancer = cancer.drop(columns="target")
    models = [
        ("ae", AutoencoderTransformer(n_components=4, max_epochs=15, random_state=0), wine),
        (
            "ae, noise, mixed table",
            AutoencoderTransformer(n_components=3, max_epochs=8, noise=0.1, random_state=1),
            cancer,
        ),
        ("vae", VAETransformer(n_components=3, max_epochs=15, random_state=0, kl_warmup=3), wine),
        ("gan", GANSampler(max_epochs=5, random_state=0), wine),
        ("gan, objective='gan'", GANSampler(max_epochs=5, objective="gan", random_state=0), cancer),
        (
            "fusion",
            AEGANFusion(
                AutoencoderTransformer(n_components=4, max_epochs=5),
                GANSampler(max_epochs=5, scaler="standard"),
                fine_tune_steps=10,
                critic_steps=30,
                random_state=0,
            ),
            wine,
        ),
        (
            "fusion of a vae, mixed table",
            AEGANFusion(
                VAETransformer(n_components=3, max_epochs=5),
                GANSampler(max_epochs=5),
                fine_tune_steps=10,
                critic_steps=30,
                random_state=0,
            ),
            cancer,
        ),
    ]
    digits = load_digits().data[:400] / 16
    # Training paths beyond one fit: chunks through partial_fit, a warm-started refit.
    chunked = AutoencoderTransformer(n_components=3, max_epochs=4, noise=0.1, random_state=2)
    for start in range(0, len(cancer), 200):
        chunked.partial_fit(cancer.iloc[start : start + 200])
    warm = VAETransformer(n_components=3, max_epochs=4, warm_start=True, random_state=3)
    warm.fit(wine).fit(wine[:100])
    models += [
        (
            "ae, images",
            AutoencoderTransformer(
                n_components=4,
                hidden_layer_sizes=(4, 8),
                max_epochs=3,
                input_shape=(1, 8, 8),
                random_state=0,
            ),
            digits,
        ),
        (
            "vae, quantile scaler",
            VAETransformer(n_components=2, max_epochs=6, scaler="quantile", random_state=0),
            wine,
        ),
        (
            "gan, images",
            GANSampler(
                max_epochs=2,
                input_shape=(1, 8, 8),
                hidden_layer_sizes=(8, 4),
                critic_hidden_layer_sizes=(4, 8),
                random_state=0,
            ),
            digits,
        ),
    ]
    for name, model, X in models:
        model.fit(X)
        print(f"{name}: {fingerprint(model, X)}", flush=True)
    print(f"ae, partial_fit in chunks: {fingerprint(chunked, cancer)}", flush=True)
    print(f"vae, warm start: {fingerprint(warm, wine)}", flush=True)


if __name__ == "__main__":
    main()
