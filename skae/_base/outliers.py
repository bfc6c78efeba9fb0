"""The outlier detector's API, from ``score_samples`` and ``offset_``."""

import numpy as np
from sklearn.base import OutlierMixin

from .._utils.docstrings import DOC_LINK_TEMPLATE


class OutlierScoresMixin(OutlierMixin):
    """``decision_function``, ``predict``, ``score`` and ``offset_`` from ``score_samples``."""

    # AEGANFusion's only skae base: its HTML representation links to skae's API page too.
    _doc_link_module = "skae"
    _doc_link_template = DOC_LINK_TEMPLATE

    def _set_offset(self, scores):
        self.offset_ = float(np.percentile(scores, 100.0 * self.contamination))

    def decision_function(self, X):
        """Shifted opposite of the anomaly score: negative for outliers.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label rows as inliers (``+1``) or outliers (``-1``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            ``+1`` where ``decision_function(X) >= 0``, else ``-1``.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def score(self, X, y=None):
        """Mean of ``score_samples(X)``: higher is better, as ``PCA.score``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_samples(X)))
