"""Incremental training of the encoder/decoder models: ``partial_fit`` over chunks, and a
``warm_start`` fit that trains on from the fitted weights."""

import numpy as np

from .._training.callbacks import WEIGHT_AVERAGE_DECAY, WeightAverage
from .._training.stopping import interruptible
from .._utils.random import MAX_SEED, fit_rng
from .._utils.sklearn_compat import _fit_context
from .validation import process_group_for


class IncrementalTrainingMixin:
    """``partial_fit`` and ``warm_start`` for a :class:`~skae._base.neural.BaseNeuralEstimator`
    whose module can follow a change of the standard scaling (``rescale_numeric(old,
    new)``, as ``skae._nn.autoencoder.AutoencoderModule`` does).

    Training on keeps the codec, the network and its optimiser's settings, and draws a
    new random stream for each call from the seed and the epochs so far.
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model on ``X``; with ``warm_start=True``, a fitted model trains on from
        its weights instead (the columns, scaling and code size stay as they were).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Present for API consistency.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        with interruptible(self):
            if self.warm_start and hasattr(self, "net_"):
                return self._train_on(X)
            return self._fit(X)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train on one more chunk of rows: one pass over ``X``.

        The first call learns what ``fit`` learns from the data (the columns and their
        categories, the scaling, the code size, the PCA start) from this chunk; later calls
        continue training, so each chunk must have the same columns, and a category not in
        the first chunk is an error unless its column's pandas ``CategoricalDtype``
        declares it. The standard scaling follows every row seen so far, as
        ``StandardScaler.partial_fit`` does, and the network is rescaled with it so that
        what it has learnt stays the same in the units of ``X`` (images keep the first
        chunk's scaling). There is no validation split or early stopping. The model predicts
        with a moving average of the weights over every call's steps, as ``fit`` validates
        with and keeps one; each call trains on from the raw weights. ``offset_`` and the
        score's Gaussians are refitted on each chunk. ``dask_ml``'s ``Incremental`` calls it
        block by block.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            One chunk of training rows (at least 2 in the first).
        y : Ignored
            Present for API consistency.

        Returns
        -------
        self : object
            The estimator, trained one more pass.
        """
        with interruptible(self):
            if hasattr(self, "net_"):
                return self._train_on(X, one_pass=True)
            return self._fit(X, one_pass=True)

    def _train_on(self, X, one_pass=False):
        """Continue training the fitted network on ``X``: one pass for ``partial_fit``
        (after the codec learns from the chunk), else a ``warm_start`` fit."""
        group = process_group_for(self, self._trains_data_parallel)
        X = self._validate_input(X)
        if one_pass:
            self._learn_from_chunk(X)
        # A new stream for each call (from the seed and the epochs so far), as for each
        # epoch of one fit: the same shuffles and noise every call would freeze the noise
        # each row gets.
        rng = fit_rng(self.random_state)
        rng = np.random.RandomState([rng.randint(MAX_SEED), self.n_iter_])
        # Set as an attribute, which is what skorch's own set_params does, except that
        # set_params refuses iterator parameters of an initialised net
        # (tests/test_skorch_contract.py).
        self.net_.iterator_train__seed = rng.randint(MAX_SEED)
        with self._seeded_training(X, rng, group):
            self._train_net(X, rng, one_pass, continuing=True)
        return self

    def _incremental_callbacks(self):
        """The callbacks of a net trained one pass at a time: one moving average of the
        weights over every ``partial_fit`` call, which the model predicts with, as
        ``fit``'s validation does."""
        return [("weight_average", WeightAverage(WEIGHT_AVERAGE_DECAY, across_calls=True))]

    def _learn_from_chunk(self, X):
        """``partial_fit`` after the first chunk: the codec learns from the validated rows
        ``X`` (column ranges; a dense model's standard scaling, with the network rescaled
        so that its function in the user's units stays as it was, except the spread of a
        column that was constant until now)."""
        old = self.codec_.affine_scaling()
        old = None if old is None else [np.array(values) for values in old]
        constant = self.codec_.low_ == self.codec_.high_  # numeric columns of one value so far
        self.codec_.update(X, scaling=self.input_shape is None)
        new = self.codec_.affine_scaling()
        if old is not None:
            # A column that held one value so far has no spread the network learnt: its
            # scale was a placeholder (StandardScaler's 1 for no variance), and keeping the
            # function through it would multiply its output weights, and a VAE's decoder
            # scale, by 1 / its new scale, which slow steps take thousands to undo. Only
            # its mean carries over.
            old[1][constant] = new[1][constant]
        if old is not None and not all(map(np.array_equal, old, new)):
            module = self.net_.module_
            module.rescale_numeric(old, new)  # the averaged weights
            averaging = dict(self.net_.callbacks_).get("weight_average")
            if averaging is not None and averaging.keeps_raw_weights:
                with averaging.holding_raw_weights(module):
                    module.rescale_numeric(old, new)
