"""AEGANFusion: an autoencoder and a GAN on its codes, fused into one estimator."""

import copy
import math
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
from ._base import (
    _MAX_SEED,
    OFFSET_MAX_ROWS,
    BaseAutoencoder,
    OutlierScoresMixin,
    check_rows,
    compute_dtype,
    epoch_history,
    fit_rng,
    interruptible,
    predict_in_batches,
    seeded_torch,
    subsample,
    tensor_loop_params,
    training_callbacks,
)
from ._compute import compute_threads, forward_multiply_adds, training_rows
from ._gan import ADVERSARIAL_BETAS, GP_WEIGHT, HIDDEN_LAYER_SIZES, GANSampler
from ._modules import CriticModule, Rescaled
from ._nets import (
    ContrastNet,
    EpochMeans,
    FusionNet,
)
from ._persistence import load_module_weights, module_weights
from ._sklearn_compat import Interval, _fit_context
from .parallel import current_group

#: Critic steps per decoder step in fine-tuning (as in WGAN-GP).
N_CRITIC = 5
#: Rows per fine-tuning and contrast step (all of them when there are fewer).
BATCH_SIZE = 128
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
        current_group(owner=self)  # an error inside skae.parallel.data_parallel()
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
        self.autoencoder_.fit(X)
        autoencoder = self.autoencoder_
        self.device_ = autoencoder.device_
        A = autoencoder._validate_input(X, owner=self)
        codes = self._encode(A)
        self.gan_.fit(codes)

        self.fine_tuned_ = False
        self.history_ = []
        if self.fine_tune_steps > 0:
            M = np.ascontiguousarray(autoencoder.codec_.encode(A), dtype=np.float32)
            self._fine_tune(M, rng)
            if self.fine_tuned_:
                # Its offset and code density belong to the decoder it now has.
                autoencoder._after_training(A, M, rng)
        self.n_iter_ = len(self.history_)

        self.code_critic_ = self._train_code_critic(codes, rng)
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
        seed = rng.randint(_MAX_SEED)
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

    def _encode(self, A):
        """Codes of validated rows ``A``."""
        autoencoder = self.autoencoder_
        return autoencoder._predict_batches(
            A, lambda m, x: m.encode(x), autoencoder.n_components_, compute_dtype(A)
        )

    def _data_critic(self):
        """The fine-tuning's critic: an MLP of a GAN critic's default widths for tables;
        for images, convolutions laid out as the autoencoder's encoder."""
        autoencoder = self.autoencoder_
        if autoencoder.input_shape is None:
            return CriticModule(autoencoder.codec_.n_outputs, HIDDEN_LAYER_SIZES)
        return CriticModule(
            autoencoder.codec_.n_outputs,
            autoencoder.hidden_layer_sizes,
            input_shape=autoencoder.input_shape,
        )

    def _fine_tune(self, M, rng):
        """Fine-tune the decoder and the code generator against a data-space critic; keep
        the result only if the training reconstruction error grows by at most 5% (plus 0.01)."""
        autoencoder, gan = self.autoencoder_, self.gan_
        decoder, generator = autoencoder.net_.module_, gan.net_.module_
        device = autoencoder.device_
        # The critic first trains alone for as many steps as the decoder will make, so
        # that the decoder's first gradients come from a critic that already tells decoded
        # codes from data.
        warmup_steps = self.fine_tune_steps
        critic_steps = warmup_steps + N_CRITIC * self.fine_tune_steps
        before = [copy.deepcopy(m.state_dict()) for m in (decoder, generator)]
        error_before = self._training_error(M)
        encoder = [p for name, p in decoder.named_parameters() if not name.startswith("decoder_")]
        for parameter in encoder:
            parameter.requires_grad_(False)
        try:
            with seeded_torch(rng.randint(_MAX_SEED), device):
                net = FusionNet(
                    module=decoder,
                    generator=Rescaled(generator, *gan.codec_.affine_scaling()),
                    critic=self._data_critic(),
                    blocks=autoencoder.codec_.blocks,
                    latent_dim=gan.latent_dim,
                    warmup_steps=warmup_steps,
                    adversarial_weight=self.adversarial_weight,
                    cycle_weight=self.cycle_weight,
                    critic_lr=DATA_CRITIC_LR,
                    n_critic=N_CRITIC,
                    gp_weight=GP_WEIGHT,
                    optimizer=torch.optim.Adam,
                    optimizer__betas=ADVERSARIAL_BETAS,
                    lr=autoencoder.lr / DECODER_LR_DIVISOR,
                    **self._loop_params(
                        len(M), critic_steps, rng, device, "fine-tuning", ["decoder_loss"]
                    ),
                )
                net.initialize()
                n_outputs = autoencoder.codec_.n_outputs
                decoder_and_critic = forward_multiply_adds(decoder, n_outputs) + 3 * (
                    forward_multiply_adds(net.critic_, n_outputs)
                )
                with compute_threads(3 * decoder_and_critic * net.batch_size):
                    net.partial_fit(training_rows(M, device))
        finally:
            for parameter in encoder:
                parameter.requires_grad_(True)
            decoder.eval()
            generator.to(gan.net_.device)
        self.history_ = epoch_history(net)
        increase = self._training_error(M) - error_before
        self.fine_tuned_ = (
            increase <= MAX_RECONSTRUCTION_INCREASE * error_before + RECONSTRUCTION_SLACK
        )
        if not self.fine_tuned_:
            for module, state in zip((decoder, generator), before, strict=True):
                module.load_state_dict(state)

    def _training_error(self, M):
        autoencoder = self.autoencoder_
        errors = autoencoder._predict_batches(
            M,
            lambda m, x: autoencoder._row_errors(m, x)[:, None],
            1,
            np.float32,
            encode=False,
        )
        return float(errors.mean())

    def _train_code_critic(self, codes, rng):
        """The code critic: the GAN's critic, trained further by logistic regression to
        tell the training codes from a broad reference (see ``ContrastNet``)."""
        gan = self.gan_
        device = gan.device_
        scaled = np.ascontiguousarray(gan.codec_.encode(codes), dtype=np.float32)
        net = ContrastNet(
            module=copy.deepcopy(gan.net_.critic_),
            blocks=gan.codec_.blocks,
            optimizer=torch.optim.AdamW,
            optimizer__weight_decay=CONTRAST_WEIGHT_DECAY,
            lr=CONTRAST_LR,
            **self._loop_params(len(scaled), self.critic_steps, rng, device, "code critic"),
        )
        with seeded_torch(rng.randint(_MAX_SEED), device):
            net.initialize()
            critic = forward_multiply_adds(net.module_, gan.codec_.n_outputs)
            with compute_threads(3 * 2 * critic * net.batch_size):  # training and reference rows
                net.partial_fit(training_rows(scaled, device))
        # Kept on the CPU: it is small, and the fitted estimator pickles anywhere.
        return net.module_.cpu().eval()

    def _loop_params(self, n_rows, steps, rng, device, description, epoch_means=()):
        """skorch parameters of a training loop of about ``steps`` batches, each epoch a
        pass over the ``n_rows`` training rows."""
        batch_size = min(BATCH_SIZE, n_rows)
        n_epochs = math.ceil(steps / math.ceil(n_rows / batch_size))
        return {
            "criterion": torch.nn.MSELoss,  # required by skorch; the nets have their losses
            "max_epochs": n_epochs,
            "batch_size": batch_size,
            "train_split": None,
            **tensor_loop_params(rng),
            "callbacks": training_callbacks(
                [("epoch_means", EpochMeans(*epoch_means))], self.verbose, n_epochs, description
            ),
            "device": device,
        }

    # ---------------------------------------------------------------- scores
    def _score_terms(self, A):
        """Per row of validated rows ``A``: the autoencoder's ``score_samples``, and the code
        critic's logit, as an ``(n, 2)`` float64 array."""
        autoencoder_scores = self.autoencoder_._score_validated(A)
        critic = predict_in_batches(
            self.code_critic_,
            self._encode(A),
            lambda m, z: m(z)[:, None],
            1,
            compute_dtype(A),
            "cpu",
            prepare=self.gan_.codec_.encode,
        )
        return np.c_[autoencoder_scores, critic[:, 0].astype(np.float64)]

    def _combine(self, terms):
        return (terms - self.score_center_) / self.score_scale_ @ self.score_weights_

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

    # ---------------------------------------------------------------- through the parts
    def _validate_input(self, X):
        check_is_fitted(self)
        return self.autoencoder_._validate_input(X, owner=self)

    def _reconstruction_errors(self, X):
        autoencoder = self.autoencoder_
        return autoencoder._per_row(self._validate_input(X), autoencoder._row_errors)

    def _column_errors(self, X):
        return self.autoencoder_._validated_column_errors(self._validate_input(X))

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
        return self._encode(self._validate_input(X))

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

    def sample(self, n_samples=1, random_state=None):
        """Generate rows: decode codes drawn from the code GAN.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.
        random_state : int, RandomState instance or None, default=None
            The same value gives the same rows.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features_in)
            A DataFrame with the training columns and dtypes when ``fit`` saw a DataFrame.
        """
        check_is_fitted(self)
        rng = check_random_state(random_state)
        codes = self.gan_.sample(n_samples, random_state=rng)
        autoencoder = self.autoencoder_
        return autoencoder._decode(codes, autoencoder.codec_.dtype_, rng)

    @property
    def _n_features_out(self):
        return self.autoencoder_.n_components_

    # ---------------------------------------------------------------- persistence
    def __getstate__(self):
        """The code critic as its weights (see ``skae._persistence``); the parts save
        themselves."""
        state = dict(super().__getstate__())  # a copy: the model keeps its own
        if "code_critic_" in state:
            state["code_critic_"] = module_weights(self.code_critic_)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "code_critic_" in state:
            self.device_ = self.autoencoder_.device_
            critic = copy.deepcopy(self.gan_.net_.critic_).cpu().eval()
            self.code_critic_ = load_module_weights(critic, state["code_critic_"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.categorical = tags.input_tags.string = True  # as its autoencoder
        return tags
