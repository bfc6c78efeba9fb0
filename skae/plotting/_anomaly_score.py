"""The distribution of anomaly scores, the threshold ``offset_`` and, with labels, the ROC
curve."""

import numpy as np
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.utils.validation import check_is_fitted

from ._common import _name, _pyplot


def _outlier_mask(y, pos_label):
    """``y`` as a boolean array, True for outliers."""
    y = np.asarray(y)
    if pos_label is None:
        labels = set(np.unique(y).tolist())
        if labels == {-1, 1}:
            pos_label = -1  # scikit-learn's predict: -1 is an outlier
        elif labels == {0, 1}:  # True and False compare equal to 1 and 0
            pos_label = 1
        else:
            raise ValueError(
                f"y has the labels {sorted(labels)}; pass pos_label, the label of outliers."
            )
    return y == pos_label


class AnomalyScoreDisplay:
    """The distribution of anomaly scores, the threshold and, with labels, the ROC curve.

    Build it with :meth:`from_estimator`; the constructor only stores what it is given.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        ``score_samples`` of the rows: higher is more normal.
    offset : float
        The threshold ``offset_``: rows scoring below it are predicted outliers.
    is_outlier : ndarray of bool of shape (n_samples,), default=None
        Which rows are known outliers; ``None`` when there are no labels.
    estimator_name : str, default=None
        Name in titles and the ROC legend.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The histogram's axes.
    roc_ax_ : matplotlib Axes or None
        The ROC curve's axes (``None`` without labels).
    roc_display_ : sklearn.metrics.RocCurveDisplay or None
        The ROC curve, with ``-scores`` as the outlier score.
    roc_auc_ : float or None
        Its area under the curve.
    n_below_view_ : int
        Rows scoring below the histogram's range (see ``lower_quantile``).
    figure_ : matplotlib Figure
        The figure of ``ax_``.

    See Also
    --------
    ColumnErrorDisplay : why a flagged row scores low.
    sklearn.metrics.RocCurveDisplay : ROC curve of any scores.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skae import AutoencoderTransformer
    >>> from skae.plotting import AnomalyScoreDisplay
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> ae = AutoencoderTransformer(max_epochs=5, random_state=0).fit(X)
    >>> display = AnomalyScoreDisplay.from_estimator(ae, X, y == 0)  # malignant: outliers
    >>> display.ax_.get_ylabel(), display.roc_auc_ > 0.5
    ('rows', True)
    """

    def __init__(self, *, scores, offset, is_outlier=None, estimator_name=None):
        self.scores = scores
        self.offset = offset
        self.is_outlier = is_outlier
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y=None,
        *,
        pos_label=None,
        ax=None,
        name=None,
        bins=40,
        lower_quantile=0.01,
    ):
        """Score ``X`` with a fitted outlier detector and plot the scores.

        Parameters
        ----------
        estimator : fitted estimator with ``score_samples`` and ``offset_``
            An ``AutoencoderTransformer``, ``VAETransformer`` or ``AEGANFusion``
            (scikit-learn's ``IsolationForest`` and ``LocalOutlierFactor(novelty=True)``
            work too).
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows to score.
        y : array-like of shape (n_samples,), default=None
            Which rows are outliers, when known: the histogram then splits inliers from
            outliers and a ROC curve is drawn beside it.
        pos_label : int, bool or str, default=None
            The label of outliers in ``y``. ``None``: ``-1`` when ``y`` holds -1 and 1
            (``predict``'s convention), else ``1``/``True``.
        ax : matplotlib Axes, or a pair of them with ``y``, default=None
            Where to draw: one Axes for the histogram; with ``y``, two (histogram, ROC).
            ``None`` makes a new figure.
        name : str, default=None
            Name in titles and the ROC legend; ``None`` uses the class name.
        bins : int, default=40
            Bins of the histogram.
        lower_quantile : float in [0, 1), default=0.01
            The histogram starts at this quantile of the scores, so that a few rows scoring
            far below the rest do not squeeze it; their number is printed on the plot.
            ``0`` shows every row.

        Returns
        -------
        display : AnomalyScoreDisplay
        """
        check_is_fitted(estimator)
        scores = np.asarray(estimator.score_samples(X), dtype=float)
        is_outlier = None if y is None else _outlier_mask(y, pos_label)
        display = cls(
            scores=scores,
            offset=float(estimator.offset_),
            is_outlier=is_outlier,
            estimator_name=_name(estimator, name),
        )
        return display.plot(ax=ax, bins=bins, lower_quantile=lower_quantile)

    def plot(self, ax=None, *, name=None, bins=40, lower_quantile=0.01):
        """Draw the histogram (and the ROC curve when the rows are labelled).

        Parameters
        ----------
        ax : matplotlib Axes, or a pair of them with labels, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Name in titles and the ROC legend; ``None`` uses ``estimator_name``.
        bins : int, default=40
            Bins of the histogram.
        lower_quantile : float in [0, 1), default=0.01
            Quantile of the scores where the histogram starts.

        Returns
        -------
        display : AnomalyScoreDisplay
            ``self``, with the attributes set.
        """
        plt = _pyplot()
        name = name or self.estimator_name
        labelled = self.is_outlier is not None
        if ax is None:
            _, axes = plt.subplots(1, 2 if labelled else 1, figsize=(11 if labelled else 6, 4))
            ax = axes
        axes = list(np.ravel(ax)) if isinstance(ax, list | tuple | np.ndarray) else [ax]
        if len(axes) != (2 if labelled else 1):
            raise ValueError(
                f"ax must be {'two Axes (histogram, ROC curve)' if labelled else 'one Axes'}"
                f"; got {len(axes)}."
            )
        self.ax_, self.figure_ = axes[0], axes[0].figure
        self.roc_ax_ = axes[1] if labelled else None

        scores = self.scores
        low = np.quantile(scores, lower_quantile) if lower_quantile > 0 else scores.min()
        low = min(low, self.offset)
        edges = np.linspace(low, max(scores.max(), self.offset), bins + 1)
        self.n_below_view_ = int(np.sum(scores < low))
        if labelled:
            groups = {"inliers": scores[~self.is_outlier], "outliers": scores[self.is_outlier]}
        else:
            groups = {"rows": scores}
        for label, values in groups.items():
            self.ax_.hist(values, bins=edges, alpha=0.6, label=f"{label} ({len(values)})")
        self.ax_.axvline(
            self.offset, color="k", linestyle="--", label="offset_: rows left of it are flagged"
        )
        if self.n_below_view_:
            self.ax_.annotate(
                f"{self.n_below_view_} rows below the axis",
                xy=(0.01, 0.97),
                xycoords="axes fraction",
                va="top",
                fontsize="small",
            )
        self.ax_.set_xlim(edges[0], edges[-1])
        self.ax_.set_xlabel("score_samples (higher is more normal)")
        self.ax_.set_ylabel("rows")
        self.ax_.set_title(f"{name}: anomaly scores" if name else "anomaly scores")
        self.ax_.legend(fontsize="small")

        self.roc_display_ = self.roc_auc_ = None
        if labelled:
            self.roc_auc_ = float(roc_auc_score(self.is_outlier, -scores))
            self.roc_display_ = RocCurveDisplay.from_predictions(
                self.is_outlier,
                -scores,
                pos_label=True,
                name=name,
                ax=self.roc_ax_,
                plot_chance_level=True,
            )
            self.roc_ax_.set_xlabel("false positive rate (inliers flagged)")
            self.roc_ax_.set_ylabel("true positive rate (outliers flagged)")
            self.roc_ax_.set_title("ROC curve, outliers as positives")
        return self
