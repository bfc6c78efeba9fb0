"""Plots of fitted skae models, in scikit-learn's ``Display`` style.

Each display is built with ``XDisplay.from_estimator(estimator, ...)``, which computes what
it shows and draws it; the object keeps the computed values and the matplotlib objects
(``ax_``, ``figure_``), and ``display.plot(ax=...)`` draws it again elsewhere, as
:class:`sklearn.metrics.RocCurveDisplay` does.

- :class:`TrainingHistoryDisplay`: the training and validation loss per epoch, with the
  epoch whose weights early stopping kept.
- :class:`AnomalyScoreDisplay`: the histogram of ``score_samples`` with the threshold
  ``offset_`` and, given labels, the ROC curve.
- :class:`ColumnErrorDisplay`: which columns made a row anomalous (its reconstruction error
  per column, beside a typical row's).
- :class:`CodeDisplay`: the codes of ``transform`` in two dimensions, coloured by a label.
- :class:`SampleComparisonDisplay`: real against synthetic rows (``sample``), column by
  column.
- :func:`plot_image_grid`: rows that are flattened images, as one grid.

matplotlib is an optional dependency: ``pip install "skae[plot]"``.
"""

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "AnomalyScoreDisplay",
    "CodeDisplay",
    "ColumnErrorDisplay",
    "SampleComparisonDisplay",
    "TrainingHistoryDisplay",
    "plot_image_grid",
]

#: Most distinct values of a label that get a legend entry each; more get a colour bar.
_MAX_LEGEND_CLASSES = 20


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            'skae.plotting needs matplotlib; install it with pip install "skae[plot]" '
            "(or pip install matplotlib)."
        ) from error
    return plt


