"""DiffusionSampler: a flow-matching generator of tables as a scikit-learn sampler."""

import itertools
import math
import numbers

import numpy as np
import torch
from skorch.callbacks import LRScheduler

from ._base.neural import BaseNeuralEstimator
from ._nn.flow import FlowModule
from ._nn.losses import FlowMatchingLoss
from ._tabular.conditions import Conditions
from ._training.callbacks import WarmupLinearDecay, WeightAverage
from ._training.nets import FlowMatchingNet
from ._utils.docstrings import fill_doc
from ._utils.random import MAX_SEED
from ._utils.sklearn_compat import Interval, StrOptions

#: ``max_epochs="auto"`` trains for at least this many steps, whatever the number of rows.
AUTO_STEPS = 2000
#: ... and for at least this many epochs, so that large tables are seen several times,
AUTO_MIN_EPOCHS = 2
#: ... but for at most this many: more passes over a small table make the samples copy its
#: rows (docs/design/diffusion_sampler.md).
AUTO_MAX_EPOCHS = 300
#: ``batch_size="auto"``: rows per step (all of them when there are fewer).
AUTO_BATCH_SIZE = 512
#: Steps of the learning rate's linear warm-up.
WARMUP_STEPS = 100
#: Per-step decay of the moving average of the weights that samples.
WEIGHT_AVERAGE_DECAY = 0.999
#: How many times a conditional ``sample`` takes each step of the flow (``FlowModule.inpaint``).
CONDITIONAL_RESAMPLES = 10
#: Default widths of the velocity field's hidden layers.
HIDDEN_LAYER_SIZES = (512, 512, 512)


