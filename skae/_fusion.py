"""AEGANFusion: an autoencoder and a GAN on its codes, fused into one estimator."""

import numbers

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    clone,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._autoencoder import AutoencoderTransformer
from ._base.encoder_decoder import OFFSET_MAX_ROWS, BaseAutoencoder
from ._base.outliers import OutlierScoresMixin
from ._base.validation import check_rows, conditions_unsupported, process_group_for
from ._gan import HIDDEN_LAYER_SIZES, GANSampler
from ._nn.affine import ZScoredSum
from ._nn.weights import load_module_weights, module_weights
from ._training.fusion import FineTuning, fine_tune_decoder, train_code_critic
from ._training.inference import compute_dtype, predict_in_batches
from ._training.stopping import interruptible
from ._utils.random import MAX_SEED, fit_rng, subsample
from ._utils.sklearn_compat import Interval, _fit_context

#: Fine-tuning is undone when it makes the training reconstruction error worse by more
#: than this fraction plus ``RECONSTRUCTION_SLACK`` (in standardised units, 1% of a
#: column's variance, so that a near-perfect reconstruction may move a little): the
#: samples would improve at the expense of ``inverse_transform``.
MAX_RECONSTRUCTION_INCREASE = 0.05
RECONSTRUCTION_SLACK = 0.01
#: Learning rate and weight decay of the code critic behind ``score_samples``: on a small
#: table it overfits the training codes without the weight decay.
CONTRAST_LR = 1e-3
CONTRAST_WEIGHT_DECAY = 1e-3
#: Learning rate of the data-space critic of fine-tuning; the decoder's and the code
#: generator's is the autoencoder's ``lr`` over ``DECODER_LR_DIVISOR``.
DATA_CRITIC_LR = 1e-3
DECODER_LR_DIVISOR = 10
#: Floor of the spread of a score term, so a constant term cannot divide by zero.
MIN_SCORE_SCALE = 1e-12


def default_autoencoder():
    """The autoencoder of ``AEGANFusion(autoencoder=None)``."""
    return AutoencoderTransformer(n_components=8)


def default_gan():
    """The code GAN of ``AEGANFusion(gan=None)``."""
    return GANSampler(scaler="standard", mixture_init=True)


