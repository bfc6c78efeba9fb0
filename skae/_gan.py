"""GANSampler: a generative adversarial network as a scikit-learn sampler."""

import copy
import math
import numbers

import numpy as np

from ._base.helper_models import MIXTURE_MAX_ROWS, fit_code_mixture, fit_pca
from ._base.neural import BaseNeuralEstimator
from ._nn.adversarial import CriticModule, GeneratorModule
from ._nn.affine import Rescaled
from ._nn.losses import AdversarialLoss
from ._training.callbacks import (
    WEIGHT_AVERAGE_DECAY,
    EpochMeans,
    GeneratorMonitor,
    WeightAverage,
)
from ._training.nets import ADVERSARIAL_BETAS, GP_WEIGHT, AdversarialNet
from ._utils.docstrings import fill_doc
from ._utils.random import subsample
from ._utils.sklearn_compat import Interval, StrOptions

#: ``max_epochs="auto"`` trains for at least this many critic steps (half as many
#: generator steps at the default ``n_critic=2``), whatever the number of rows: with
#: ``AUTO_BATCH_SIZE`` rows per step, ``lr=3e-3`` and the generator's weights averaged,
#: longer schedules gave no better samples (design notes, *GANSampler: the schedule*).
AUTO_CRITIC_STEPS = 200
#: ... and for at least this many epochs, so large tables are seen several times.
AUTO_MIN_EPOCHS = 10
#: ``batch_size="auto"``: rows per step (all of them when there are fewer).
AUTO_BATCH_SIZE = 128
#: Default hidden widths of the generator and of the critic.
HIDDEN_LAYER_SIZES = (128, 128)


