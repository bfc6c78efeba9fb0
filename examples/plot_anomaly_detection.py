"""
===================================================
Anomaly detection with an autoencoder
===================================================

An autoencoder learns to compress rows into a few numbers (the code) and to rebuild them.
:class:`~skae.AutoencoderTransformer` turns that into an anomaly score with two terms, as
``PCA.score_samples`` does: how well a row is rebuilt, and how typical its code is. A row
can be unusual in either way: off the directions the data varies along (badly rebuilt), or
far out *along* them (well rebuilt, but with a code unlike the others). The score follows
the scikit-learn outlier API: ``score_samples`` (higher is more normal),
``decision_function`` and ``predict`` (``+1`` inlier, ``-1`` outlier), with the threshold
``offset_`` set so that a fraction ``contamination`` of the training rows is flagged.

Here we hide a few malignant tumours among the benign ones of the breast cancer data set,
fit the autoencoder and an :class:`~sklearn.ensemble.IsolationForest` *without the labels*,
both with their default parameters, use the labels only afterwards to see how well each
model found the malignant rows, and ask the autoencoder which measurements made its
top-flagged rows anomalous.
"""

# %%
# Build an unlabelled, contaminated data set
# ------------------------------------------
# All benign rows (``target == 1``) are the normal data; we add malignant rows
# (``target == 0``) amounting to about 10% of the result as outliers. ``is_outlier`` is kept
# aside for evaluation only: neither model sees it.
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import multivariate_normal
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.metrics import RocCurveDisplay, precision_score, roc_auc_score

from skae import AutoencoderTransformer
from skae.metrics import reconstruction_error, reconstruction_error_by_column
from skae.plotting import AnomalyScoreDisplay, ColumnErrorDisplay

X_all, y_all = load_breast_cancer(return_X_y=True, as_frame=True)
benign = np.flatnonzero(y_all == 1)
malignant = np.flatnonzero(y_all == 0)

rng = np.random.RandomState(0)
n_outliers = round(len(benign) / 9)  # outliers are then 10% of all rows
picked = rng.choice(malignant, size=n_outliers, replace=False)
rows = rng.permutation(np.concatenate([benign, picked]))

X = X_all.iloc[rows].reset_index(drop=True)
is_outlier = (y_all.iloc[rows] == 0).to_numpy()
print(f"{len(X)} rows, {is_outlier.sum()} outliers ({is_outlier.mean():.0%})")

# %%
# Fit both detectors without labels
# ---------------------------------
# The autoencoder standardises the features itself, so it takes the raw data. Its default
# ``contamination=0.1`` matches the share of outliers we planted; ``IsolationForest`` is
# left at its defaults too.
ae = AutoencoderTransformer(random_state=0).fit(X)
iforest = IsolationForest(random_state=0).fit(X)

# %%
# How well do the scores rank the outliers?
# -----------------------------------------
# ``score_samples`` is higher for more normal rows, so ``-score_samples`` is an anomaly
# score. The ROC-AUC is the probability that a random malignant row gets a higher anomaly
# score than a random benign one: 1.0 is a perfect ranking, 0.5 is chance.
ae_scores = ae.score_samples(X)
if_scores = iforest.score_samples(X)
ae_auc = roc_auc_score(is_outlier, -ae_scores)
if_auc = roc_auc_score(is_outlier, -if_scores)
print(f"ROC-AUC    autoencoder {ae_auc:.3f}    isolation forest {if_auc:.3f}")

# %%
# Where the two terms help each other
# -----------------------------------
# Malignant tumours differ from benign ones mostly by being larger and more irregular on
# many features at once: *along* the main direction of variation of the data, which the
# code keeps. The reconstruction error alone (:func:`skae.metrics.reconstruction_error`)
# therefore rebuilds many of them well and ranks them poorly; the code term sees that
# their codes lie far from the benign rows' codes.
error_auc = roc_auc_score(is_outlier, reconstruction_error(ae, X))
print(f"ROC-AUC    reconstruction error alone {error_auc:.3f}")

# %%
# On this table the isolation forest still ranks the malignant rows better: they are
# extreme values on many features at once, which is what it isolates fastest. Across the
# nine tables and five kinds of anomalies of ``benchmarks/bench_anomaly.py`` the
# autoencoder's score is ahead of it on average (the user guide, *Anomaly scores*, has the
# figures), and breast cancer is one of the tables where it is not.