def _axes(ax, **subplots):
    """``ax``, or a new figure's Axes when it is None; and its figure."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(**subplots)
    return ax, ax.figure


def _name(estimator, name):
    return type(estimator).__name__ if name is None else name


# --------------------------------------------------------------------------- training


def _kept_epoch(net):
    """The epoch whose weights early stopping kept (0: the untrained start), or None."""
    for _, callback in getattr(net, "callbacks_", []):
        best = getattr(callback, "best_epoch_", None)
        if best is not None:
            return int(best)
    return None


class TrainingHistoryDisplay:
    """The losses of a fitted model, epoch by epoch.

    Build it with :meth:`from_estimator`; the constructor only stores what it is given.

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
        Epoch numbers, from 1.
    losses : dict of str to ndarray of shape (n_epochs,)
        One curve per entry, labelled by its key (e.g. ``"training loss"``,
        ``"validation loss"``).
    kept_epoch : int, default=None
        The epoch whose weights the model kept (early stopping); ``0`` is the untrained
        (PCA-initialised) start. ``None`` marks nothing.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The curve of each loss.
    kept_line_ : matplotlib Line2D or None
        The vertical line at ``kept_epoch``.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : scores against training-set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.plotting import TrainingHistoryDisplay
    >>> X, _ = load_wine(return_X_y=True)
    >>> ae = AutoencoderTransformer(max_epochs=5, random_state=0).fit(X)
    >>> display = TrainingHistoryDisplay.from_estimator(ae)
    >>> sorted(display.lines_), display.ax_.get_xlabel()
    (['training loss', 'validation loss'], 'epoch')
    """

    def __init__(self, *, epochs, losses, kept_epoch=None, estimator_name=None):
        self.epochs = epochs
        self.losses = losses
        self.kept_epoch = kept_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_scale=False):
        """Plot the losses a fitted estimator recorded in ``history_``.

        An autoencoder or a VAE shows its training and validation losses (the training loss
        alone when nothing was held out) and the epoch early stopping kept; a
        ``GANSampler`` its critic's and its generator's losses; an ``AEGANFusion`` its
        autoencoder's (``autoencoder_``), whose training decides the codes.

        Parameters
        ----------
        estimator : fitted AutoencoderTransformer, VAETransformer, GANSampler or AEGANFusion
            The model whose training to show.
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Title of the plot; ``None`` uses the estimator's class name.
        log_scale : bool, default=False
            Draw the losses on a logarithmic axis (they must then be positive).

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        model = getattr(estimator, "autoencoder_", estimator)
        check_is_fitted(model, "history_")
        history = model.history_
        epochs = np.array([row["epoch"] for row in history])
        keys = {"train_loss": "training loss", "valid_loss": "validation loss"}
        if any("generator_loss" in row for row in history):
            keys = {"train_loss": "critic loss", "generator_loss": "generator loss"}
        losses = {
            label: np.array([row[key] for row in history], dtype=float)
            for key, label in keys.items()
            if all(key in row for row in history)
        }
        kept = _kept_epoch(getattr(model, "net_", None))
        if model is not estimator:
            name = name or f"{type(estimator).__name__}: its autoencoder_"
        display = cls(
            epochs=epochs,
            losses=losses,
            kept_epoch=kept,
            estimator_name=_name(estimator, name),
        )
        return display.plot(ax=ax, log_scale=log_scale)

    def plot(self, ax=None, *, name=None, log_scale=False):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Title; ``None`` uses ``estimator_name``.
        log_scale : bool, default=False
            Draw the losses on a logarithmic axis.

        Returns
        -------
        display : TrainingHistoryDisplay
            ``self``, with ``ax_``, ``figure_``, ``lines_`` and ``kept_line_`` set.
        """
        self.ax_, self.figure_ = _axes(ax, figsize=(6, 4))
        marker = "." if len(self.epochs) <= 60 else None  # dots only where they stay apart
        self.lines_ = {
            label: self.ax_.plot(self.epochs, values, marker=marker, label=label)[0]
            for label, values in self.losses.items()
        }
        self.kept_line_ = None
        if self.kept_epoch is not None:
            where = (
                "the untrained start (epoch 0)"
                if self.kept_epoch == 0
                else f"epoch {self.kept_epoch}"
            )
            self.kept_line_ = self.ax_.axvline(
                self.kept_epoch, color="k", linestyle="--", label=f"weights kept: {where}"
            )
        if log_scale:
            self.ax_.set_yscale("log")
        self.ax_.set_xlabel("epoch")
        self.ax_.set_ylabel("loss (lower is better)")
        title = name or self.estimator_name
        if title:
            self.ax_.set_title(title)
        self.ax_.legend()
        return self


# --------------------------------------------------------------------------- anomalies


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


class ColumnErrorDisplay:
    """Which columns made a row anomalous: its reconstruction error column by column.

    Bars are the row's error per column (:func:`skae.metrics.reconstruction_error_by_column`:
    squared error in standardised units for a number, cross-entropy for a category),
    largest first; a tick on each bar marks the median error of that column over the
    reference rows, what a typical row gets. Build it with :meth:`from_estimator`.

    Parameters
    ----------
    errors : pandas Series
        The row's error per column, indexed by column name.
    typical : pandas Series, default=None
        The median error per column over the reference rows, same index.
    row_label : str, default=None
        Names the row in the title.

    Attributes
    ----------
    bars_ : matplotlib BarContainer
        The bars, one per column shown.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.

    See Also
    --------
    AnomalyScoreDisplay : the scores that flag rows.
    skae.metrics.reconstruction_error_by_column : the numbers drawn here.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.plotting import ColumnErrorDisplay
    >>> X = load_wine(as_frame=True).data
    >>> ae = AutoencoderTransformer(max_epochs=5, random_state=0).fit(X)
    >>> display = ColumnErrorDisplay.from_estimator(ae, X, max_columns=5)  # the lowest score
    >>> len(display.bars_), display.ax_.get_xlabel()
    (5, 'reconstruction error')
    """

    def __init__(self, *, errors, typical=None, row_label=None):
        self.errors = errors
        self.typical = typical
        self.row_label = row_label

    @classmethod
    def from_estimator(cls, estimator, X, *, row=None, max_columns=10, ax=None):
        """Explain one row of ``X`` by the errors of its columns.

        Parameters
        ----------
        estimator : fitted AutoencoderTransformer, VAETransformer or AEGANFusion
            The model that flagged the row.
        X : array-like or DataFrame of shape (n_samples, n_features)
            The rows; they are also the reference for a typical row's errors.
        row : int, default=None
            Position of the row to explain in ``X``; ``None`` takes the row with the lowest
            ``score_samples``, the most anomalous.
        max_columns : int, default=10
            How many columns to show, those with the largest errors first.
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.

        Returns
        -------
        display : ColumnErrorDisplay
        """
        from .metrics import reconstruction_error_by_column

        check_is_fitted(estimator)
        by_column = reconstruction_error_by_column(estimator, X)
        if row is None:
            row = int(np.argmin(estimator.score_samples(X)))
        if not -len(by_column) <= row < len(by_column):
            raise ValueError(f"row must be a position in X (0 to {len(by_column) - 1}); got {row}.")
        label = by_column.index[row]
        display = cls(
            errors=by_column.iloc[row],
            typical=by_column.median(),
            row_label=f"row {label}" if label == row else f"row {label!r} (position {row})",
        )
        return display.plot(ax=ax, max_columns=max_columns)

    def plot(self, ax=None, *, max_columns=10):
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        max_columns : int, default=10
            How many columns to show, those with the largest errors first.

        Returns
        -------
        display : ColumnErrorDisplay
            ``self``, with ``ax_``, ``figure_`` and ``bars_`` set.
        """
        shown = self.errors.sort_values(ascending=False).iloc[:max_columns]
        self.ax_, self.figure_ = _axes(ax, figsize=(6, 0.4 * len(shown) + 1.5))
        positions = np.arange(len(shown))[::-1]  # largest at the top
        labels = [str(column) for column in shown.index]
        self.bars_ = self.ax_.barh(positions, shown.to_numpy(), label="this row")
        if self.typical is not None:
            self.ax_.scatter(
                self.typical[shown.index].to_numpy(),
                positions,
                marker="|",
                s=300,
                color="k",
                zorder=3,
                label="median row",
            )
        self.ax_.set_yticks(positions, labels)
        self.ax_.set_xlabel("reconstruction error")
        self.ax_.set_ylabel("column")
        title = "Columns worst reconstructed"
        self.ax_.set_title(f"{title}: {self.row_label}" if self.row_label else title)
        self.ax_.legend(loc="lower right", fontsize="small")
        return self