@fill_doc
class DiffusionSampler(BaseNeuralEstimator):
    """Flow-matching generator: learns a table's distribution and samples new rows.

    A network learns a velocity field that carries standard normal noise to the rows of
    the table along straight paths (flow matching, or rectified flow; Lipman et al. and
    Liu et al., 2023), the continuous-time relative of the diffusion models behind
    TabDDPM and TabDiff. ``sample`` draws noise and integrates the field from it.

    The rows the network sees come from the table codec: numeric columns through their
    quantiles onto a standard normal, with tied values (integers, rounded numbers,
    spikes such as a zero-inflated column's 0) spread uniformly over their share of the
    scale afresh in every epoch, and mapped back onto the training values on output;
    categorical columns one-hot. Samples keep the training columns' dtypes, ranges and
    precision.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(512, 512, 512)
        Widths of the velocity field's hidden layers: a residual block per layer after
        the first, where the width stays the same.

    activation : {{"relu", "leaky_relu", "elu", "gelu", "silu", "tanh"}}, default="silu"
        Non-linearity of the velocity field.

    n_steps : int, default=10
        Steps of Heun's method from noise to a row when sampling (two evaluations of the
        network each), on a time grid that is finer near the data. More steps follow the
        learnt flow more closely, at that cost. Read
        when sampling: changing it with ``set_params`` needs no refit.

    max_epochs : int or "auto", default="auto"
        Passes over the training data. ``"auto"`` runs enough epochs for 2,000 steps, at
        least 2 and at most 300 (more passes over a small table make the samples copy
        its rows).

    batch_size : int or "auto", default="auto"
        Rows per step. ``"auto"`` uses 512, or every row when there are fewer.

    lr : float, default=4e-3
        Peak learning rate of AdamW, reached after a warm-up of 100 steps and decayed
        linearly to 0 at the last step.

    weight_decay : float, default=0.0
        Decoupled weight decay (AdamW).

    scaler : {{"auto", "standard", "quantile"}} or None, default="auto"
        How numeric columns are normalised inside the model. ``"auto"`` is ``"quantile"``
        for tables (the dequantised quantile map above) and ``None`` for images
        (``input_shape``). Outputs are always in the original units.

    {runtime_params}

    input_shape : tuple of int or None, default=None
        ``None`` for tables. ``(C, H, W)`` for rows that are flattened images: they are
        left unscaled and modelled pixel by pixel (the velocity field stays an MLP).

    Attributes
    ----------
    {fitted_attributes}

    history_ : list of dict
        One dict per epoch: ``epoch``, ``train_loss`` (the flow-matching loss) and
        ``dur`` (seconds).

    net_ : skorch.NeuralNet
        The fitted skorch net: ``net_.module_`` is the velocity field, its weights the
        moving average of the trained ones over the last steps.

    See Also
    --------
    GANSampler : A faster, weaker sampler of tables.
    skae.metrics.c2st_score : How distinguishable the samples are from real rows.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from skae import DiffusionSampler
    >>> X = load_wine(as_frame=True).frame
    >>> sampler = DiffusionSampler(max_epochs=5, random_state=0).fit(X)
    >>> sampler.sample(3, random_state=0).shape
    (3, 14)
    """

    _parameter_constraints = {
        **{k: v for k, v in BaseNeuralEstimator._parameter_constraints.items() if k != "dropout"},
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }
    _net_class = FlowMatchingNet
    _table_scaler = "quantile"

    def __init__(
        self,
        *,
        hidden_layer_sizes=HIDDEN_LAYER_SIZES,
        activation="silu",
        n_steps=10,
        max_epochs="auto",
        batch_size="auto",
        lr=4e-3,
        weight_decay=0.0,
        scaler="auto",
        device="auto",
        random_state=None,
        verbose=0,
        input_shape=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.n_steps = n_steps
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.scaler = scaler
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.input_shape = input_shape

    def _build_module(self, n_features):
        return FlowModule(
            n_features,
            self.hidden_layer_sizes,
            self.activation,
            category_slices=self.codec_.category_slices_,
            n_steps=self.n_steps,
        )

    def _batch_size(self, n_train):
        return min(AUTO_BATCH_SIZE, n_train) if self.batch_size == "auto" else self.batch_size

    def _n_epochs(self, n_train, batch_size):
        if self.max_epochs != "auto":
            return self.max_epochs
        steps_per_epoch = math.ceil(n_train / batch_size)
        epochs = min(AUTO_MAX_EPOCHS, math.ceil(AUTO_STEPS / steps_per_epoch))
        return max(AUTO_MIN_EPOCHS, epochs)

    def _net_params(self, n_train, params):
        return {
            "criterion": FlowMatchingLoss,
            "max_epochs": self._n_epochs(n_train, params["batch_size"]),
        }

    def _training_setup(self, n_samples, rng, one_pass):
        batch_size = self._batch_size(n_samples)
        n_updates = self._n_epochs(n_samples, batch_size) * math.ceil(n_samples / batch_size)
        return None, [
            (
                "lr_schedule",
                LRScheduler(
                    policy="LambdaLR",
                    lr_lambda=WarmupLinearDecay(n_updates, WARMUP_STEPS),
                    step_every="batch",
                ),
            ),
            ("weight_average", WeightAverage(WEIGHT_AVERAGE_DECAY)),
        ]

    def sample(self, n_samples=1, random_state=None, *, conditions=None):
        """Generate new rows in the units of the training data, optionally with some columns
        fixed.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.
        random_state : int, RandomState instance or None, default=None
            The same value gives the same rows. ``None`` uses NumPy's global random state,
            as ``KernelDensity.sample`` does.
        conditions : dict or None, default=None
            Columns to condition on, each mapped to what every row must hold there: a
            category of a categorical column, a number of a numeric one, or for a numeric
            column a ``(low, high)`` range (inclusive; ``None`` for an open end). Columns
            are named as ``fit`` saw them: by name for a DataFrame, by index for an
            array. The flow fills in the other columns by inpainting: it integrates them
            alongside the conditioned columns' values, so every row meets the conditions
            exactly, however rare they were in training, at about ten times the cost of
            an unconditional sample (each step is taken 10 times, RePaint's
            resampling). A ranged column's values are drawn from its training
            distribution within the range, which the other columns are then conditioned
            on.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features_in)
            A DataFrame with the training columns and dtypes when ``fit`` saw a DataFrame.
        """
        return super().sample(n_samples, random_state, conditions=conditions)

    def _sample_codes(self, n_samples, rng):
        return rng.standard_normal((n_samples, self.codec_.n_outputs))

    def _sample_with_conditions(self, n_samples, conditions, rng):
        parsed = Conditions(
            self.codec_, conditions, getattr(self, "feature_names_in_", None), owner=self
        )
        mask, known = parsed.targets(n_samples, rng)
        rows = self._inpaint(known, np.broadcast_to(mask, known.shape), rng)
        return self.codec_.to_output(parsed.enforce(rows))

    def _fill_in(self, X, missing, rng):
        """``X`` (rows as ``fit`` took them, each missing cell holding any valid value)
        with the cells ``missing`` (a boolean ``(n, n_features_in_)`` array) drawn from the
        flow given the row's other cells, in the user's form (for ``DiffusionImputer``)."""
        A = self._validate_input(X)
        codec = self.codec_
        observed = np.zeros((len(A), codec.n_outputs), dtype=bool)
        observed[:, : len(codec.numeric_)] = ~missing[:, codec.numeric_]
        for j, block in zip(codec.categorical_, codec.category_slices_, strict=True):
            observed[:, block] = ~missing[:, [j]]
        rows = self._inpaint(codec.encode(A, np.float64, rng), observed, rng)
        rows[~missing] = A[~missing]
        return codec.to_output(rows)

    def _inpaint(self, known, known_mask, rng):
        """Validated rows whose model-matrix cells ``known_mask`` (per row) are ``known``'s
        (model-matrix rows) and whose other cells the flow fills in
        (``FlowModule.inpaint``), drawn with ``rng``."""
        known = np.where(
            known_mask & self.net_.module_.categorical.cpu().numpy(), 2 * known - 1, known
        )
        noise = self._sample_codes(len(known), rng)
        width = noise.shape[1]
        seed = rng.randint(MAX_SEED)
        batches = itertools.count()

        def inpaint(module, rows):
            generator = torch.Generator(rows.device).manual_seed(seed + next(batches))
            mask = rows[:, 2 * width :] > 0.5
            return module.inpaint(
                rows[:, :width], rows[:, width : 2 * width], mask, CONDITIONAL_RESAMPLES, generator
            )

        self._prepare_flow()
        return self._predict_batches(
            np.hstack([noise, known, known_mask]),
            inpaint,
            self.n_features_in_,
            np.float32,
            encode=False,
            decode=True,
            rng=rng,
            output_dtype=self.codec_.dtype_,
        )

    def _prepare_flow(self):
        self._validate_params()  # n_steps may have been set since fit
        self.net_.module_.n_steps = self.n_steps

    def _decode(self, Z, dtype=None, rng=None):
        self._prepare_flow()
        # The flow is integrated in float32, the precision it was trained in: float64
        # would double the cost of every step for no better rows.
        return super()._decode(Z, dtype, rng, network_dtype=np.float32)
