"""Run by ``tests/test_parallel.py`` under ``torchrun --nproc_per_node 2``: each process
fits the same models on the same rows inside ``skae.parallel.data_parallel()``, pickles
them to ``OUT/rank{R}.pkl``, then passes rows different from process 0's and records the
error."""

import pickle
import sys


def main(out):
    import torch
    from sklearn.datasets import load_digits

    from skae import AutoencoderTransformer, VAETransformer
    from skae.parallel import data_parallel

    torch.set_num_threads(1)
    X, _ = load_digits(return_X_y=True)
    X = X[:600]
    with data_parallel() as rank:
        models = {
            # No random_state: process 0's seed is shared, so the processes still agree.
            "ae": AutoencoderTransformer(n_components=4, max_epochs=8).fit(X),
            "vae": VAETransformer(n_components=4, max_epochs=8, random_state=0).fit(X),
            "ae_partial": AutoencoderTransformer(n_components=4, random_state=0)
            .partial_fit(X[:300])
            .partial_fit(X[300:]),
        }
        try:
            AutoencoderTransformer(max_epochs=1).fit(X[: 500 + rank])
            error = None
        except ValueError as caught:
            error = str(caught)
    with open(f"{out}/rank{rank}.pkl", "wb") as file:
        pickle.dump({"models": models, "error": error}, file)


if __name__ == "__main__":
    main(sys.argv[1])
