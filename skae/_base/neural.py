"""The estimators' base classes.

:class:`BaseNeuralEstimator` owns the ``fit`` template (parameter and input validation,
seeding, device, codec, skorch net, training) and batched inference; a concrete estimator
implements its abstract hooks. :class:`BaseAutoencoder` adds the public methods of every
encoder/decoder model (``transform``, ``inverse_transform``, ``sample``, ``score_samples``
and the outlier API) and the interface through which ``AEGANFusion`` and ``skae.metrics``
use such a model, so an autoencoder-like estimator implements only its module, its loss and
its per-row score.
"""

import numbers
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OutlierMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

from .._nn.layers import ACTIVATIONS
from .._tabular.codec import TableCodec
from .._tabular.frames import arrow_schema, frame_library
from .._training.callbacks import (
    EarlyStoppingFromStart,
    WeightAverage,
    discard_message,
    epoch_history,
    training_callbacks,
)
from .._training.compute import (
    compute_threads,
    forward_multiply_adds,
    resolve_device,
    training_rows,
)
from .._training.data import EncodedRows, HoldOut, tensor_loop_params
from .._training.inference import compute_dtype, predict_in_batches
from .._training.parallel import current_group
from .._training.persistence import load_net_weights, loadable_device, net_weights
from .._training.seeding import seeded_torch
from .._training.stopping import interruptible
from .._utils.random import MAX_SEED, fit_rng, subsample
from .._utils.sklearn_compat import (
    Interval,
    InvalidParameterError,
    RealNotInt,
    StrOptions,
    _fit_context,
)
from .helper_models import fit_pca, start_rows
from .validation import check_rows

#: Training rows scored to set ``offset_``: a quantile needs no more, and large fits stay fast.
OFFSET_MAX_ROWS = 10_000
#: Per-step decay of the moving average of the weights (:class:`WeightAverage`; about the
#: last 100 steps) that autoencoders validate with and keep, and GANs sample with.
WEIGHT_AVERAGE_DECAY = 0.99
#: The API page of a public estimator, the target of the "?" in its HTML representation
#: (scikit-learn's ``_doc_link_*`` hooks fill in ``skae`` and the class name).
DOC_LINK_TEMPLATE = (
    "https://skae.readthedocs.io/en/latest/generated/{estimator_module}.{estimator_name}.html"
)


