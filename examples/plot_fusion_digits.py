"""
===========================================================
Fusing an autoencoder and a GAN: sampling digits
===========================================================

:class:`~skae.AEGANFusion` fits an autoencoder, fits a GAN on its codes, then fine-tunes
the decoder and the GAN's generator together against a critic that looks at whole digits.
``sample`` decodes GAN-generated codes.

This example fits it on scikit-learn's 8x8 digits and puts its samples next to those of a
:class:`~skae.VAETransformer` (decoded draws from its prior) and of an
:class:`~skae.AutoencoderTransformer` (decoded draws from a Gaussian mixture on its codes),
all with an 8-unit code. Each set of samples is scored with a classifier two-sample test
against held-out digits (:func:`skae.metrics.c2st_score`: 0.5 means a classifier cannot
tell samples from real digits, 1.0 that it always can).
"""

# %%
# Data: 1,797 images of 8x8 pixels, intensities 0-16, one row per image.
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skae import AEGANFusion, AutoencoderTransformer, VAETransformer
from skae.metrics import c2st_score
from skae.plotting import plot_image_grid

OUTPUT = Path(__file__).parent / "output"
OUTPUT.mkdir(exist_ok=True)

X, y = load_digits(return_X_y=True)
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0, stratify=y)

# %%
# Fit the three samplers. ``AEGANFusion()`` uses an 8-unit ``AutoencoderTransformer`` and a
# ``GANSampler`` on its codes by default.
models = {
    "AEGANFusion": AEGANFusion(random_state=0),
    "VAETransformer": VAETransformer(n_components=8, random_state=0),
    "AutoencoderTransformer": AutoencoderTransformer(n_components=8, random_state=0),
}
samples = {}
for name, model in models.items():
    start = time.perf_counter()
    model.fit(X_train)
    samples[name] = model.sample(len(X_test), random_state=0)
    c2st = c2st_score(X_test, samples[name], random_state=0)
    print(f"{name:24s} C2ST {c2st:.3f}   fit {time.perf_counter() - start:5.1f} s")

fusion = models["AEGANFusion"]
print(f"fine-tuned decoder kept: {fusion.fine_tuned_} ({fusion.n_iter_} epochs)")


# %%
# The samples as image grids, with held-out digits for reference.

fig, axes = plt.subplots(1, 4, figsize=(16, 3.2))
plot_image_grid(X_test[:40], (8, 8), ax=axes[0], vmin=0, vmax=16, title="held-out digits")
for ax, (name, rows) in zip(axes[1:], samples.items(), strict=True):
    plot_image_grid(rows[:40], (8, 8), ax=ax, vmin=0, vmax=16, title=f"{name} samples")
fig.tight_layout()
fig.savefig(OUTPUT / "fusion_digits_samples.png", dpi=120)
print(f"figure saved in {OUTPUT}")