# --------------------------------------------------------------------------- codes


class CodeDisplay:
    """The codes of ``transform`` in two dimensions, coloured by a label when given.

    Codes with more than two units are projected on their first two principal components
    (the axes say how much of the codes' variance each keeps); a 1-unit code is drawn along
    the x-axis, spread vertically at random. Build it with :meth:`from_estimator`.

    Parameters
    ----------
    points : ndarray of shape (n_samples, 2)
        Where each row is drawn.
    y : array-like of shape (n_samples,), default=None
        The label that colours the points.
    axis_labels : tuple of str, default=("code unit 1", "code unit 2")
        Labels of the x- and y-axis.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection or list of them
        The points (one collection per class when ``y`` is categorical).
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.

    See Also
    --------
    sklearn.inspection.DecisionBoundaryDisplay : a classifier's decisions in two dimensions.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.plotting import CodeDisplay
    >>> X, y = load_wine(return_X_y=True)
    >>> ae = AutoencoderTransformer(n_components=4, max_epochs=5, random_state=0).fit(X)
    >>> display = CodeDisplay.from_estimator(ae, X, y)  # 4 units: their first 2 PCs
    >>> display.ax_.get_xlabel().startswith("codes' PC 1")
    True
    """

    def __init__(
        self, *, points, y=None, axis_labels=("code unit 1", "code unit 2"), estimator_name=None
    ):
        self.points = points
        self.y = y
        self.axis_labels = axis_labels
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, ax=None, name=None, random_state=0):
        """Transform ``X`` and plot its codes.

        Parameters
        ----------
        estimator : fitted estimator with ``transform``
            An ``AutoencoderTransformer``, ``VAETransformer`` (posterior means) or
            ``AEGANFusion``; any fitted transformer works.
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows to encode.
        y : array-like of shape (n_samples,), default=None
            A label per row that colours its point: a legend for up to 20 distinct values
            (or any non-numeric label), a colour bar for more numbers.
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Title of the plot; ``None`` uses the class name.
        random_state : int, default=0
            Seeds the vertical spread of a 1-unit code.

        Returns
        -------
        display : CodeDisplay
        """
        check_is_fitted(estimator)
        codes = np.asarray(estimator.transform(X), dtype=float)
        if codes.shape[1] > 2:
            pca = PCA(n_components=2).fit(codes)
            points = pca.transform(codes)
            share = pca.explained_variance_ratio_
            labels = tuple(
                f"codes' PC {i + 1} ({share[i]:.0%} of their variance)" for i in range(2)
            )
        elif codes.shape[1] == 2:
            points, labels = codes, ("code unit 1", "code unit 2")
        else:
            spread = np.random.RandomState(random_state).uniform(-1, 1, len(codes))
            points, labels = np.c_[codes[:, 0], spread], ("code", "random spread")
        display = cls(points=points, y=y, axis_labels=labels, estimator_name=_name(estimator, name))
        return display.plot(ax=ax)

    def plot(self, ax=None, *, s=12, cmap=None):
        """Draw the points.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        s : float, default=12
            Marker size.
        cmap : str or matplotlib Colormap, default=None
            Colours of the label: ``None`` uses ``"tab10"`` or ``"tab20"`` for classes and
            ``"viridis"`` for numbers.

        Returns
        -------
        display : CodeDisplay
            ``self``, with ``ax_``, ``figure_`` and ``scatter_`` set.
        """
        plt = _pyplot()
        self.ax_, self.figure_ = _axes(ax, figsize=(6, 5))
        x, y_axis = self.points[:, 0], self.points[:, 1]
        if self.y is None:
            self.scatter_ = self.ax_.scatter(x, y_axis, s=s)
        else:
            labels = pd.Series(np.asarray(self.y))
            classes = pd.unique(labels)
            numeric = pd.api.types.is_numeric_dtype(labels) and not pd.api.types.is_bool_dtype(
                labels
            )
            if numeric and len(classes) > _MAX_LEGEND_CLASSES:
                self.scatter_ = self.ax_.scatter(
                    x, y_axis, c=labels.to_numpy(), s=s, cmap=cmap or "viridis"
                )
                self.figure_.colorbar(self.scatter_, ax=self.ax_)
            else:
                classes = sorted(classes, key=str) if not numeric else np.sort(classes)
                colours = plt.get_cmap(cmap or ("tab10" if len(classes) <= 10 else "tab20"))
                self.scatter_ = [
                    self.ax_.scatter(
                        x[mask], y_axis[mask], s=s, color=colours(i % colours.N), label=str(c)
                    )
                    for i, c in enumerate(classes)
                    for mask in [(labels == c).to_numpy()]
                ]
                self.ax_.legend(
                    loc="center left", bbox_to_anchor=(1.0, 0.5), markerscale=2, fontsize="small"
                )
        self.ax_.set_xlabel(self.axis_labels[0])
        self.ax_.set_ylabel(self.axis_labels[1])
        if self.estimator_name:
            self.ax_.set_title(f"{self.estimator_name}: codes")
        return self


