"""
===========================================
One model trained by several processes
===========================================

A network too slow to train in one process trains data-parallel: several processes (one per
GPU, or several on CPU cores) each compute the gradient of their share of every batch,
PyTorch's ``DistributedDataParallel`` averages the gradients, and every process takes the
same step. :func:`skae.parallel.data_parallel` does this for
:class:`~skae.AutoencoderTransformer` and :class:`~skae.VAETransformer`: the estimator stays
the user's object, and after ``fit`` each process holds the same plain fitted estimator,
which pickles and predicts in one process like any other.

The processes are started by PyTorch's launcher, ``torchrun`` (``python -m
torch.distributed.run``), which runs one script in each. Every process reads the same rows;
process 0's seed is shared, so the scaling, the validation split and the start are the same
everywhere, each batch is split between the processes, and the processes keep one history
and stop together. ``batch_size`` stays the size of the whole batch, so the loss follows
the same course as in one process.

This example writes that script, runs it in two CPU processes (``gloo`` backend), loads the
model that process 0 saved, and compares its training with the same fit in one process.
"""

# %%
# The script each process runs
# ----------------------------
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from skae import AutoencoderTransformer

OUTPUT = Path(__file__).parent / "output"
OUTPUT.mkdir(exist_ok=True)

SCRIPT = """
import pickle, sys
from sklearn.datasets import load_digits
from skae import AutoencoderTransformer
from skae.parallel import data_parallel

X, _ = load_digits(return_X_y=True)  # every process reads the same rows
with data_parallel() as rank:  # joins the process group that torchrun set up
    model = AutoencoderTransformer(n_components=8, max_epochs=40, random_state=0).fit(X)
if rank == 0:
    with open(sys.argv[1], "wb") as file:
        pickle.dump(model, file)
"""

# %%
# Two processes, then one
# -----------------------
with tempfile.TemporaryDirectory() as folder:
    script, saved = Path(folder) / "train.py", Path(folder) / "model.pkl"
    script.write_text(SCRIPT)
    launch = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    subprocess.run([*launch, "--nproc_per_node", "2", str(script), str(saved)], check=True)
    parallel = pickle.loads(saved.read_bytes())

X, _ = load_digits(return_X_y=True)
alone = AutoencoderTransformer(n_components=8, max_epochs=40, random_state=0).fit(X)

for name, model in (("2 processes", parallel), ("1 process", alone)):
    last = model.history_[-1]
    print(
        f"{name}: {model.n_iter_} epochs, train loss {last['train_loss']:.4f}, "
        f"validation loss {last['valid_loss']:.4f}, mean score {model.score(X):.2f}"
    )
print("the model trained by 2 processes is a", type(parallel).__name__, parallel.transform(X).shape)

# %%
# The losses, epoch by epoch
# --------------------------
# The two runs see the same batches in the same order; they part only by the rounding of
# sums done in a different order, so their curves lie on each other.
fig, ax = plt.subplots(figsize=(5.5, 3.5))
for name, model, style in (("2 processes", parallel, "-"), ("1 process", alone, "--")):
    for key in ("train_loss", "valid_loss"):
        losses = [row[key] for row in model.history_]
        ax.plot(range(1, len(losses) + 1), losses, style, label=f"{key}, {name}")
ax.set_xlabel("epoch")
ax.set_ylabel("reconstruction loss (standardised units)")
ax.set_title("Data-parallel training follows one process's")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(OUTPUT / "data_parallel.png", dpi=120)