# %%
# Flagging outliers with ``predict``
# ----------------------------------
# ``predict`` turns the scores into decisions with the threshold ``offset_``, the
# ``contamination`` quantile of the training scores: about 10% of the rows are flagged.
# Precision is the share of flagged rows that really are malignant.
flagged = ae.predict(X) == -1
precision = precision_score(is_outlier, flagged)
print(
    f"predict    flags {flagged.sum()} of {len(X)} rows ({flagged.mean():.0%}), "
    f"precision {precision:.2f}"
)

# %%
# Which columns made a row anomalous?
# -----------------------------------
# A row scores low for one of two reasons, and the two terms of the score say which. The
# code term is the log-density of the row's code under the Gaussian ``code_mean_``,
# ``code_covariance_``; the rest of the score is the reconstruction term. For the five
# rows with the lowest scores we compare each term with the median row's.
#
# For rows flagged by their reconstruction,
# :func:`skae.metrics.reconstruction_error_by_column` breaks the error down over the
# input's columns (named as the DataFrame's). Divided by each column's residual variance
# ``noise_variance_`` (all columns are numeric here), it is what the reconstruction term
# adds up: a column the model usually rebuilds closely counts more per unit of error. The
# columns with the largest values say what is unusual. Rows flagged by their code rebuild
# well; they are unusual in the combination of values the code summarises (here, size
# and shape measurements that are all extreme together).
codes = ae.transform(X)
code_term = multivariate_normal(ae.code_mean_, ae.code_covariance_).logpdf(codes)
reconstruction_term = ae_scores - code_term
top = np.argsort(ae_scores)[:5]
reason = {}
for row in top:
    code_gap = np.median(code_term) - code_term[row]
    reconstruction_gap = np.median(reconstruction_term) - reconstruction_term[row]
    reason[row] = "code" if code_gap > reconstruction_gap else "reconstruction"
    label = "malignant" if is_outlier[row] else "benign"
    print(
        f"row {row:3d} ({label:9s}) below the median row by {code_gap:6.1f} (code term) "
        f"and {reconstruction_gap:6.1f} (reconstruction term)"
    )

by_column = reconstruction_error_by_column(ae, X.iloc[top]) / ae.noise_variance_
for row, errors in by_column.iterrows():
    if reason[row] == "reconstruction":
        worst = sorted(errors.nlargest(3).index)  # by name: near-equal errors swap places
        print(f"row {row:3d} worst rebuilt: {', '.join(worst)}")

# %%
# Plot the scores, the ROC curves and the explanation
# ---------------------------------------------------
# :class:`~skae.plotting.AnomalyScoreDisplay` draws the autoencoder's scores of benign and
# malignant rows with the threshold ``offset_`` (rows left of it are predicted outliers)
# and, since we pass the labels, its ROC curve, on axes where the isolation forest's curve
# is already drawn. :class:`~skae.plotting.ColumnErrorDisplay` explains the lowest-scoring
# row flagged by its reconstruction: its error per column, divided by the residual
# variance as above, with a tick at the median row's. (``ColumnErrorDisplay.from_estimator``
# draws the undivided errors; here we build the display from our own numbers.)
fig, (ax_hist, ax_roc, ax_why) = plt.subplots(1, 3, figsize=(18, 4.8))
RocCurveDisplay.from_predictions(is_outlier, -if_scores, name="IsolationForest", ax=ax_roc)
scores_display = AnomalyScoreDisplay.from_estimator(
    ae, X, is_outlier, ax=[ax_hist, ax_roc], name="Autoencoder"
)
print(f"rows below the histogram's range: {scores_display.n_below_view_}")

by_reconstruction = [row for row in top if reason[row] == "reconstruction"]
explained = by_reconstruction[0] if by_reconstruction else top[0]
weighted = reconstruction_error_by_column(ae, X) / ae.noise_variance_
ColumnErrorDisplay(
    errors=weighted.iloc[explained], typical=weighted.median(), row_label=f"row {explained}"
).plot(ax=ax_why, max_columns=8)
ax_why.set_xlabel("squared error / residual variance")

fig.tight_layout()
output = Path(__file__).parent / "output"
output.mkdir(exist_ok=True)
figure_path = output / "anomaly_detection.png"
fig.savefig(figure_path, dpi=100)
print(f"figure     {os.path.relpath(figure_path)}")
