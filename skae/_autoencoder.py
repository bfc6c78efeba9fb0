"""AutoencoderTransformer: a deterministic autoencoder as a scikit-learn transformer."""

import copy
import numbers

from sklearn.utils._param_validation import Interval

from ._base import (
    MIXTURE_MAX_ROWS,
    BaseAutoencoder,
    fit_code_mixture,
    fit_pca,
    helper_model_context,
)
from ._docstrings import fill_doc
from ._modules import AutoencoderModule
from ._nets import ReconstructionNet


@fill_doc
class AutoencoderTransformer(BaseAutoencoder):
    """Autoencoder: a non-linear ``PCA`` that also scores anomalies and samples.

    An encoder network maps each row to ``n_components`` numbers and a decoder maps them
    back; both are trained to reconstruct the (standardised) input. By default each network
    is a linear path initialised from PCA plus a non-linear MLP correction, so training starts
    from the PCA solution and improves on it. ``noise > 0`` trains a denoising autoencoder.

    ``score_samples`` is minus the mean squared reconstruction error per row, in
    standardised units (the binary cross-entropy, with ``reconstruction_loss="bce"``);
    ``sample`` decodes codes drawn from a Gaussian mixture fitted on the training codes.

    Parameters
    ----------
    n_components : int, default=2
        Size of the code (the output of ``transform``).

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

    Attributes
    ----------
    {fitted_attributes}

    {autoencoder_attributes}

    code_density_ : sklearn.mixture.GaussianMixture
        Density of the training codes, used by ``sample``.

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
        n_components=2,
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
        self.scaler = scaler
        self.contamination = contamination
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.input_shape = input_shape

    def _net_params(self, n_train, params):
        return {"noise": self.noise}

    def _init_module(self, module, M):
        if self.pca_init:
            pca = fit_pca(M, self.n_components)
            module.init_linear_path_from_pca(pca.components_, pca.mean_)
            self.codec_.blocks.logits_from_means_(module.decoder_linear)

    def _after_training(self, X, M, rng):
        super()._after_training(X, M, rng)
        if len(M) > MIXTURE_MAX_ROWS:
            M = M[rng.choice(len(M), MIXTURE_MAX_ROWS, replace=False)]
        codes = self._predict_batches(
            M, lambda m, x: m.encode(x), self.n_components, M.dtype, encode=False
        )
        self.code_density_ = fit_code_mixture(codes, rng)

    def _row_scores(self, module, x):
        return -self._row_errors(module, x)

    def _sample_codes(self, n_samples, rng):
        density = copy.copy(self.code_density_)
        density.random_state = rng
        with helper_model_context():
            codes, _ = density.sample(n_samples)
        rng.shuffle(codes)  # GaussianMixture.sample returns the rows grouped by component
        return codes