@fill_doc
class GANSampler(BaseNeuralEstimator):
    """Generative adversarial network: learns a table's distribution and samples new rows.

    A generator maps Gaussian noise to rows; a critic learns to tell generated rows from
    real ones, and the generator learns to fool it. The default objective is WGAN-GP (the
    Wasserstein loss with a gradient penalty, the stable choice used by CTGAN):
    ``n_critic`` critic steps per generator step. ``objective="gan"`` trains the classic
    non-saturating GAN instead.

    A GAN's losses say little about the quality of its samples, so it trains for a fixed
    number of epochs (no early stopping); judge the samples with
    :func:`skae.metrics.c2st_score` and :func:`skae.metrics.column_fidelity_score`. Mode
    collapse shows in ``history_`` as a ``diversity`` falling towards 0.

    Parameters
    ----------
    latent_dim : int, default=32
        Size of the generator's Gaussian input.

    hidden_layer_sizes : tuple of int, default=(128, 128)
        Widths of the generator's hidden layers.

    critic_hidden_layer_sizes : tuple of int, default=(128, 128)
        Widths of the critic's hidden layers.

    activation : {{"relu", "leaky_relu", "elu", "gelu", "silu", "tanh"}}, default="relu"
        Non-linearity of the generator (the critic uses leaky ReLUs).

    dropout : float in [0, 1), default=0.0
        Dropout probability after every hidden layer of the critic.

    objective : {{"wgan-gp", "gan"}}, default="wgan-gp"
        ``"wgan-gp"``: Wasserstein loss with gradient penalty. ``"gan"``: the
        non-saturating GAN loss (binary cross-entropy); it usually wants ``n_critic=1``.

    n_critic : int, default=2
        Critic steps (each on a new batch of real rows) per generator step.

    gp_weight : float, default=1.0
        Weight of the gradient penalty (``objective="wgan-gp"`` only). The WGAN-GP paper
        uses 10; on standardised small tables 1 gave samples much harder to tell from
        real rows (see the user guide).

    output_activation : {{"auto", "linear", "sigmoid"}}, default="auto"
        ``"sigmoid"`` keeps generated numbers in [0, 1], for data such as pixel
        intensities: the generator outputs logits and a sigmoid turns them into values.
        It needs ``X`` in [0, 1] and ``scaler=None`` or ``"auto"``. ``"auto"`` is
        ``"sigmoid"`` for images (``input_shape``) whose pixels all lie in [0, 1] and are
        not scaled, ``"linear"`` otherwise: generated pixels then stay in the range real
        ones have, and the samples come much closer to held-out images (user guide,
        *Images*).

    pca_init : bool, default=True
        Give the generator a linear path initialised from PCA beside an MLP whose last
        layer starts at zero: before training it samples a Gaussian with the data's mean
        and covariance, and training learns the rest. ``False`` gives a plain MLP.

    mixture_init : bool, default=False
        Start the generator at a Gaussian mixture fitted on the training rows (full
        covariances, one component per 20 rows and at most 10: the rule of the mixture
        ``AutoencoderTransformer.sample`` draws codes from) instead: it turns the noise
        into a draw of the mixture and adds an MLP's correction, whose last layer starts at
        zero, so before training it samples the mixture and training learns what the mixture
        misses. Takes the place of ``pca_init``. Needs all-numeric rows and ``latent_dim``
        larger than their number of columns (it uses one more noise number to pick the
        component). ``AEGANFusion``'s default code GAN uses it (see the user guide).

    max_epochs : int or "auto", default="auto"
        Number of passes over the training data. ``"auto"`` runs enough epochs for 200
        critic steps, and at least 10: small tables get many passes, large ones few.
        The generator that samples is the moving average of the trained one's weights
        over its last steps (Polyak averaging).

    batch_size : int or "auto", default="auto"
        Rows per step. ``"auto"`` uses 128, or every row when there are fewer.

    lr : float, default=3e-3
        Learning rate of both Adam optimisers (betas ``(0.5, 0.9)``, as in WGAN-GP).

    weight_decay : float, default=0.0
        Decoupled weight decay of both networks (AdamW).

    scaler : {{"auto", "standard", "quantile"}} or None, default="auto"
        How numeric columns are normalised inside the model: ``"quantile"`` maps each
        column through its empirical CDF onto a standard normal (skewed, heavy-tailed and
        zero-inflated columns, such as rainfall, become easy to generate), ``"standard"``
        standardises them, ``None`` leaves them as they are. ``"auto"`` is ``"quantile"``
        for tables and ``None`` for images (``input_shape``). Outputs are always in the
        original units.

    {runtime_params}

    {input_shape_param}

    Attributes
    ----------
    {fitted_attributes}

    history_ : list of dict
        One dict per epoch: ``epoch``, ``train_loss`` (the critic's loss),
        ``generator_loss`` (mean over the epoch's generator steps; absent in an epoch with
        none), ``diversity`` (mean distance between generated rows over that between real
        rows; near 1 is healthy, near 0 is mode collapse) and ``dur`` (seconds).

    net_ : skorch.NeuralNet
        The fitted skorch net: ``net_.module_`` is the generator, ``net_.critic_`` the
        critic.

    See Also
    --------
    VAETransformer : Also samples, and also gives a likelihood.
    sklearn.mixture.GaussianMixture : A simple baseline for sampling tables.
    skae.metrics.c2st_score : How distinguishable the samples are from real rows.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from skae import GANSampler
    >>> X, _ = load_wine(return_X_y=True)
    >>> gan = GANSampler(max_epochs=5, random_state=0).fit(X)
    >>> gan.sample(3, random_state=0).shape
    (3, 13)
    """

    _parameter_constraints = {
        **BaseNeuralEstimator._parameter_constraints,
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "critic_hidden_layer_sizes": [tuple, list],
        "objective": [StrOptions({"wgan-gp", "gan"})],
        "n_critic": [Interval(numbers.Integral, 1, None, closed="left")],
        "gp_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "output_activation": [StrOptions({"auto", "linear", "sigmoid"})],
        "pca_init": ["boolean"],
        "mixture_init": ["boolean"],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }
    _net_class = AdversarialNet
    _table_scaler = "quantile"

    def __init__(
        self,
        latent_dim=32,
        *,
        hidden_layer_sizes=HIDDEN_LAYER_SIZES,
        critic_hidden_layer_sizes=HIDDEN_LAYER_SIZES,
        activation="relu",
        dropout=0.0,
        objective="wgan-gp",
        n_critic=2,
        gp_weight=GP_WEIGHT,
        output_activation="auto",
        pca_init=True,
        mixture_init=False,
        max_epochs="auto",
        batch_size="auto",
        lr=3e-3,
        weight_decay=0.0,
        scaler="auto",
        device="auto",
        random_state=None,
        verbose=0,
        input_shape=None,
    ):
        self.latent_dim = latent_dim
        self.hidden_layer_sizes = hidden_layer_sizes
        self.critic_hidden_layer_sizes = critic_hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.objective = objective
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.output_activation = output_activation
        self.pca_init = pca_init
        self.mixture_init = mixture_init
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.scaler = scaler
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.input_shape = input_shape

    def _unit_interval_setting(self):
        choice = {"linear": False, "sigmoid": True, "auto": "auto"}[self.output_activation]
        return f"output_activation={self.output_activation!r}", choice

    def _build_module(self, n_features):
        if self.mixture_init:
            self._check_mixture_init(n_features)
        return GeneratorModule(
            self.latent_dim,
            n_features,
            self.hidden_layer_sizes,
            self.activation,
            linear_path=self.pca_init,
            input_shape=self.input_shape,
            mixture_start=self.mixture_init,
        )

    def _check_mixture_init(self, n_features):
        if self.codec_.categorical_:
            raise ValueError(
                "mixture_init=True needs all-numeric rows, but X has categorical columns "
                f"{self.codec_.categorical_names}; use mixture_init=False."
            )
        if self.latent_dim <= n_features:
            raise ValueError(
                f"mixture_init=True needs latent_dim larger than the {n_features} columns "
                f"of X (a draw uses one noise number per column and one more to pick the "
                f"component); got latent_dim={self.latent_dim}."
            )

    def _init_module(self, module, M):
        if self.mixture_init:
            # Fitted by the rule of the autoencoder's code density, seeded: the start itself
            # is deterministic.
            rng = np.random.RandomState(0)
            mixture = fit_code_mixture(subsample(M, MIXTURE_MAX_ROWS, rng), rng)
            module.mixture.init_from_mixture(mixture.means_, mixture.covariances_, mixture.weights_)
        elif self.pca_init:
            pca = fit_pca(M, self.latent_dim)
            module.init_from_pca(pca.components_, pca.mean_, pca.explained_variance_)
            self.net_.blocks.logits_from_means_(module.linear)

    def _net_params(self, n_train, params):
        return {
            "criterion": AdversarialLoss,
            "criterion__objective": self.objective,
            "criterion__gp_weight": self.gp_weight,
            "critic": CriticModule,
            "critic__n_features": self.codec_.n_outputs,
            "critic__hidden_layer_sizes": self.critic_hidden_layer_sizes,
            "critic__dropout": self.dropout,
            "critic__input_shape": self.input_shape,
            "latent_dim": self.latent_dim,
            "n_critic": self.n_critic,
            "optimizer__betas": ADVERSARIAL_BETAS,
            "max_epochs": self._n_epochs(n_train, params["batch_size"]),
        }

    def _batch_size(self, n_train):
        return min(AUTO_BATCH_SIZE, n_train) if self.batch_size == "auto" else self.batch_size

    def _n_epochs(self, n_train, batch_size):
        if self.max_epochs != "auto":
            return self.max_epochs
        batches_per_epoch = math.ceil(n_train / batch_size)
        return max(AUTO_MIN_EPOCHS, math.ceil(AUTO_CRITIC_STEPS / batches_per_epoch))

    def _training_setup(self, n_samples, rng, one_pass):
        return None, [
            ("generator_loss", EpochMeans("generator_loss")),
            ("generator_monitor", GeneratorMonitor()),
            ("weight_average", WeightAverage(WEIGHT_AVERAGE_DECAY)),
        ]

    def _sample_codes(self, n_samples, rng):
        return rng.standard_normal((n_samples, self.latent_dim))

    # ------------------------------------------------ the CodeSampler contract
    def _generator_in_data_units(self):
        """The fitted generator (itself, not a copy) with its outputs mapped back from
        the scaler's units to the data's."""
        return Rescaled(self.net_.module_, *self.codec_.affine_scaling())

    def _critic_copy(self):
        """A copy of the fitted critic, which judges rows in the scaler's units
        (``_model_matrix``)."""
        return copy.deepcopy(self.net_.critic_)
