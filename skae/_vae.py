"""VAETransformer: a variational autoencoder as a scikit-learn transformer."""

import numbers

from skorch.callbacks import PassthroughScoring

from ._base.encoder_decoder import BaseAutoencoder
from ._base.helper_models import fit_pca
from ._nn.autoencoder import VAEModule
from ._nn.losses import NegativeELBO, kl_to_standard_normal
from ._training.callbacks import ActiveUnits, BatchKL
from ._training.nets import VariationalNet
from ._utils.docstrings import fill_doc
from ._utils.sklearn_compat import Interval


@fill_doc
class VAETransformer(BaseAutoencoder):
    """Variational autoencoder: embeds, reconstructs, samples and gives a likelihood score.

    The encoder outputs a Gaussian ``q(z|x)`` (mean and log-variance, the latter clamped to
    [-30, 20] so training cannot overflow), the decoder a Gaussian ``p(x|z)`` with a learned
    scale per feature (a calibrated decoder; a Bernoulli for pixels in [0, 1], see
    ``reconstruction_loss``), and the prior is ``N(0, I)``. Training
    maximises the ELBO with weight ``beta`` on the KL term (a beta-VAE), using the
    reparameterisation trick. By default the model starts at the probabilistic-PCA solution
    (linear paths initialised from PCA, beside MLPs whose last layers start at zero).

    ``transform`` returns the posterior mean, ``inverse_transform`` the decoder mean,
    ``sample`` decodes draws from the prior (decoder mean, no observation noise) and
    ``score_samples`` is the per-row ELBO, a lower bound on ``log p(x)`` in the units of the
    data.

    Parameters
    ----------
    n_components : int or float, default=8
        Size of the code (the output of ``transform``). A float in (0, 1) is the fraction
        of the (standardised) variance to keep: the code gets as many units as PCA needs
        for it, as ``PCA(n_components=0.9)``. The fitted size is ``n_components_``.

    beta : float, default=1.0
        Weight of the KL term. ``beta=0`` trains a plain (stochastic) autoencoder,
        ``beta > 1`` a more disentangled, blurrier one.

    kl_warmup : int, default=0
        Number of epochs over which the KL weight ramps up linearly from 0 to ``beta``, a
        remedy for posterior collapse. ``0`` uses ``beta`` from the start.

    {network_params}

    {reconstruction_loss_param}

    pca_init : bool, default=True
        Start from the probabilistic-PCA solution: linear paths set from PCA (codes
        whitened to match the prior) beside MLPs whose last layers start at zero. ``False``
        gives plain randomly initialised MLPs.

    {training_params}

    {runtime_params}

    {input_shape_param}

    Attributes
    ----------
    {fitted_attributes}

    {autoencoder_attributes}

    n_components_ : int
        Size of the code.

    Notes
    -----
    ``history_`` also holds, per epoch, ``train_kl`` (mean KL per row; ``valid_kl`` with
    early stopping) and ``active_units``: code units whose posterior mean varies across rows
    (variance above 0.01). A count that falls during training is posterior collapse.

    ``score_samples`` evaluates the reconstruction term at the posterior mean rather than
    at a random draw, so scores are deterministic. With ``scaler="standard"`` (what
    ``"auto"`` is for tables) or ``None`` it includes the Jacobian of the internal
    scaling, so it is a log-density in the units of ``X``; with ``"quantile"`` it is a
    log-density of the transformed numbers. Categorical columns contribute the
    log-probability of their category.

    See Also
    --------
    AutoencoderTransformer : The deterministic autoencoder.
    sklearn.decomposition.PCA : Whose probabilistic version is the linear VAE.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import VAETransformer
    >>> X, _ = load_digits(return_X_y=True)
    >>> vae = VAETransformer(n_components=4, max_epochs=5, random_state=0).fit(X)
    >>> vae.transform(X[:3]).shape
    (3, 4)
    >>> vae.sample(2, random_state=0).shape
    (2, 64)
    >>> vae.score_samples(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "kl_warmup": [Interval(numbers.Integral, 0, None, closed="left")],
    }
    _module_class = VAEModule
    _net_class = VariationalNet

    def __init__(
        self,
        n_components=8,
        *,
        beta=1.0,
        kl_warmup=0,
        hidden_layer_sizes=(128, 64),
        activation="relu",
        dropout=0.0,
        reconstruction_loss="auto",
        pca_init=True,
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        weight_decay=0.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        warm_start=False,
        scaler="auto",
        contamination=0.1,
        device="auto",
        random_state=None,
        verbose=0,
        input_shape=None,
    ):
        self.n_components = n_components
        self.beta = beta
        self.kl_warmup = kl_warmup
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.reconstruction_loss = reconstruction_loss
        self.pca_init = pca_init
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.scaler = scaler
        self.contamination = contamination
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.input_shape = input_shape

    def _net_params(self, n_train, params):
        return {
            "criterion": NegativeELBO,
            "criterion__blocks": params["blocks"],
            "beta": self.beta,
            "kl_warmup": self.kl_warmup,
        }

    def _build_module(self, n_features):
        return super()._build_module(n_features, n_gaussian=self.codec_.n_numeric)

    def _training_setup(self, n_samples, rng, one_pass):
        split, callbacks = super()._training_setup(n_samples, rng, one_pass)
        records = [
            ("kl", BatchKL()),
            ("train_kl", PassthroughScoring(name="train_kl", on_train=True)),
            ("valid_kl", PassthroughScoring(name="valid_kl")),
            ("active_units", ActiveUnits()),
        ]
        return split, [*records, *callbacks]

    def _init_module(self, module, M):
        if self.pca_init:
            pca = fit_pca(M, self.n_components_)
            module.init_from_probabilistic_pca(
                pca.components_, pca.mean_, pca.explained_variance_, pca.noise_variance_
            )
            self.net_.blocks.logits_from_means_(module.decoder_linear)

    def _batch_scores(self, module, x):
        z_mean, z_logvar = module.encode_distribution(x)
        log_likelihood = self.net_.blocks.log_likelihood(module.decode(z_mean), x, module.log_scale)
        elbo = log_likelihood - kl_to_standard_normal(z_mean, z_logvar)
        return elbo + self.codec_.log_abs_det_jacobian

    def _sample_codes(self, n_samples, rng):
        return rng.standard_normal((n_samples, self.n_components_))
