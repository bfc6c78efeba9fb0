"""The base of the encoder/decoder estimators: ``transform``, ``inverse_transform``,
``score_samples``, the outlier API, validation and early stopping, and the
:class:`~skae._base.contracts.EncoderDecoder` contract through which ``AEGANFusion``,
``skae.metrics`` and ``skae.onnx`` use such a model."""

import copy
import numbers
from abc import abstractmethod

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from .._training.callbacks import WEIGHT_AVERAGE_DECAY, WeightAverage
from .._training.data import HoldOut
from .._training.inference import compute_dtype
from .._training.stopping import EarlyStoppingFromStart, discard_message
from .._utils.random import MAX_SEED, subsample
from .._utils.sklearn_compat import Interval, RealNotInt, StrOptions
from .contracts import TrainableDecoder
from .helper_models import fit_pca
from .incremental import IncrementalTrainingMixin
from .neural import BaseNeuralEstimator
from .outliers import OutlierScoresMixin

#: Training rows scored to set ``offset_``: a quantile needs no more, and large fits stay fast.
OFFSET_MAX_ROWS = 10_000


class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    OutlierScoresMixin,
    IncrementalTrainingMixin,
    BaseNeuralEstimator,
):
    """Public methods of every encoder/decoder estimator, and the
    :class:`~skae._base.contracts.EncoderDecoder` contract.

    A subclass names its ``_module_class`` (an ``AutoencoderModule``: ``encode``,
    ``decode``, ``decoder_parameters``, ``rescale_numeric``, optional linear path) and
    implements ``_batch_scores`` (per-row scores of a batch, higher = more normal),
    ``_net_params`` and ``_sample_codes``.
    """

    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "n_components": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Interval(RealNotInt, 0, 1, closed="neither"),
        ],
        "contamination": [Interval(numbers.Real, 0, 0.5, closed="right")],
        "reconstruction_loss": [StrOptions({"auto", "mse", "bce"})],
        "pca_init": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
    }
    _module_class = None
    _trains_data_parallel = True

    def _training_setup(self, n_samples, rng, one_pass):
        """A validation split and early stopping on it (on the training loss when too few
        rows are left to hold any out), with the weights averaged; for one pass
        (``partial_fit``), the moving average over every call instead."""
        split = HoldOut(self.validation_fraction, rng.randint(MAX_SEED))
        if one_pass:  # after drawing from rng, so both ways seed the rest alike
            return None, self._incremental_callbacks()
        if not self.early_stopping:
            return None, []
        has_valid = split.n_valid(n_samples) > 0
        early_stopping = EarlyStoppingFromStart(
            monitor="valid_loss" if has_valid else "train_loss",
            patience=self.n_iter_no_change,
            threshold=self.tol,
            threshold_mode="rel",
            load_best=True,
            sink=discard_message,
        )
        if not has_valid:
            return None, [("early_stopping", early_stopping)]
        return split, [
            ("early_stopping", early_stopping),
            ("weight_average", WeightAverage(WEIGHT_AVERAGE_DECAY)),
        ]

    def _unit_interval_setting(self):
        choice = {"mse": False, "bce": True, "auto": "auto"}[self.reconstruction_loss]
        return f"reconstruction_loss={self.reconstruction_loss!r}", choice

    def _learn_sizes(self, M):
        n_components = self.n_components
        if not isinstance(n_components, numbers.Integral):
            n_components = fit_pca(M, n_components).n_components_
        self.n_components_ = int(n_components)

    def _build_module(self, n_features, **module_params):
        """``_module_class`` for ``n_features`` model columns, with the estimator's sizes
        and ``module_params`` (a subclass's extra arguments)."""
        return self._module_class(
            n_features,
            self.n_components_,
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            dropout=self.dropout,
            linear_path=self.pca_init,
            input_shape=self.input_shape,
            **module_params,
        )

    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _after_training(self, X, rng):
        rows = subsample(X, OFFSET_MAX_ROWS, rng, keep_order=True)
        self._set_offset(self._row_scores(rows))

    # ---------------------------------------------------------------- public methods
    def transform(self, X):
        """Encode ``X`` into codes.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Codes, in the dtype of ``X`` (float32 stays float32).
        """
        return self._encode_rows(self._validate_input(X))

    def inverse_transform(self, X):
        """Decode codes back into rows in the units of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as ``transform`` returns them (named ``X``, as in scikit-learn's
            transformers: any other name would be routed as metadata).

        Returns
        -------
        X_original : ndarray or DataFrame of shape (n_samples, n_features_in)
            A DataFrame with the training columns and dtypes when ``fit`` saw a DataFrame.
        """
        check_is_fitted(self)
        codes = check_array(X, dtype=[np.float64, np.float32])
        if codes.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {codes.shape[1]} columns, but inverse_transform decodes codes and "
                f"{type(self).__name__} has {self.n_components_} components "
                f"(n_components={self.n_components!r})."
            )
        return self._decode(codes, compute_dtype(codes))

    def score_samples(self, X):
        """Per-row normality score: higher is more normal.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
        """
        return self._row_scores(self._validate_input(X))

    @abstractmethod
    def _batch_scores(self, module, x):
        """Per-row scores (higher = more normal) of a batch ``x`` of model-matrix rows, as
        a tensor computed with ``module``."""

    def _batch_errors(self, module, x):
        return self.net_.blocks.reconstruction_loss(module.decode(module.encode(x)), x)

    def _per_row(self, A, fn):
        """``fn(module, batch)``, one number per row, over ``A`` in batches, as float64."""
        values = self._predict_batches(A, lambda m, x: fn(m, x)[:, None], 1, compute_dtype(A))
        return values[:, 0].astype(np.float64)

    # ------------------------------------------------ the EncoderDecoder contract
    # Each method takes rows that ``_validate_input`` returned (``A``), which
    # ``AEGANFusion`` validates once for its parts.

    def _encode_rows(self, A):
        """The codes of the rows ``A``, in their dtype (float32 stays float32)."""
        return self._predict_batches(
            A, lambda m, x: m.encode(x), self.n_components_, compute_dtype(A)
        )

    def _row_scores(self, A):
        """``score_samples`` of the rows ``A``."""
        return self._per_row(A, self._batch_scores)

    def _row_errors(self, A):
        """Per-row reconstruction loss of the rows ``A`` in the model's units, averaged over
        columns: squared error for numbers, cross-entropy for categories (for
        :func:`skae.metrics.reconstruction_error`)."""
        return self._per_row(A, self._batch_errors)

    def _column_errors(self, A):
        """Per-row, per-column reconstruction loss of the rows ``A``, ``(n,
        n_features_in_)`` float64, columns in the input's order (for
        :func:`skae.metrics.reconstruction_error_by_column`)."""
        blocks = self.net_.blocks
        losses = self._predict_batches(
            A,
            lambda m, x: blocks.column_losses(m.decode(m.encode(x)), x),
            blocks.n_user_columns,
            compute_dtype(A),
        )
        errors = np.empty(losses.shape, dtype=np.float64)
        errors[:, [*self.codec_.numeric_, *self.codec_.categorical_]] = losses
        return errors

    def _trainable_decoder(self):
        """The fitted network, its decoder's ``(name, parameter)`` pairs and its output
        blocks: what a caller may train further, in place, before calling
        :meth:`_refresh`."""
        module = self.net_.module_
        return TrainableDecoder(module, module.decoder_parameters(), self.net_.blocks)

    def _refresh(self, A, rng):
        """Refit what depends on the decoder (``offset_``, the score's densities) on the
        training rows ``A``, after the decoder's parameters changed."""
        self._after_training(A, rng)

    def _inference_network(self):
        """A float32 copy of the fitted network on the CPU, in eval mode (the fitted one
        stays as it is)."""
        return copy.deepcopy(self.net_.module_).to("cpu", torch.float32).eval()
