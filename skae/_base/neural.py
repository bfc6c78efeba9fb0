"""The base of every neural estimator: the ``fit`` template, the skorch net it assembles,
batched inference and ``sample``.

:class:`BaseNeuralEstimator` starts a fit afresh (validation, seeding, device, codec, net,
training); incremental training (``partial_fit``, ``warm_start``) is the encoder/decoder
models' :class:`~skae._base.incremental.IncrementalTrainingMixin`, saving a fitted net is
:class:`~skae._base.persistence.SavedNetMixin`, and the encoder/decoder API is
:class:`~skae._base.encoder_decoder.BaseAutoencoder`.
"""

import numbers
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from functools import partial

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._nn.affine import Standardize
from .._nn.layers import ACTIVATIONS
from .._nn.output_blocks import OutputBlocks
from .._tabular.codec import TableCodec
from .._tabular.frames import arrow_schema, frame_library
from .._training.callbacks import epoch_history, training_callbacks
from .._training.compute import resolve_device, training_rows
from .._training.data import EncodedRows, tensor_loop_params
from .._training.inference import predict_in_batches
from .._training.seeding import seeded_torch
from .._training.stopping import interruptible
from .._utils.docstrings import DOC_LINK_TEMPLATE
from .._utils.random import MAX_SEED, fit_rng
from .._utils.sklearn_compat import Interval, StrOptions, _fit_context
from .helper_models import start_rows
from .persistence import SavedNetMixin
from .validation import (
    check_input_shape,
    check_layer_sizes,
    check_rows,
    conditions_unsupported,
    process_group_for,
    scaler_in_effect,
    unit_interval_in_effect,
)

#: ``batch_size="auto"``: a tenth of the training rows, within these bounds.
AUTO_BATCH_SIZE_RANGE = (32, 256)


