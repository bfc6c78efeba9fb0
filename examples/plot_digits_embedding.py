"""
=======================================================
2-D embedding of handwritten digits: autoencoder vs PCA
=======================================================

:class:`~skae.AutoencoderTransformer` is a non-linear counterpart of
:class:`~sklearn.decomposition.PCA`: ``transform`` maps each row to ``n_components``
numbers (the *code*) and ``inverse_transform`` maps codes back to rows. By default its
networks start from the PCA solution and training improves on it.

We embed the 8x8 images of :func:`~sklearn.datasets.load_digits` (64 pixels) in two
dimensions with both models and compare them on held-out images:

* how well the two numbers rebuild the image (reconstruction error), and
* how well they separate the ten digits (accuracy of a k-nearest-neighbours classifier
  trained on the codes of the training images and applied to the codes of the test images).

Finally, the autoencoder is used as a feature extractor inside a
:class:`~sklearn.pipeline.Pipeline` and cross-validated like any other transformer.
"""

# %%
# Load and split the data
# -----------------------
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer
from skae.plotting import CodeDisplay

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# Fit the two embeddings
# ----------------------
# The autoencoder standardises every pixel internally (``scaler="standard"``) and is
# trained to reconstruct the standardised pixels. To compare like with like, PCA gets the
# same preprocessing: a ``StandardScaler`` in front of it. Plain PCA on raw pixels would
# instead minimise the error in raw units, where the bright centre pixels weigh far more
# than the rarely used border pixels, and would then look worse under our standardised
# error measure for a reason that has nothing to do with linear vs non-linear.
models = {
    "Autoencoder": AutoencoderTransformer(n_components=2, random_state=0),
    "PCA": make_pipeline(StandardScaler(), PCA(n_components=2, random_state=0)),
}
for model in models.values():
    model.fit(X_train)

# %%
# Compare them on the test images
# -------------------------------
# Both models rebuild rows in pixel units (``Pipeline.inverse_transform`` undoes the scaler
# too), so we measure the error with one ``StandardScaler`` fitted on the training images:
# the mean squared error per pixel, in training standard deviations. As a reference, the
# "mean image" row predicts the mean training image for every test image. (Its error is above
# 1.0 because a few border pixels are almost always blank in the training images: their
# tiny standard deviation turns the rare test image that inks them into a large error.)
#
# For class separation, a 5-nearest-neighbours classifier is trained on the 2-D codes of
# the training images and scored on the codes of the test images.
scaler = StandardScaler().fit(X_train)
codes, accuracies = {}, {}
print(f"{'':12} {'test MSE':>9} {'2-D k-NN accuracy':>18}")
print(f"{'mean image':12} {np.mean(scaler.transform(X_test) ** 2):9.3f} {'':>18}")
for name, model in models.items():
    X_rebuilt = model.inverse_transform(model.transform(X_test))
    mse = np.mean((scaler.transform(X_test) - scaler.transform(X_rebuilt)) ** 2)
    codes[name] = model.transform(X_test)
    knn = KNeighborsClassifier().fit(model.transform(X_train), y_train)
    accuracies[name] = knn.score(codes[name], y_test)
    print(f"{name:12} {mse:9.3f} {accuracies[name]:18.3f}")

# %%
# In a pipeline
# -------------
# ``AutoencoderTransformer`` is a regular scikit-learn transformer, so it can feed a
# classifier in a ``Pipeline`` and be cross-validated (it is refitted on each training fold,
# without the labels). Here an 8-number code feeds a logistic regression.
pipe = make_pipeline(
    AutoencoderTransformer(n_components=8, random_state=0),
    LogisticRegression(max_iter=1000),
)
scores = cross_val_score(pipe, X, y, cv=3)
print(
    "Pipeline (8-D autoencoder + logistic regression), 3-fold CV accuracy: "
    f"{scores.mean():.3f} (+/- {scores.std():.3f})"
)

# %%
# Plot the test images in both embeddings
# ---------------------------------------
# Each point is a test image, coloured by its digit, drawn by
# :class:`~skae.plotting.CodeDisplay` (which takes any fitted transformer). Well separated
# colour clusters mean that two numbers are enough to tell most digits apart. The
# autoencoder's codes are not bounded: a few unusual test images land far from the rest, so
# each panel is zoomed on the central 98% of the points on each axis and says how many fall
# outside.
fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
for ax, (name, model) in zip(axes, models.items(), strict=True):
    display = CodeDisplay.from_estimator(model, X_test, y_test, ax=ax)
    Z = display.points
    low, high = np.percentile(Z, [1, 99], axis=0)
    low, high = low - 0.1 * (high - low), high + 0.1 * (high - low)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    n_outside = np.sum(np.any((Z < low) | (Z > high), axis=1))
    ax.set_title(
        f"{name}: 2-D codes of the {len(Z)} test images\n"
        f"k-NN accuracy {accuracies[name]:.2f}, {n_outside} points outside the view"
    )
    ax.set_xlabel("component 1")
    ax.set_ylabel("component 2")
axes[0].get_legend().remove()  # one legend, on the right panel

fig.tight_layout()
output = Path(__file__).parent / "output"
output.mkdir(exist_ok=True)
figure_path = output / "digits_embedding.png"
fig.savefig(figure_path, dpi=100)
print(f"figure: {os.path.relpath(figure_path)}")