class BaseNeuralEstimator(BaseEstimator, metaclass=ABCMeta):
    """Validation, seeding, device, codec, training, batched inference and ``sample``.

    A subclass sets ``_net_class`` (the skorch net it trains, a ``skae._training.nets.BaseNet``) and
    implements the abstract hooks: ``_build_module`` (the untrained module, whose
    ``decode(z)`` maps latent rows to the model matrix), ``_net_params`` (the net's
    criterion and other parameters) and ``_sample_codes`` (the latent rows ``sample``
    decodes).

    Optional hooks, with defaults here: ``_learn_sizes``, ``_init_module``,
    ``_extra_callbacks``, ``_validation``, ``_batch_size``, ``_after_training``,
    ``_multiply_adds_per_step``, ``_unit_interval_setting``, and the class attributes
    ``_table_scaler``, ``_trains_data_parallel`` and ``_layer_size_params``.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "scaler": [StrOptions({"auto", "standard", "quantile"}), None],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "input_shape": [None, tuple],
    }

    #: The skorch net class the estimator trains.
    _net_class = None
    #: What ``scaler="auto"`` means for a table (images get no scaler).
    _table_scaler = "standard"
    #: Whether ``fit`` can train across processes in ``skae.parallel.data_parallel()``.
    _trains_data_parallel = False
    _doc_link_module = "skae"
    _doc_link_template = DOC_LINK_TEMPLATE

    # ---------------------------------------------------------------- fit template
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model on ``X``.

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
            return self._fit(X)

    def _fit(self, X, one_pass=False):
        """Fit on ``X``; or, for ``partial_fit`` (``one_pass``) or a ``warm_start`` fit of a
        fitted model, continue training its network on ``X``. ``one_pass`` trains one
        epoch, without a validation split."""
        continuing = hasattr(self, "net_") and (one_pass or getattr(self, "warm_start", False))
        group = current_group(owner=self)  # in skae.parallel.data_parallel(), or None
        if continuing:
            X = self._validate_input(X)
            if one_pass:
                self._learn_from_chunk(X)
        else:
            self._check_architecture_params()
            X = self._validate_fit_input(X, declared_categories=one_pass)
            self.device_ = resolve_device(self.device, type(self).__name__)
            if group is not None:
                self.device_ = group.local_device(self.device_)
        rng = fit_rng(self.random_state)
        if continuing:
            # A new stream for each continued call (from the seed and the epochs so far),
            # as for each epoch of one fit: the same shuffles and noise every call would
            # freeze the noise each row gets.
            rng = np.random.RandomState([rng.randint(MAX_SEED), self.n_iter_])
            # (an attribute: skorch's set_params refuses iterator parameters once initialized)
            self.net_.iterator_train__seed = rng.randint(MAX_SEED)
        if group is not None:
            group.shared_rng(rng)
        with seeded_torch(rng.randint(MAX_SEED), self.device_):
            if group is not None:
                group.check_same_rows(X, owner=self)
            if not continuing:
                start = self._model_matrix(start_rows(X))
                self._learn_sizes(start)
                # How the net is made, so that a loaded model's net is made the same way.
                self._net_made_for = (len(X), not one_pass)
                self.net_ = self._make_net(len(X), rng, validate=not one_pass).initialize()
                self._init_module(self.net_.module_, start)
                del start
            if one_pass:
                # Each row is taken once: each batch is encoded as it is taken, and the
                # model matrix of every row never exists.
                rows = EncodedRows(X, self._model_matrix)
            else:
                rows = training_rows(self._model_matrix(X), self.device_)
            epochs_before = len(self.net_.history)
            # skorch's partial_fit, unlike its fit, keeps the weights the net has.
            with compute_threads(self._multiply_adds_per_step()):
                self.net_.partial_fit(rows, epochs=1 if one_pass else None)
            self.net_.module_.eval()
            self._record_history(self.net_.history[epochs_before:], continuing)
            del rows  # what comes after training needs a subsample of the rows at most
            self._after_training(X, rng)
        return self

    def _record_history(self, new_epochs, continuing):
        """``history_`` and ``n_iter_`` with the epochs just trained, after those of earlier
        calls when ``continuing`` (kept by the estimator: a loaded model's net starts a
        new history)."""
        history = self.history_ if continuing else []
        new_rows = epoch_history(new_epochs)
        for number, row in enumerate(new_rows, start=len(history) + 1):
            row["epoch"] = number
        self.history_ = history + new_rows
        self.n_iter_ = len(self.history_)

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

    #: Parameters that hold layer widths (validated beyond their tuple type).
    _layer_size_params = ("hidden_layer_sizes",)

    def _check_architecture_params(self):
        for name in self._layer_size_params:
            sizes = getattr(self, name)
            if not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
                raise InvalidParameterError(
                    f"The '{name}' parameter of {type(self).__name__} must hold positive "
                    f"integers. Got {sizes!r} instead."
                )
        shape = self.input_shape
        if shape is not None and not (
            len(shape) == 3 and all(isinstance(d, numbers.Integral) and d >= 1 for d in shape)
        ):
            raise InvalidParameterError(
                f"The 'input_shape' parameter of {type(self).__name__} must be None or "
                f"(channels, height, width), three positive integers. Got {shape!r} instead."
            )

    def _unit_interval_setting(self):
        """``(setting, choice)``: the parameter setting that decides whether numeric
        outputs are values in [0, 1] through a sigmoid (``"name='value'"``, for messages)
        and what it says: ``True``, ``False`` or ``"auto"``."""
        return None, False

    def _scaler(self):
        """The ``scaler`` in effect: ``"auto"`` is none for images, whose pixels share one
        scale (scaling each pixel by its own spread blows up the rarely-inked border
        pixels), and for outputs in [0, 1]; the estimator's table default otherwise."""
        setting, choice = self._unit_interval_setting()
        if self.scaler == "auto":
            return self._table_scaler if self.input_shape is None and choice is not True else None
        if choice is True and self.scaler is not None:
            raise ValueError(
                f"{setting} models values in [0, 1] as they are, so it needs scaler=None "
                f"or 'auto'; got scaler={self.scaler!r}."
            )
        return self.scaler

    def _unit_interval(self, A):
        """Whether the numeric outputs are values in [0, 1] through a sigmoid, for the
        validated rows ``A``: as the parameter says, or with ``"auto"`` for unscaled images
        whose values all lie in [0, 1]."""
        setting, choice = self._unit_interval_setting()
        numeric = self.codec_.numeric_columns(A)
        low, high = (numeric.min(), numeric.max()) if numeric.size else (0.0, 0.0)
        in_range = low >= 0 and high <= 1
        if choice == "auto":
            return self.input_shape is not None and self.codec_.scaler is None and in_range
        if choice and not in_range:
            raise ValueError(
                f"{setting} models values in [0, 1], but X has values from {low:g} to "
                f"{high:g}; scale X into [0, 1] first (for example with "
                "sklearn.preprocessing.MinMaxScaler, or divide 8-bit pixels by 255)."
            )
        return choice

    def _check_input_shape(self):
        """Rows described as images must be all-numeric and hold C * H * W values."""
        if self.input_shape is None:
            return
        if self.codec_.categorical_:
            raise ValueError(
                f"input_shape={self.input_shape} describes images, whose pixels are numbers, "
                f"but X has categorical columns {self.codec_.categorical_names}."
            )
        n_values = int(np.prod(self.input_shape))
        if n_values != self.n_features_in_:
            raise ValueError(
                f"input_shape={self.input_shape} describes rows of C * H * W = {n_values} "
                f"values, but X has {self.n_features_in_} features."
            )

    def _validate_fit_input(self, X, declared_categories=False):
        """Fit the codec on ``X`` and return its validated rows (see ``TableCodec``);
        ``declared_categories``: a pandas categorical column models every category of its
        dtype, not only those ``X`` holds (``partial_fit``'s first chunk)."""
        library, schema = frame_library(X), arrow_schema(X)
        X = check_rows(self, X, reset=True, min_samples=2)
        self.codec_ = TableCodec(scaler=self._scaler()).learn_columns(
            X, library, schema, declared_categories
        )
        A = self.codec_.to_array(X)
        self.codec_.fit(A, unit_interval=self._unit_interval(A))
        self._check_input_shape()
        return A

    def _validate_input(self, X, owner=None):
        """Validate ``X`` at predict time against what ``fit`` saw; its validated rows.

        ``owner`` is the estimator that errors name and whose fitted features ``X`` must
        match: this one by default, the fusion when it is one of its parts.
        """
        owner = self if owner is None else owner
        check_is_fitted(self)
        if self.codec_.categorical_ and frame_library(X) is None:
            raise ValueError(
                f"{type(owner).__name__} was fitted on a DataFrame with categorical columns "
                f"{self.codec_.categorical_names}; pass a DataFrame with the same columns."
            )
        return self.codec_.to_array(check_rows(owner, X, reset=False))

    def _make_net(self, n_samples, rng, validate=True):
        """The skorch net for ``n_samples`` training rows; ``validate=False`` leaves out
        the validation split and early stopping."""
        split, stopping_callbacks = self._validation(n_samples, rng)
        if not validate:  # after drawing from rng, so both ways seed the rest alike
            split, stopping_callbacks = None, self._incremental_callbacks()
        n_train = n_samples - (split.n_valid(n_samples) if split else 0)
        params = {
            "module": self._build_module(self.codec_.n_outputs),
            "blocks": self.codec_.blocks,
            "optimizer": torch.optim.AdamW,
            "optimizer__weight_decay": self.weight_decay,
            # One fused kernel per step instead of a loop over parameters: the steps of
            # small networks are dominated by such fixed costs.
            "optimizer__fused": self.device_.startswith(("cpu", "cuda")),
            "lr": self.lr,
            "max_epochs": self.max_epochs,
            "batch_size": self._batch_size(n_train),
            "train_split": split,
            **tensor_loop_params(rng),
            "device": self.device_,
        }
        params.update(self._net_params(n_train, params))
        callbacks = training_callbacks(
            [*self._extra_callbacks(), *stopping_callbacks],
            self.verbose,
            params["max_epochs"],
            type(self).__name__,
        )
        return self._net_class(callbacks=callbacks, **params)

    def _validation(self, n_samples, rng):
        """The skorch ``train_split`` (or ``None``) and the callbacks that stop training
        early; by default every row trains and training runs ``max_epochs``."""
        return None, []

    def _incremental_callbacks(self):
        """The ``(name, callback)`` pairs a net trained by ``partial_fit`` gets in place of
        the validation's."""
        return []

    def _batch_size(self, n_train):
        if self.batch_size == "auto":
            return int(np.clip(n_train // 10, 32, 256))
        return self.batch_size

    @abstractmethod
    def _net_params(self, n_train, params):
        """Keyword arguments for the skorch net that add to or replace the common ones
        (``params``), the ``criterion`` (``skae._nn.losses``) among them; ``n_train`` is the
        number of training rows."""

    def _extra_callbacks(self):
        """Extra ``(name, callback)`` pairs for the skorch net."""
        return []

    @abstractmethod
    def _build_module(self, n_features):
        """The untrained ``torch.nn.Module`` for ``n_features`` model columns."""

    @abstractmethod
    def _sample_codes(self, n_samples, rng):
        """``n_samples`` latent rows for ``sample`` to decode, drawn with ``rng``."""

    def _learn_sizes(self, M):
        """Set the fitted sizes the network depends on from ``M``, the model matrix of the
        training rows or of a subsample of many (:func:`~skae._base.helper_models.start_rows`)
        (default: none)."""

    def _init_module(self, module, M):
        """Initialise ``module`` before training from ``M``, as :meth:`_learn_sizes` gets
        it (default: no-op)."""

    def _after_training(self, X, rng):
        """Fit what comes after the network (densities, offsets) on the validated training
        rows ``X``."""

    def _multiply_adds_per_step(self):
        """Multiply-adds of a training step (forward and backward, about three forward
        passes of a batch), which set the torch threads of ``fit``."""
        per_row = forward_multiply_adds(self.net_.module_, self.codec_.n_outputs)
        return 3 * per_row * self.net_.batch_size

    # ---------------------------------------------------------------- inference
    def _predict_batches(self, X, fn, width, dtype, encode=True, decode=False, rng=None):
        """Apply ``fn(module, batch)`` to the rows of ``X`` batch by batch, without autograd.

        ``encode`` passes each batch through the codec first; ``decode`` passes each output
        batch back to validated rows (categories drawn with ``rng``, when given, else the
        most probable). Only the output is ever held whole.
        """
        return predict_in_batches(
            self.net_.module_,
            X,
            fn,
            width,
            dtype,
            self.net_.device,
            prepare=self.codec_.encode if encode else None,
            finish=(lambda out: self.codec_.decode(out, rng)) if decode else None,
        )

    def sample(self, n_samples=1, random_state=None):
        """Generate new rows in the units of the training data.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.
        random_state : int, RandomState instance or None, default=None
            The same value gives the same rows. ``None`` uses NumPy's global random state,
            as ``KernelDensity.sample`` does.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features_in)
            A DataFrame with the training columns and dtypes when ``fit`` saw a DataFrame.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        rng = check_random_state(random_state)
        codes = self._sample_codes(int(n_samples), rng)
        return self._decode(codes, rng=rng)

    def _model_matrix(self, A):
        """Validated rows ``A`` as the network trains on them: the codec's float32 matrix."""
        return np.ascontiguousarray(self.codec_.encode(A, dtype=np.float32))

    def _decode(self, Z, dtype=None, rng=None):
        """Rows decoded from latent rows ``Z``, in the user's form and computed in ``dtype``
        (default: the training data's); categorical columns take their most probable
        category, or one drawn with ``rng``."""
        dtype = self.codec_.dtype_ if dtype is None else dtype
        X = self._predict_batches(
            Z,
            lambda m, z: m.decode(z),
            self.n_features_in_,
            dtype,
            encode=False,
            decode=True,
            rng=rng,
        )
        return self.codec_.to_output(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Non-numeric DataFrame columns (strings, categories, booleans) are categories.
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    # ---------------------------------------------------------------- persistence
    def __getstate__(self):
        """The state pickle, joblib and skops.io save: the net as its weights (see
        ``skae._training.persistence``)."""
        state = dict(super().__getstate__())  # a copy: the model keeps its own
        if "net_" in state:
            state["net_"] = net_weights(self.net_)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "net_" in state:
            self.device_ = loadable_device(self.device_)
            self.net_ = load_net_weights(self._untrained_net(), state["net_"])
            self.net_.module_.eval()

    def _untrained_net(self):
        """A skorch net of the fitted architecture on ``device_``, for loaded weights, made
        as ``fit`` or ``partial_fit`` made it (batch size, callbacks), so that training can
        continue; it leaves the caller's torch random state as it was."""
        n_samples, validate = self._net_made_for
        with torch.random.fork_rng(devices=[]):
            return self._make_net(n_samples, np.random.RandomState(0), validate).initialize()


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


class BaseAutoencoder(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, OutlierScoresMixin, BaseNeuralEstimator
):
    """Public methods of every encoder/decoder estimator, and the interface through which
    ``AEGANFusion`` and ``skae.metrics`` use one.

    A subclass names its ``_module_class`` (an ``AutoencoderModule``: ``encode``,
    ``decode``, ``decoder_parameters``, optional linear path) and implements
    ``_batch_scores`` (per-row scores of a batch, higher = more normal), ``_net_params``
    and ``_sample_codes``.

    The interface (on validated rows ``A``, from ``_validate_input(X, owner)``):
    ``_encode_rows(A)``, ``_row_scores(A)``, ``_row_errors(A)``, ``_column_errors(A)``,
    ``_decode(Z, dtype, rng)``, ``_model_matrix(A)``, ``_decoder_parameters()`` and
    ``_refresh(A, rng)``.
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

    def _validation(self, n_samples, rng):
        split = HoldOut(self.validation_fraction, rng.randint(MAX_SEED))
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

    def _incremental_callbacks(self):
        # One moving average of the weights over every partial_fit call, which the model
        # predicts with, as fit's validation does.
        return [("weight_average", WeightAverage(WEIGHT_AVERAGE_DECAY, across_calls=True))]

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
            return self._fit(X, one_pass=True)

    def _unit_interval_setting(self):
        choice = {"mse": False, "bce": True, "auto": "auto"}[self.reconstruction_loss]
        return f"reconstruction_loss={self.reconstruction_loss!r}", choice

    def _learn_sizes(self, M):
        n_components = self.n_components
        if not isinstance(n_components, numbers.Integral):
            n_components = fit_pca(M, n_components).n_components_
        self.n_components_ = int(n_components)

    def _build_module(self, n_features):
        return self._module_class(
            n_features,
            self.n_components_,
            hidden_layer_sizes=self.hidden_layer_sizes,
            activation=self.activation,
            dropout=self.dropout,
            linear_path=self.pca_init,
            input_shape=self.input_shape,
            **self._module_params(),
        )

    def _module_params(self):
        """Extra keyword arguments for ``_module_class``."""
        return {}

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
        return self.codec_.blocks.reconstruction_loss(module.decode(module.encode(x)), x)

    def _per_row(self, A, fn):
        """``fn(module, batch)``, one number per row, over ``A`` in batches, as float64."""
        values = self._predict_batches(A, lambda m, x: fn(m, x)[:, None], 1, compute_dtype(A))
        return values[:, 0].astype(np.float64)

    # ------------------------------------------------ the encoder/decoder interface
    # What AEGANFusion and skae.metrics use of an encoder/decoder model. Each method takes
    # rows that ``_validate_input`` returned (``A``), which ``AEGANFusion`` validates once
    # for its parts; the fusion implements the methods up to ``_decode`` itself.

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
        blocks = self.codec_.blocks
        losses = self._predict_batches(
            A,
            lambda m, x: blocks.column_losses(m.decode(m.encode(x)), x),
            blocks.n_user_columns,
            compute_dtype(A),
        )
        errors = np.empty(losses.shape, dtype=np.float64)
        errors[:, [*self.codec_.numeric_, *self.codec_.categorical_]] = losses
        return errors

    def _decoder_parameters(self):
        """The ``(name, parameter)`` pairs of the fitted network's decoder: what a caller
        may train further, in place, before calling :meth:`_refresh`."""
        return self.net_.module_.decoder_parameters()

    def _refresh(self, A, rng):
        """Refit what depends on the decoder (``offset_``, the score's densities) on the
        training rows ``A``, after the decoder's parameters changed."""
        self._after_training(A, rng)