class BaseNeuralEstimator(SavedNetMixin, BaseEstimator, metaclass=ABCMeta):
    """Validation, seeding, device, codec, training, batched inference and ``sample``.

    A subclass sets ``_net_class`` (the skorch net it trains, a
    ``skae._training.nets.BaseNet``) and implements the abstract hooks: ``_build_module``
    (the untrained module, whose ``decode(z)`` maps latent rows to the model matrix),
    ``_net_params`` (the net's criterion and other parameters) and ``_sample_codes`` (the
    latent rows ``sample`` decodes).

    Hooks with defaults here, each overridden by more than one estimator:
    ``_training_setup`` (the validation split and the callbacks), ``_batch_size``,
    ``_learn_sizes`` and ``_init_module`` (sizes and start learnt from the data),
    ``_after_training`` and ``_unit_interval_setting``; and the class attributes
    ``_table_scaler`` and ``_trains_data_parallel``.
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
        """Start afresh on ``X``: learn its columns and scaling, make the network and train
        it. ``one_pass`` trains one epoch without a validation split, each batch encoded
        as it is taken (``partial_fit``'s first chunk)."""
        group = process_group_for(self, self._trains_data_parallel)
        check_layer_sizes(self)
        X = self._validate_fit_input(X, declared_categories=one_pass)
        self.device_ = resolve_device(self.device, type(self).__name__)
        if group is not None:
            self.device_ = group.local_device(self.device_)
        rng = fit_rng(self.random_state)
        with self._seeded_training(X, rng, group):
            start = self._model_matrix(start_rows(X))
            self._learn_sizes(start)
            # How the net is made, so that a loaded model's net is made the same way.
            self._net_made_for = (len(X), not one_pass)
            self.net_ = self._make_net(len(X), rng, one_pass).initialize()
            self._init_module(self.net_.module_, start)
            del start
            self._train_net(X, rng, one_pass, continuing=False)
        return self

    @contextmanager
    def _seeded_training(self, X, rng, group):
        """The block that makes and trains the network: torch seeded from ``rng`` (the
        caller's random state restored afterwards); in a data-parallel fit, ``rng`` made
        process 0's and the rows ``X`` checked to be the same in every process."""
        if group is not None:
            group.shared_rng(rng)
        with seeded_torch(rng.randint(MAX_SEED), self.device_):
            if group is not None:
                group.check_same_rows(X, owner=self)
            yield

    def _train_net(self, X, rng, one_pass, continuing):
        """Train ``net_`` on the validated rows ``X`` (one epoch with ``one_pass``, else up
        to ``max_epochs``), record the epochs in ``history_`` (after the earlier calls'
        when ``continuing``), then fit what comes after the network."""
        if self.codec_.dequantises:
            # Each batch is encoded as it is taken, its tied values spread afresh.
            noise = np.random.RandomState(rng.randint(MAX_SEED))
            rows = EncodedRows(X, partial(self._model_matrix, random_state=noise))
        elif one_pass:
            # Each row is taken once: each batch is encoded as it is taken, and the
            # model matrix of every row never exists.
            rows = EncodedRows(X, self._model_matrix)
        else:
            rows = training_rows(self._model_matrix(X), self.device_)
        epochs_before = len(self.net_.history)
        # skorch's partial_fit, unlike its fit, keeps the weights the net has.
        self.net_.partial_fit(rows, epochs=1 if one_pass else None)
        self.net_.module_.eval()
        self._record_history(self.net_.history[epochs_before:], continuing)
        del rows  # what comes after training needs a subsample of the rows at most
        self._after_training(X, rng)

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

    # ---------------------------------------------------------------- input
    def _unit_interval_setting(self):
        """``(setting, choice)``: the parameter setting that decides whether numeric
        outputs are values in [0, 1] through a sigmoid (``"name='value'"``, for messages)
        and what it says: ``True``, ``False`` or ``"auto"``."""
        return None, False

    def _validate_fit_input(self, X, declared_categories=False):
        """Fit the codec on ``X`` and return its validated rows (see ``TableCodec``);
        ``declared_categories``: a pandas categorical column models every category of its
        dtype, not only those ``X`` holds (``partial_fit``'s first chunk)."""
        library, schema = frame_library(X), arrow_schema(X)
        X = check_rows(self, X, reset=True, min_samples=2)
        setting, choice = self._unit_interval_setting()
        scaler = scaler_in_effect(
            self.scaler, self._table_scaler, self.input_shape, setting, choice
        )
        self.codec_ = TableCodec(scaler=scaler).learn_columns(
            X, library, schema, declared_categories
        )
        A = self.codec_.to_array(X)
        unit_interval = unit_interval_in_effect(
            setting, choice, self.codec_, A, images=self.input_shape is not None
        )
        self.codec_.fit(A, unit_interval=unit_interval)
        check_input_shape(self.input_shape, self.codec_, self.n_features_in_)
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

    # ---------------------------------------------------------------- the net
    def _make_net(self, n_samples, rng, one_pass=False):
        """The skorch net for ``n_samples`` training rows; ``one_pass`` (``partial_fit``)
        leaves out the validation split."""
        split, callbacks = self._training_setup(n_samples, rng, one_pass)
        n_train = n_samples - (split.n_valid(n_samples) if split else 0)
        params = {
            "module": self._build_module(self.codec_.n_outputs),
            "blocks": OutputBlocks(*self.codec_.layout()),
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
            callbacks, self.verbose, params["max_epochs"], type(self).__name__
        )
        return self._net_class(callbacks=callbacks, **params)

    def _training_setup(self, n_samples, rng, one_pass):
        """The skorch ``train_split`` (or ``None``) and the ``(name, callback)`` pairs of a
        net for ``n_samples`` rows (``one_pass``: for ``partial_fit``); by default every
        row trains, for ``max_epochs``, with no callback beyond the common ones."""
        return None, []

    def _batch_size(self, n_train):
        if self.batch_size == "auto":
            return int(np.clip(n_train // 10, *AUTO_BATCH_SIZE_RANGE))
        return self.batch_size

    @abstractmethod
    def _net_params(self, n_train, params):
        """Keyword arguments for the skorch net that add to or replace the common ones
        (``params``), the ``criterion`` (``skae._nn.losses``) among them; ``n_train`` is
        the number of training rows."""

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

    # ---------------------------------------------------------------- inference
    def _predict_batches(
        self, X, fn, width, dtype, encode=True, decode=False, rng=None, output_dtype=None
    ):
        """Apply ``fn(module, batch)`` to the rows of ``X`` batch by batch, without autograd,
        computed in ``dtype`` (the output in ``output_dtype``, default the same).

        ``encode`` passes each batch through the codec first; ``decode`` passes each output
        batch back to validated rows: a sample's (categories drawn with ``rng``, numbers
        kept to the training columns' range and precision) when ``rng`` is given, else a
        reconstruction's. Only the output is ever held whole.
        """
        finish = None
        if decode:
            codec = self.codec_
            finish = codec.decode if rng is None else lambda M: codec.decode_sample(M, rng)
        return predict_in_batches(
            self.net_.module_,
            X,
            fn,
            width,
            dtype,
            self.net_.device,
            prepare=self.codec_.encode if encode else None,
            finish=finish,
            output_dtype=output_dtype,
        )

    def sample(self, n_samples=1, random_state=None, *, conditions=None):
        """Generate new rows in the units of the training data.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.
        random_state : int, RandomState instance or None, default=None
            The same value gives the same rows. ``None`` uses NumPy's global random state,
            as ``KernelDensity.sample`` does.
        conditions : None, default=None
            Only ``DiffusionSampler`` samples rows with some columns fixed; any other value
            raises a ``ValueError`` that says so.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features_in)
            A DataFrame with the training columns and dtypes when ``fit`` saw a DataFrame.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        rng = check_random_state(random_state)
        if conditions is not None:
            return self._sample_with_conditions(int(n_samples), conditions, rng)
        codes = self._sample_codes(int(n_samples), rng)
        return self._decode(codes, rng=rng)

    def _sample_with_conditions(self, n_samples, conditions, rng):
        """``sample(n_samples, conditions=conditions)`` with ``rng`` (default: a clear error
        naming the sampler that can)."""
        raise conditions_unsupported(self)

    def _model_matrix(self, A, dtype=np.float32, random_state=None):
        """Validated rows ``A`` as the network sees them: the codec's matrix, C-ordered, of
        ``dtype`` (``None``: ``A``'s; the numbers are scaled in ``A``'s dtype either way);
        with ``random_state``, dequantised as training rows are (``TableCodec.encode``)."""
        return np.ascontiguousarray(self.codec_.encode(A, dtype, random_state))

    def _decode(self, Z, dtype=None, rng=None, network_dtype=None):
        """Rows decoded from latent rows ``Z``, in the user's form and computed in ``dtype``
        (default: the training data's; the network in ``network_dtype``, default the
        same): a reconstruction, or with ``rng`` a sample (see :meth:`_predict_batches`)."""
        dtype = self.codec_.dtype_ if dtype is None else dtype
        X = self._predict_batches(
            Z,
            lambda m, z: m.decode(z),
            self.n_features_in_,
            dtype if network_dtype is None else network_dtype,
            encode=False,
            decode=True,
            rng=rng,
            output_dtype=dtype,
        )
        return self.codec_.to_output(X)

    def _scaling_module(self, owner):
        """The codec's map from raw rows to the model matrix as a torch module (for
        ``skae.onnx``); a clear error, naming the user's model ``owner``, when it is not
        a map one float matrix goes through."""
        codec, name = self.codec_, type(owner).__name__
        if codec.categorical_:
            raise ValueError(
                f"{name} was fitted with categorical columns {codec.categorical_names}, "
                "which cannot be exported: the ONNX graph takes one float matrix, and "
                "categories are encoded in Python. Encode them as numbers first (for "
                "example with sklearn.preprocessing.OneHotEncoder) and fit on the numbers."
            )
        scaling = codec.affine_scaling()
        if scaling is None:
            raise ValueError(
                f"{name} was fitted with the quantile scaler (scaler={self.scaler!r}), which "
                "cannot be exported: it maps each column through its empirical CDF, not an "
                "affine map the ONNX graph computes. Fit with scaler='standard' to export."
            )
        return nn.Identity() if codec.scaler_ is None else Standardize(*scaling)

    def _kept_epoch(self):
        """The epoch whose weights early stopping kept (0: the untrained start), or None
        (no early stopping, or a net made again for a loaded model)."""
        for _, callback in self.net_.callbacks_:
            best = getattr(callback, "best_epoch_", None)
            if best is not None:
                return int(best)
        return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Non-numeric DataFrame columns (strings, categories, booleans) are categories.
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
