"""
===========================================
Reading a training run
===========================================

Every skae model records its losses epoch by epoch in ``history_``, and
:class:`~skae.plotting.TrainingHistoryDisplay` draws them. For the autoencoders it also
marks the epoch whose weights early stopping kept: training holds out
``validation_fraction`` of the rows, stops when their loss has not improved for
``n_iter_no_change`` epochs, and returns the best epoch's weights. Epoch 0 is the untrained
network, which starts as PCA's solution, so a model never ends worse than PCA on the
held-out rows.

This example fits an autoencoder on scikit-learn's digits and on its wine table, a GAN on
wine, and shows what a run that diverges looks like
(:class:`~skae.TrainingDivergedError`).
"""

# %%
# An autoencoder on digits
# ------------------------
# 1,797 images of 8x8 pixels. Both losses keep falling; the validation loss is still
# improving at epoch 200 (``max_epochs``), so training runs every epoch and keeps the last.
# A validation loss that turns up would stop training ``n_iter_no_change`` epochs later,
# with the weights of its lowest epoch.
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from sklearn.datasets import load_digits, load_wine

from skae import AutoencoderTransformer, GANSampler, TrainingDivergedError
from skae.plotting import TrainingHistoryDisplay

OUTPUT = Path(__file__).parent / "output"
OUTPUT.mkdir(exist_ok=True)

X_digits, _ = load_digits(return_X_y=True)
X_wine, _ = load_wine(return_X_y=True)

digits_ae = AutoencoderTransformer(random_state=0).fit(X_digits)
display = TrainingHistoryDisplay.from_estimator(digits_ae, name="AutoencoderTransformer, digits")
display.figure_.savefig(OUTPUT / "training_history_digits.png", dpi=100)
print(f"digits: {digits_ae.n_iter_} epochs run, weights kept from epoch {display.kept_epoch}")

# %%
# An autoencoder on wine
# ----------------------
# On 178 rows the non-linear part of the network cannot beat PCA on the held-out rows:
# early stopping keeps epoch 0, the PCA start. This is the design working, not a failure:
# on a table this small, PCA is the better model, and the autoencoder says so.
wine_ae = AutoencoderTransformer(random_state=0).fit(X_wine)
display = TrainingHistoryDisplay.from_estimator(wine_ae, name="AutoencoderTransformer, wine")
display.figure_.savefig(OUTPUT / "training_history_wine.png", dpi=100)
print(f"wine:   {wine_ae.n_iter_} epochs run, weights kept from epoch {display.kept_epoch}")

# %%
# A GAN
# -----
# A GAN has no early stopping: its critic's and generator's losses chase each other and say
# little about the samples (judge those with :mod:`skae.metrics`). The history also holds
# ``diversity``, which falls towards 0 when the generator collapses onto a few rows.
gan = GANSampler(random_state=0).fit(X_wine)
display = TrainingHistoryDisplay.from_estimator(gan, name="GANSampler, wine")
display.figure_.savefig(OUTPUT / "training_history_gan.png", dpi=100)
print(f"GAN:    {gan.n_iter_} epochs, final diversity {gan.history_[-1]['diversity']:.2f}")

# %%
# A run that diverges
# -------------------
# A learning rate far too high makes the loss overflow. Training stops at the end of that
# epoch with :class:`~skae.TrainingDivergedError` (a ``FloatingPointError``), whose message
# says what to change, instead of returning a model full of NaN.
try:
    AutoencoderTransformer(lr=1000.0, random_state=0).fit(X_digits)
except TrainingDivergedError as error:
    print(f"TrainingDivergedError: {error}")
