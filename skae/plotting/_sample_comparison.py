"""Real against synthetic rows, column by column."""

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from .._tabular.codec import is_categorical
from .._tabular.frames import as_frame
from ._common import _pyplot


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
        real = as_frame(X, "X")
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
        real, synthetic = as_frame(X_real, "X_real"), as_frame(X_synthetic, "X_synthetic")
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
        from ..metrics import column_fidelity_score

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
            if not (is_categorical(real.dtype) or is_categorical(synthetic.dtype)):
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