# --------------------------------------------------------------------------- samples


def _as_frame(X, name):
    if hasattr(X, "to_pandas") and not isinstance(X, pd.DataFrame | pd.Series):
        X = X.to_pandas()  # polars or pyarrow
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D; got shape {X.shape}.")
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])


def _is_number(column):
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


class SampleComparisonDisplay:
    """Real rows against synthetic rows, one panel per column.

    A numeric column gets two overlaid histograms (densities, on the same bins); any other
    column (``category``, ``object``, ``string``, ``bool``) bars of each category's share
    of the rows. Each panel's title gives the column's fidelity, as
    :func:`skae.metrics.column_fidelity_score` computes it (1 - KS for a number, 1 - total
    variation for a category; 1 is a perfect match). Build it with :meth:`from_estimator`
    or :meth:`from_samples`.

    Parameters
    ----------
    X_real : DataFrame
        Real rows.
    X_synthetic : DataFrame
        Synthetic rows, with the columns of ``X_real``.
    columns : list of str
        The columns to draw.

    Attributes
    ----------
    fidelity_ : dict of str to float
        Each drawn column's fidelity.
    axes_ : ndarray of matplotlib Axes
        One per column, in the order of ``columns``; a grid's unused axes are hidden.
    figure_ : matplotlib Figure
        The figure of the axes.

    See Also
    --------
    skae.metrics.column_fidelity_score : the mean of the fidelities drawn here.
    skae.metrics.c2st_score : whether rows, not columns, look real.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.plotting import SampleComparisonDisplay
    >>> X = load_wine(as_frame=True).data
    >>> ae = AutoencoderTransformer(max_epochs=5, random_state=0).fit(X)
    >>> display = SampleComparisonDisplay.from_estimator(
    ...     ae, X, columns=["alcohol", "proline"], random_state=0
    ... )
    >>> display.axes_.shape, display.axes_[0].get_xlabel()
    ((2,), 'alcohol')
    """

    def __init__(self, *, X_real, X_synthetic, columns):
        self.X_real = X_real
        self.X_synthetic = X_synthetic
        self.columns = columns

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        *,
        n_samples=None,
        random_state=None,
        columns=None,
        ax=None,
        n_cols=4,
        bins=20,
    ):
        """Draw rows with ``estimator.sample`` and compare them with ``X``.

        Parameters
        ----------
        estimator : fitted estimator with ``sample``
            Any skae estimator (or e.g. a ``GaussianMixture``: ``sample`` may return
            ``(X, y)``, of which ``X`` is used).
        X : array-like or DataFrame of shape (n_samples, n_features)
            Real rows; held-out ones tell more than the training rows.
        n_samples : int, default=None
            Rows to draw; ``None`` draws as many as ``X`` has.
        random_state : int, RandomState instance or None, default=None
            Passed to ``sample``.
        columns : list of str, default=None
            Columns to draw (``x0``, ``x1``, ... for arrays); ``None`` draws all.
        ax : sequence of matplotlib Axes, default=None
            One Axes per column; ``None`` makes a new figure with a grid of them.
        n_cols : int, default=4
            Panels per row of a new grid.
        bins : int, default=20
            Bins of the histograms.

        Returns
        -------
        display : SampleComparisonDisplay
        """
        check_is_fitted(estimator)
        real = _as_frame(X, "X")
        drawn = estimator.sample(len(real) if n_samples is None else n_samples, random_state)
        if isinstance(drawn, tuple):  # scikit-learn's mixtures return (X, y)
            drawn = drawn[0]
        return cls.from_samples(real, drawn, columns=columns, ax=ax, n_cols=n_cols, bins=bins)

    @classmethod
    def from_samples(cls, X_real, X_synthetic, *, columns=None, ax=None, n_cols=4, bins=20):
        """Compare two sets of rows, however they were made.

        Parameters
        ----------
        X_real : array-like or DataFrame of shape (n_real, n_features)
            Real rows.
        X_synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
            Synthetic rows with the same columns.
        columns : list of str, default=None
            Columns to draw (``x0``, ``x1``, ... for arrays); ``None`` draws all.
        ax : sequence of matplotlib Axes, default=None
            One Axes per column; ``None`` makes a new figure with a grid of them.
        n_cols : int, default=4
            Panels per row of a new grid.
        bins : int, default=20
            Bins of the histograms.

        Returns
        -------
        display : SampleComparisonDisplay
        """
        real, synthetic = _as_frame(X_real, "X_real"), _as_frame(X_synthetic, "X_synthetic")
        if list(real.columns) != list(synthetic.columns):
            if set(real.columns) != set(synthetic.columns):
                raise ValueError(
                    "X_real and X_synthetic must have the same columns; got "
                    f"{list(real.columns)} and {list(synthetic.columns)}."
                )
            synthetic = synthetic[real.columns]
        columns = list(real.columns) if columns is None else list(columns)
        missing = [column for column in columns if column not in real.columns]
        if missing:
            raise ValueError(f"columns {missing} are not columns of X_real.")
        display = cls(X_real=real, X_synthetic=synthetic, columns=columns)
        return display.plot(ax=ax, n_cols=n_cols, bins=bins)

    def plot(self, ax=None, *, n_cols=4, bins=20):
        """Draw one panel per column.

        Parameters
        ----------
        ax : sequence of matplotlib Axes, default=None
            One Axes per column; ``None`` makes a new figure with a grid of them.
        n_cols : int, default=4
            Panels per row of a new grid.
        bins : int, default=20
            Bins of the histograms.

        Returns
        -------
        display : SampleComparisonDisplay
            ``self``, with ``axes_``, ``figure_`` and ``fidelity_`` set.
        """
        from .metrics import column_fidelity_score

        plt = _pyplot()
        n = len(self.columns)
        if ax is None:
            n_cols = min(n_cols, n)
            n_rows = -(-n // n_cols)
            _, grid = plt.subplots(
                n_rows, n_cols, figsize=(3.2 * n_cols, 2.6 * n_rows), squeeze=False
            )
            grid = grid.ravel()
            for unused in grid[n:]:
                unused.set_visible(False)
            axes = grid[:n]
        else:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if len(axes) < n:
                raise ValueError(f"ax must hold one Axes per column ({n}); got {len(axes)}.")
            axes = axes[:n]
        self.axes_, self.figure_ = axes, axes[0].figure
        self.fidelity_ = {}
        for panel, column in zip(axes, self.columns, strict=True):
            real, synthetic = self.X_real[column], self.X_synthetic[column]
            self.fidelity_[column] = column_fidelity_score(real.to_frame(), synthetic.to_frame())
            if _is_number(real) and _is_number(synthetic):
                values = np.r_[real.to_numpy(float), synthetic.to_numpy(float)]
                edges = np.histogram_bin_edges(values, bins=bins)
                for part, label in ((real, "real"), (synthetic, "synthetic")):
                    panel.hist(
                        part.to_numpy(float), bins=edges, density=True, alpha=0.55, label=label
                    )
                panel.set_ylabel("density")
            else:
                shares = pd.DataFrame(
                    {
                        "real": real.astype(object).value_counts(normalize=True, dropna=False),
                        "synthetic": synthetic.astype(object).value_counts(
                            normalize=True, dropna=False
                        ),
                    }
                ).fillna(0.0)
                positions = np.arange(len(shares))
                panel.bar(positions - 0.2, shares["real"], width=0.4, label="real")
                panel.bar(positions + 0.2, shares["synthetic"], width=0.4, label="synthetic")
                panel.set_xticks(positions, [str(c) for c in shares.index], rotation=30, ha="right")
                panel.set_ylabel("share of rows")
            panel.set_xlabel(str(column))
            panel.set_title(f"{column}: fidelity {self.fidelity_[column]:.2f}", fontsize="medium")
        axes[0].legend(fontsize="small")
        return self


# --------------------------------------------------------------------------- images


def plot_image_grid(rows, image_shape, *, n_cols=8, ax=None, title=None, vmin=None, vmax=None):
    """Show rows that are flattened images as one grid of images.

    Parameters
    ----------
    rows : array-like of shape (n_images, C * H * W)
        Flattened images, as the estimators take and return them with ``input_shape``.
    image_shape : tuple of int
        ``(H, W)`` for grey images or ``(C, H, W)`` with ``C`` 1 (grey) or 3 (RGB).
    n_cols : int, default=8
        Images per grid row; the last grid row is left blank where images run out.
    ax : matplotlib Axes, default=None
        Where to draw; ``None`` makes a new figure.
    title : str, default=None
        Title of the axes.
    vmin, vmax : float, default=None
        Pixel values mapped to the ends of the grey scale (default: the data's range).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skae.plotting import plot_image_grid
    >>> X, _ = load_digits(return_X_y=True)
    >>> ax = plot_image_grid(X[:16], (8, 8), vmin=0, vmax=16)
    """
    plt = _pyplot()
    shape = tuple(image_shape)
    channels, height, width = (1, *shape) if len(shape) == 2 else shape
    if channels not in (1, 3):
        raise ValueError(f"image_shape must have 1 or 3 channels; got {channels}.")
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2 or rows.shape[1] != channels * height * width:
        raise ValueError(
            f"rows must be 2-D with {channels * height * width} columns for image_shape="
            f"{shape}; got shape {rows.shape}."
        )
    # One blank pixel around each image keeps neighbours apart; blanks fill the last row.
    n_rows = -(-len(rows) // n_cols)
    images = np.full((n_rows * n_cols, height + 2, width + 2, channels), np.nan)
    images[: len(rows), 1:-1, 1:-1] = rows.reshape(-1, channels, height, width).transpose(
        0, 2, 3, 1
    )
    grid = images.reshape(n_rows, n_cols, height + 2, width + 2, channels)
    grid = grid.transpose(0, 2, 1, 3, 4).reshape(n_rows * (height + 2), n_cols * (width + 2), -1)
    if ax is None:
        _, ax = plt.subplots(figsize=(n_cols * 0.6, n_rows * 0.6))
    if channels == 1:
        cmap = plt.get_cmap("gray_r").with_extremes(bad="white")
        ax.imshow(grid[..., 0], cmap=cmap, vmin=vmin, vmax=vmax)
    else:
        low = np.nanmin(grid) if vmin is None else vmin
        high = np.nanmax(grid) if vmax is None else vmax
        ax.imshow(np.nan_to_num(np.clip((grid - low) / (high - low), 0, 1), nan=1.0))
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax
