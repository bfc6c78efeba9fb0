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

from ._anomaly_score import AnomalyScoreDisplay
from ._code import CodeDisplay
from ._column_error import ColumnErrorDisplay
from ._image_grid import plot_image_grid
from ._sample_comparison import SampleComparisonDisplay
from ._training_history import TrainingHistoryDisplay

__all__ = [
    "AnomalyScoreDisplay",
    "CodeDisplay",
    "ColumnErrorDisplay",
    "SampleComparisonDisplay",
    "TrainingHistoryDisplay",
    "plot_image_grid",
]
