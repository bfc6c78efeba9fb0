"""The codes of ``transform`` in two dimensions, coloured by a label."""

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_is_fitted

from ._common import _axes, _name, _pyplot

#: Most distinct values of a label that get a legend entry each; more get a colour bar.
_MAX_LEGEND_CLASSES = 20


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