class AEGANFusion(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, OutlierScoresMixin, BaseEstimator
):
    """An autoencoder and a GAN on its codes, fused into one estimator.

    A meta-estimator in the style of ``Pipeline``. ``fit``:

    1. fits a clone of ``autoencoder`` on ``X`` (``autoencoder_``);
    2. fits a clone of ``gan`` on the codes ``autoencoder_.transform(X)`` (``gan_``), as in
       latent-space GANs (l-GAN, Achlioptas et al., 2018);
    3. fine-tunes the two jointly (``fine_tune_steps > 0``), as in VAE-GAN (Larsen et al.,
       2016): a data-space critic learns to tell training rows from decoded generated
       codes, and the decoder and the GAN's generator learn together on
       ``reconstruction of x + adversarial_weight * adversarial + cycle_weight *
       reconstruction of the generated codes`` (the code of a decoded generated code
       should be that code). The encoder stays frozen, so ``transform`` and the codes the
       GAN learned do not change. If fine-tuning makes the training reconstruction error
       more than 5% (plus 0.01) worse it is undone (``fine_tuned_`` says which);
    4. trains a code critic, warm-started from the GAN's critic, to tell training codes
       from a broad reference (a Gaussian twice as wide as the standardised codes) by
       logistic regression: its logit estimates how much more likely a code is under the
       training codes than under the reference.

    ``sample`` decodes GAN-generated codes (the user guide compares them with the other
    models' samples).
    ``score_samples`` adds the code critic's judgement to the autoencoder's:
    ``z(autoencoder_.score_samples) + critic_weight * z(code critic logit)``, each term
    z-scored with its mean and spread over the training rows.

    Parameters
    ----------
    autoencoder : AutoencoderTransformer or VAETransformer, default=None
        The autoencoder (cloned). ``None`` means ``AutoencoderTransformer(n_components=8)``,
        also when nested parameters are set: ``set_params(autoencoder__n_components=4)``
        on ``autoencoder=None`` sets it on that default.

    gan : GANSampler, default=None
        The GAN fitted on the codes (cloned). ``None`` means
        ``GANSampler(scaler="standard", mixture_init=True)``: its generator starts as a
        Gaussian mixture fitted on the codes by the rule of the one
        ``AutoencoderTransformer.sample`` draws from, and learns a correction. Any
        ``GANSampler`` works as it is: its ``scaler="auto"`` means ``"standard"`` here
        (``gan_`` shows it), and ``"quantile"`` is refused: fine-tuning trains the
        generator through the scaler, and the quantile scaler would map every code beyond
        the training range to the same value, so the code critic could no longer tell far
        outliers from near ones.

    fine_tune_steps : int, default=300
        Steps of the decoder and the code generator in the joint fine-tuning, each after 5
        steps of the data-space critic (which first trains alone for as many steps);
        ``0`` switches fine-tuning off.

    adversarial_weight : float, default=0.1
        Weight of the data-space critic's term in the decoder's fine-tuning loss. Larger
        values trade reconstruction for samples.

    cycle_weight : float, default=1.0
        Weight of the reconstruction of generated codes in the fine-tuning loss.

    critic_steps : int, default=500
        Training steps (batches of up to 128 codes) of the code critic behind
        ``score_samples``.

    critic_weight : float, default=0.25
        Weight of the code critic's term in ``score_samples``; ``0`` scores by the
        autoencoder's (z-scored) ``score_samples`` alone.

    contamination : float in (0, 0.5], default=0.1
        Expected fraction of outliers in the training data; sets ``offset_``.

    random_state : int, RandomState instance or None, default=None
        Seeds fine-tuning and the code critic, and each part whose own ``random_state`` is
        ``None``: an int makes the whole fit reproducible, and is passed to such parts as
        it is, so the fusion's autoencoder starts as the one
        ``AutoencoderTransformer(n_components=8, random_state=that int)`` fits alone.

    verbose : int, default=0
        ``1`` shows progress bars for fine-tuning and the code critic (the parts have
        their own ``verbose``).

    Attributes
    ----------
    autoencoder_ : AutoencoderTransformer or VAETransformer
        The fitted autoencoder, with the fine-tuned decoder.

    gan_ : GANSampler
        The GAN fitted on the codes, with the fine-tuned generator.

    code_critic_ : torch.nn.Module
        The code critic behind ``score_samples`` (on the CPU), taking codes in the units
        of ``gan_``'s scaler.

    fine_tuned_ : bool
        Whether the fine-tuned decoder was kept.

    score_center_, score_scale_ : ndarray of shape (2,)
        Mean and standard deviation over the training rows of the two score terms (the
        autoencoder's ``score_samples``, the code critic's logit).

    score_weights_ : ndarray of shape (2,)
        The terms' weights in ``score_samples``: ``[1, critic_weight]``.

    offset_ : float
        Threshold of ``decision_function``, set from ``contamination``.

    n_features_in_ : int
        Number of features seen in ``fit``.

    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when ``X`` was a DataFrame with string column names.

    device_ : str
        The autoencoder's device, where fine-tuning ran.

    n_iter_ : int
        Fine-tuning epochs (passes over the training rows); 0 without fine-tuning.

    history_ : list of dict
        One dict per fine-tuning epoch: ``train_loss`` (the data-space critic's loss),
        ``decoder_loss`` (in epochs with decoder steps) and ``dur``.

    See Also
    --------
    AutoencoderTransformer : The default autoencoder; samples from a Gaussian mixture on
        its codes instead of a GAN.
    GANSampler : A GAN on the data itself.

    Examples
    --------
    >>> from sklearn.datasets import load_wine
    >>> from skae import AEGANFusion, AutoencoderTransformer, GANSampler
    >>> X, _ = load_wine(return_X_y=True)
    >>> fusion = AEGANFusion(
    ...     AutoencoderTransformer(n_components=4, max_epochs=5),
    ...     GANSampler(max_epochs=5, scaler="standard"),
    ...     fine_tune_steps=5,
    ...     critic_steps=20,
    ...     random_state=0,
    ... ).fit(X)
    >>> fusion.transform(X[:3]).shape
    (3, 4)
    >>> fusion.sample(2, random_state=0).shape
    (2, 13)
    >>> fusion.score_samples(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "autoencoder": [BaseAutoencoder, None],
        "gan": [GANSampler, None],
        "fine_tune_steps": [Interval(numbers.Integral, 0, None, closed="left")],
        "adversarial_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "cycle_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "critic_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "critic_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "contamination": [Interval(numbers.Real, 0, 0.5, closed="right")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }
    _default_parts = {"autoencoder": default_autoencoder, "gan": default_gan}

    def __init__(
        self,
        autoencoder=None,
        gan=None,
        *,
        fine_tune_steps=300,
        adversarial_weight=0.1,
        cycle_weight=1.0,
        critic_steps=500,
        critic_weight=0.25,
        contamination=0.1,
        random_state=None,
        verbose=0,
    ):
        self.autoencoder = autoencoder
        self.gan = gan
        self.fine_tune_steps = fine_tune_steps
        self.adversarial_weight = adversarial_weight
        self.cycle_weight = cycle_weight
        self.critic_steps = critic_steps
        self.critic_weight = critic_weight
        self.contamination = contamination
        self.random_state = random_state
        self.verbose = verbose

    def set_params(self, **params):
        """Set parameters, nested ones included (``autoencoder__n_components``); nested
        parameters of a part left at ``None`` are set on its default estimator."""
        for name, make_default in self._default_parts.items():
            nested = any(key.startswith(f"{name}__") for key in params)
            if nested and params.get(name, getattr(self, name)) is None:
                params = {**params, name: make_default()}
        return super().set_params(**params)

    # ---------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the autoencoder on ``X``, the GAN on its codes, then fine-tune.

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

    def _fit(self, X):
        process_group_for(self, trains_data_parallel=False)
        rng = fit_rng(self.random_state)
        check_rows(self, X, reset=True, min_samples=2)  # errors name the fusion
        self.autoencoder_ = self._new_part("autoencoder", rng)
        self.gan_ = self._new_part("gan", rng)
        if self.gan_.scaler == "quantile":
            raise ValueError(
                "AEGANFusion needs a code GAN with scaler='standard', 'auto' or None: "
                "fine-tuning trains its generator through the scaler, and the quantile "
                "scaler maps all codes beyond the training range to the same value."
            )
        autoencoder, gan = self.autoencoder_, self.gan_
        autoencoder.fit(X)
        self.device_ = autoencoder.device_
        A = autoencoder._validate_input(X, owner=self)
        codes = autoencoder._encode_rows(A)
        gan.fit(codes)

        self.fine_tuned_ = False
        self.history_ = []
        if self.fine_tune_steps > 0:
            decoder = autoencoder._trainable_decoder()
            settings = FineTuning(
                steps=self.fine_tune_steps,
                lr=autoencoder.lr / DECODER_LR_DIVISOR,
                critic_lr=DATA_CRITIC_LR,
                adversarial_weight=self.adversarial_weight,
                cycle_weight=self.cycle_weight,
                max_error_increase=MAX_RECONSTRUCTION_INCREASE,
                error_slack=RECONSTRUCTION_SLACK,
            )
            self.history_, self.fine_tuned_ = fine_tune_decoder(
                decoder,
                gan._generator_in_data_units(),
                gan.latent_dim,
                self._data_critic_params(decoder.blocks.n_columns),
                autoencoder._model_matrix(A),
                settings,
                device=self.device_,
                rng=rng,
                verbose=self.verbose,
            )
            if self.fine_tuned_:
                # Its offset and code density belong to the decoder it now has.
                autoencoder._refresh(A, rng)
        self.n_iter_ = len(self.history_)

        self.code_critic_ = train_code_critic(
            gan._critic_copy(),
            gan._model_matrix(codes),
            steps=self.critic_steps,
            lr=CONTRAST_LR,
            weight_decay=CONTRAST_WEIGHT_DECAY,
            device=gan.device_,
            rng=rng,
            verbose=self.verbose,
        )
        terms = self._score_terms(subsample(A, OFFSET_MAX_ROWS, rng, keep_order=True))
        self.score_center_ = terms.mean(axis=0)
        self.score_scale_ = np.maximum(terms.std(axis=0), MIN_SCORE_SCALE)
        self.score_weights_ = np.array([1.0, self.critic_weight])
        self._set_offset(self._combine(terms))
        return self

    def _new_part(self, name, rng):
        """An unfitted clone of the part ``name`` (its default when ``None``) seeded, when
        its own ``random_state`` is ``None``, with the fusion's int ``random_state`` or
        else from ``rng``."""
        part = getattr(self, name)
        part = clone(self._default_parts[name]() if part is None else part)
        seed = rng.randint(MAX_SEED)
        if isinstance(self.random_state, numbers.Integral):
            # The part fits as it would alone with this seed, so the fusion's samples and
            # scores compare like for like with its autoencoder's.
            seed = self.random_state
        if part.random_state is None:
            part.set_params(random_state=seed)
        if name == "gan" and part.scaler == "auto":
            # "auto" is what suits the place: codes are standardised (see ``gan``).
            part.set_params(scaler="standard")
        return part

    def _data_critic_params(self, n_features):
        """The fine-tuning critic's ``CriticModule`` parameters for rows of ``n_features``
        model columns: an MLP of a GAN critic's default widths for tables; for images,
        convolutions laid out as the autoencoder's encoder."""
        autoencoder = self.autoencoder_
        params = {"n_features": n_features}
        if autoencoder.input_shape is None:
            return {**params, "hidden_layer_sizes": HIDDEN_LAYER_SIZES}
        return {
            **params,
            "hidden_layer_sizes": autoencoder.hidden_layer_sizes,
            "input_shape": autoencoder.input_shape,
        }

    # ---------------------------------------------------------------- scores
    def _score_terms(self, A):
        """Per row of validated rows ``A``: the autoencoder's ``score_samples``, and the code
        critic's logit, as an ``(n, 2)`` float64 array."""
        autoencoder_scores = self.autoencoder_._row_scores(A)
        critic = predict_in_batches(
            self.code_critic_,
            self.autoencoder_._encode_rows(A),
            lambda m, z: m(z)[:, None],
            1,
            compute_dtype(A),
            "cpu",
            prepare=lambda codes: self.gan_._model_matrix(codes, dtype=None),
        )
        return np.c_[autoencoder_scores, critic[:, 0].astype(np.float64)]

    def _combine(self, terms):
        with torch.inference_mode():
            return self._score_combination()(torch.from_numpy(terms)).numpy()

    def _score_combination(self):
        """The torch module that turns the ``(n, 2)`` score terms into ``score_samples``
        (the :class:`~skae._base.contracts.FusedScores` contract, for ``skae.onnx``)."""
        return ZScoredSum(self.score_center_, self.score_scale_, self.score_weights_)

    def score_samples(self, X):
        """Per-row normality score: higher is more normal.

        ``z(autoencoder_.score_samples(X)) + critic_weight * z(code critic logit)``, each
        term z-scored with its mean and standard deviation over the training rows, so the
        training rows' scores have mean 0.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
        """
        return self._combine(self._score_terms(self._validate_input(X)))

    # ------------------------------------------------ the Reconstructs contract
    # What skae.metrics uses of an encoder/decoder (skae._base.contracts), through the parts.
    def _validate_input(self, X, owner=None):
        check_is_fitted(self)
        return self.autoencoder_._validate_input(X, owner=self if owner is None else owner)

    def _row_errors(self, A):
        return self.autoencoder_._row_errors(A)

    def _column_errors(self, A):
        return self.autoencoder_._column_errors(A)

    def transform(self, X):
        """Encode ``X`` with the autoencoder.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_components)
            Codes, in the dtype of ``X``.
        """
        A = self._validate_input(X)
        return self.autoencoder_._encode_rows(A)

    def inverse_transform(self, X):
        """Decode codes with the (fine-tuned) decoder, into the units of the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Codes, as ``transform`` returns them.

        Returns
        -------
        X_original : ndarray or DataFrame of shape (n_samples, n_features_in)
        """
        check_is_fitted(self)
        return self.autoencoder_.inverse_transform(X)

    def sample(self, n_samples=1, random_state=None, *, conditions=None):
        """Generate rows: decode codes drawn from the code GAN.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.
        random_state : int, RandomState instance or None, default=None
            The same value gives the same rows.
        conditions : None, default=None
            Only ``DiffusionSampler`` samples rows with some columns fixed; any other value
            raises a ``ValueError`` that says so.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features_in)
            A DataFrame with the training columns and dtypes when ``fit`` saw a DataFrame.
        """
        check_is_fitted(self)
        if conditions is not None:
            raise conditions_unsupported(self)
        rng = check_random_state(random_state)
        codes = self.gan_.sample(n_samples, random_state=rng)
        return self.autoencoder_._decode(codes, rng=rng)

    @property
    def _n_features_out(self):
        return self.autoencoder_.n_components_

    # ---------------------------------------------------------------- persistence
    def __getstate__(self):
        """The code critic as its weights (see ``skae._nn.weights``); the parts save
        themselves."""
        state = dict(super().__getstate__())  # a copy: the model keeps its own
        if "code_critic_" in state:
            state["code_critic_"] = module_weights(self.code_critic_)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "code_critic_" in state:
            self.device_ = self.autoencoder_.device_
            critic = self.gan_._critic_copy().cpu().eval()
            self.code_critic_ = load_module_weights(critic, state["code_critic_"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.categorical = tags.input_tags.string = True  # as its autoencoder
        return tags
