"""Which columns made a row anomalous: its reconstruction error per column."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import _axes


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
        from ..metrics import reconstruction_error_by_column

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
