"""AutoencoderTransformer: a deterministic autoencoder as a scikit-learn transformer."""

import copy
import numbers

import numpy as np
import torch
from scipy.stats import chi2

from ._base.encoder_decoder import BaseAutoencoder
from ._base.helper_models import MIXTURE_MAX_ROWS, fit_code_mixture, fit_pca, helper_model_context
from ._nn.autoencoder import AutoencoderModule
from ._nn.densities import GaussianLogDensity, gaussian_whitening
from ._nn.losses import ReconstructionLoss
from ._training.nets import ReconstructionNet
from ._utils.docstrings import fill_doc
from ._utils.random import subsample
from ._utils.sklearn_compat import Interval

#: Floor of the variances in ``score_samples`` (a residual's, in standardised units, and
#: the code Gaussian's, added to its diagonal): a column the decoder reconstructs almost
#: exactly must not make every small deviation look impossible.
MIN_VARIANCE = 1e-3


@fill_doc
class AutoencoderTransformer(BaseAutoencoder):
    """Autoencoder: a non-linear ``PCA`` that also scores anomalies and samples.

    An encoder network maps each row to ``n_components`` numbers and a decoder maps them
    back; both are trained to reconstruct the (standardised) input. By default each network
    is a linear path initialised from PCA plus a non-linear MLP correction, so training starts
    from the PCA solution and improves on it. ``noise > 0`` trains a denoising autoencoder.

    ``score_samples`` is a log-density with the two terms of probabilistic PCA's
    (``PCA.score_samples``): the log-likelihood of the row given its reconstruction
    (independent normals per numeric column, with the residual variances
    ``noise_variance_``; categorical and Bernoulli outputs by their own likelihoods) plus
    the log-density of its code under a Gaussian (``code_mean_``, ``code_covariance_``).
    The first term flags rows off the directions the data varies along, the second rows
    far out along them. Both are fitted on the training rows minus the ``contamination``
    fraction that scores worst, so outliers in the training data do not widen them. The
    plain reconstruction error is :func:`skae.metrics.reconstruction_error`, and
    :func:`skae.metrics.reconstruction_error_by_column` says which columns make a row
    anomalous. ``sample`` decodes codes drawn from a Gaussian mixture fitted on the
    training codes.

    Parameters
    ----------
    n_components : int or float, default=8
        Size of the code (the output of ``transform``). A float in (0, 1) is the fraction
        of the (standardised) variance to keep: the code gets as many units as PCA needs
        for it, as ``PCA(n_components=0.9)``. The fitted size is ``n_components_``.

    {network_params}

    noise : float, default=0.0
        Standard deviation of the Gaussian noise added to the (standardised) inputs during
        training only. ``noise > 0`` makes a denoising autoencoder.

    {reconstruction_loss_param}

    pca_init : bool, default=True
        Give the encoder and the decoder a linear path initialised from PCA, beside the
        MLPs whose last layers start at zero: training starts from the PCA solution.
        ``False`` gives plain randomly initialised MLPs.

    {training_params}

    {runtime_params}

    {input_shape_param}

    Attributes
    ----------
    {fitted_attributes}

    {autoencoder_attributes}

    n_components_ : int
        Size of the code.

    code_density_ : sklearn.mixture.GaussianMixture
        Density of the training codes, used by ``sample``.

    code_mean_ : ndarray of shape (n_components,)
        Mean of the code Gaussian of ``score_samples``.

    code_covariance_ : ndarray of shape (n_components, n_components)
        Covariance of the code Gaussian of ``score_samples``.

    noise_variance_ : ndarray of shape (n_numeric_columns,)
        Variance of each numeric column's reconstruction residual (standardised units) in
        ``score_samples``.

    See Also
    --------
    sklearn.decomposition.PCA : The linear counterpart.
    sklearn.ensemble.IsolationForest : Another unsupervised outlier detector.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skae import AutoencoderTransformer
    >>> X, _ = load_digits(return_X_y=True)
    >>> ae = AutoencoderTransformer(n_components=2, max_epochs=5, random_state=0).fit(X)
    >>> ae.transform(X[:3]).shape
    (3, 2)
    >>> ae.inverse_transform(ae.transform(X[:3])).shape
    (3, 64)
    >>> ae.sample(4, random_state=0).shape
    (4, 64)
    >>> set(ae.predict(X)) == {{-1, 1}}
    True
    """

    _parameter_constraints = {
        **BaseAutoencoder._parameter_constraints,
        "noise": [Interval(numbers.Real, 0, None, closed="left")],
    }
    _module_class = AutoencoderModule
    _net_class = ReconstructionNet

    def __init__(
        self,
        n_components=8,
        *,
        hidden_layer_sizes=(128, 64),
        activation="relu",
        dropout=0.0,
        noise=0.0,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.noise = noise
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
            "criterion": ReconstructionLoss,
            "criterion__blocks": params["blocks"],
            "noise": self.noise,
        }

    def _init_module(self, module, M):
        if self.pca_init:
            pca = fit_pca(M, self.n_components)
            module.init_linear_path_from_pca(pca.components_, pca.mean_)
            self.net_.blocks.logits_from_means_(module.decoder_linear)

    def _after_training(self, X, rng):
        # The code mixture and the score's terms are fitted on the same subsample.
        M = self._model_matrix(subsample(X, MIXTURE_MAX_ROWS, rng))
        codes = self._predict_batches(
            M, lambda m, x: m.encode(x), self.n_components_, M.dtype, encode=False
        ).astype(np.float64)
        self.code_density_ = fit_code_mixture(codes, rng)
        n_numeric = self.codec_.n_numeric
        residuals = self._predict_batches(
            M, lambda m, x: (m(x) - x)[:, :n_numeric], n_numeric, M.dtype, encode=False
        ).astype(np.float64)
        self._fit_score_terms(codes, residuals, np.ones(len(M), dtype=bool))
        # Refit on the rows that score above the contamination quantile: the outliers
        # that training data contains must not widen what counts as typical.
        scores = self._predict_batches(
            M, lambda m, x: self._batch_scores(m, x)[:, None], 1, M.dtype, encode=False
        )[:, 0]
        self._fit_score_terms(codes, residuals, scores >= np.quantile(scores, self.contamination))
        super()._after_training(X, rng)

    def _fit_score_terms(self, codes, residuals, inliers):
        """The code Gaussian (``code_mean_``, ``code_covariance_``) and the residual
        variances (``noise_variance_``) of ``score_samples``, fitted on the rows
        ``inliers``, then scaled so that the median over all rows of each squared,
        standardised distance is its median under the fitted normal (the consistency
        correction of robust covariance estimators such as ``MinCovDet``)."""
        self.code_mean_ = codes[inliers].mean(axis=0)
        offsets = codes - self.code_mean_
        covariance = np.atleast_2d(np.cov(offsets[inliers], rowvar=False, bias=True))
        floor = MIN_VARIANCE * np.eye(len(covariance))
        distances = (offsets @ np.linalg.inv(covariance + floor) * offsets).sum(axis=1)
        correction = np.median(distances) / chi2.median(len(covariance))
        self.code_covariance_ = covariance * correction + floor
        self._code_whitening, self._code_log_norm = gaussian_whitening(self.code_covariance_)
        variances = np.maximum((residuals[inliers] ** 2).mean(axis=0), MIN_VARIANCE)
        variances *= np.median(residuals**2 / variances, axis=0) / chi2.median(1)
        self.noise_variance_ = np.maximum(variances, MIN_VARIANCE)

    def _batch_scores(self, module, x):
        code = module.encode(x)
        log_scale = 0.5 * torch.log(torch.as_tensor(self.noise_variance_, device=x.device))
        reconstruction = self.net_.blocks.log_likelihood(
            module.decode(code), x, log_scale.to(x.dtype)
        )
        code_density = GaussianLogDensity(
            self.code_mean_, self._code_whitening, self._code_log_norm
        )
        code_term = code_density.to(x.device, x.dtype)(code)
        return reconstruction + code_term + self.codec_.log_abs_det_jacobian

    def _sample_codes(self, n_samples, rng):
        density = copy.copy(self.code_density_)
        density.random_state = rng
        with helper_model_context():
            codes, _ = density.sample(n_samples)
        rng.shuffle(codes)  # GaussianMixture.sample returns the rows grouped by component
        return codes
