"""What is specific to AutoencoderTransformer: PCA-initialised training and denoising."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from skorch.history import History

from skae import AutoencoderTransformer
from skae._training.callbacks import WeightAverage
from skae._training.data import TensorRows
from skae._training.stopping import EarlyStoppingFromStart
from skae._utils.sklearn_compat import InvalidParameterError
from skae.metrics import reconstruction_error

from .conftest import code_log_density, fast


@pytest.mark.slow
def test_beats_pca_on_held_out_digits():
    X, _ = load_digits(return_X_y=True)
    X_train, X_test = X[:1200], X[1200:]
    scaler = StandardScaler().fit(X_train)
    pca = make_pipeline(StandardScaler(), PCA(4)).fit(X_train)

    def error(model):
        reconstruction = model.inverse_transform(model.transform(X_test))
        return np.mean((scaler.transform(reconstruction) - scaler.transform(X_test)) ** 2)

    ae = AutoencoderTransformer(n_components=4, max_epochs=30, random_state=0).fit(X_train)
    assert error(ae) < 0.8 * error(pca)


def test_early_stopping_never_ends_worse_than_pca_init(X_small):
    """A learning rate that wrecks training falls back to the PCA-initialised weights."""
    ae = fast(AutoencoderTransformer, n_components=2, lr=5.0, max_epochs=8).fit(X_small)
    pca = make_pipeline(StandardScaler(), PCA(2)).fit(X_small)
    scaler = pca[0]
    ae_error = np.mean(
        (scaler.transform(ae.inverse_transform(ae.transform(X_small))) - scaler.transform(X_small))
        ** 2
    )
    pca_error = np.mean(
        (
            scaler.transform(pca.inverse_transform(pca.transform(X_small)))
            - scaler.transform(X_small)
        )
        ** 2
    )
    assert ae_error <= pca_error * 1.05


class _HistoryOnlyNet:
    """What EarlyStopping reads of a net: its history, module and verbosity."""

    verbose = 0

    def __init__(self):
        self.history = History()
        self.module_ = torch.nn.Linear(1, 1)


def epochs_until_stop(losses, initial_loss=1.0, patience=2):
    stopping = EarlyStoppingFromStart(monitor="valid_loss", patience=patience, threshold=0)
    stopping.misses_, stopping.best_epoch_ = 0, 0
    stopping.dynamic_threshold_ = initial_loss  # what on_train_begin measures
    net = _HistoryOnlyNet()
    for epoch, loss in enumerate(losses, start=1):
        net.history.new_epoch()
        net.history.record("epoch", epoch)
        net.history.record("valid_loss", loss)
        try:
            stopping.on_epoch_end(net)
        except KeyboardInterrupt:
            return epoch
    return None


def test_early_stopping_waits_longer_for_the_first_improvement():
    """From a PCA start the loss first rises: 4 worse epochs do not stop a patience of 2
    before anything beats the start (3x patience then), but 2 do after."""
    assert epochs_until_stop([1.1, 1.2, 1.1, 1.05, 0.9, 0.95, 0.96, 0.5]) == 7
    assert epochs_until_stop([1.1] * 10) == 6


def _started_weight_average():
    """A one-weight net at 0 and a ``WeightAverage(decay=0.5)`` that has begun training."""
    net = _HistoryOnlyNet()
    weight = net.module_.weight
    with torch.no_grad():
        weight.fill_(0.0)
    average = WeightAverage(decay=0.5)
    average.on_train_begin(net)
    return net, weight, average


def test_weight_average_is_validated_and_kept_and_training_goes_on_from_raw_weights():
    net, weight, average = _started_weight_average()
    expected = 0.0

    def train_step(value):
        nonlocal expected
        with torch.no_grad():
            weight.fill_(value)
        average.on_batch_end(net, training=True)
        decay = min(0.5, (1 + average.steps_) / (10 + average.steps_))  # short memory at first
        expected = decay * expected + (1 - decay) * value

    def validate():
        average.on_batch_begin(net, training=False)
        seen = weight.item()
        average.on_batch_end(net, training=False)  # a validation step does not move it
        average.on_batch_begin(net, training=False)
        assert weight.item() == seen
        return seen

    average.on_epoch_begin(net)
    train_step(2.0)
    train_step(4.0)
    assert validate() == pytest.approx(expected)
    assert 2.0 < expected < 4.0
    average.on_epoch_begin(net)
    assert weight.item() == 4.0  # the next epoch trains on from the raw weights
    for _ in range(20):
        train_step(6.0)
    assert validate() == pytest.approx(expected)
    assert average.steps_ == 22
    average.on_train_end(net)
    assert weight.item() == pytest.approx(expected)  # training ends with averaged weights


def test_weight_average_is_loaded_at_the_end_of_training_without_validation():
    """A net with no validation rows (a GAN's generator) ends on the averaged weights."""
    net, weight, average = _started_weight_average()
    average.on_epoch_begin(net)
    for value in (2.0, 4.0):
        with torch.no_grad():
            weight.fill_(value)
        average.on_batch_end(net, training=True)
    assert weight.item() == 4.0  # training itself runs on the raw weights
    average.on_train_end(net)
    decays = [min(0.5, (1 + t) / (10 + t)) for t in (1, 2)]
    expected = (1 - decays[1]) * 4.0 + decays[1] * (1 - decays[0]) * 2.0
    assert weight.item() == pytest.approx(expected)


def test_fitted_weights_are_the_best_validated_ones(X_small):
    """The weights a fit ends with score, on the validation rows, the best validation loss
    of its history: early stopping kept the (averaged) weights that were validated."""
    ae = fast(AutoencoderTransformer, n_components=2, max_epochs=20, lr=1e-2).fit(X_small)
    assert "weight_average" in dict(ae.net_.callbacks_)
    rows = TensorRows(torch.from_numpy(ae.codec_.encode(ae._validate_input(X_small))))
    _, valid = ae.net_.get_split_datasets(rows)
    with torch.no_grad():
        loss = sum(
            ae.net_.validation_step(batch)["loss"].item() * len(batch[0])
            for batch in ae.net_.get_iterator(valid)
        ) / len(valid)
    assert loss == pytest.approx(min(row["valid_loss"] for row in ae.history_), rel=1e-5)


def test_denoising_corrupts_training_inputs_only(X_small):
    """With the weights held still (a vanishing learning rate), noise raises the training
    loss, while the validation loss and the codes, from clean rows, are the clean model's."""
    still = {"lr": 1e-12, "max_epochs": 1}
    clean = fast(AutoencoderTransformer, **still).fit(X_small)
    noisy = fast(AutoencoderTransformer, noise=1.0, **still).fit(X_small)
    assert noisy.history_[0]["train_loss"] > 1.2 * clean.history_[0]["train_loss"]
    assert noisy.history_[0]["valid_loss"] == pytest.approx(
        clean.history_[0]["valid_loss"], rel=1e-5
    )
    np.testing.assert_allclose(noisy.transform(X_small), clean.transform(X_small), rtol=1e-5)


def test_noise_must_be_non_negative(X_small):
    with pytest.raises(InvalidParameterError, match="noise"):
        fast(AutoencoderTransformer, noise=-0.1).fit(X_small)


def test_pca_init_false_trains_a_plain_mlp(X_small):
    """Without the PCA start the network is the MLP alone (no linear path set from PCA):
    it starts further from the data than the PCA start, and training lowers its loss."""
    ae = fast(AutoencoderTransformer, pca_init=False).fit(X_small)
    assert not hasattr(ae.net_.module_, "encoder_linear")
    assert not hasattr(ae.net_.module_, "decoder_linear")
    losses = [row["train_loss"] for row in ae.history_]
    assert losses[-1] < losses[0]
    pca_started = fast(AutoencoderTransformer).fit(X_small)
    assert pca_started.history_[0]["train_loss"] < losses[0]


def test_the_pca_start_of_many_rows_comes_from_the_start_rows(monkeypatch):
    """fit (and the first partial_fit) encode only the rows the PCA start is fitted on, and
    the start is the PCA of as many rows drawn from every row's model matrix."""
    import skae._autoencoder
    import skae._base.helper_models
    from skae._utils.random import subsample

    monkeypatch.setattr(skae._base.helper_models, "PCA_MAX_ROWS", 50)
    X = np.random.RandomState(0).randn(80, 5)
    starts = []
    fit_pca = skae._autoencoder.fit_pca
    monkeypatch.setattr(
        skae._autoencoder, "fit_pca", lambda M, n: starts.append(M) or fit_pca(M, n)
    )
    ae = fast(AutoencoderTransformer, max_epochs=1).fit(X)
    assert len(starts[0]) == 50
    drawn = subsample(ae._model_matrix(X), 50, np.random.RandomState(0))
    everything = fit_pca(drawn, 2)
    np.testing.assert_array_equal(fit_pca(starts[0], 2).components_, everything.components_)


# ------------------------------------------------------------------ the anomaly score
def _along_the_main_axis(seed=0):
    """Inliers on a 2-D plane in 6-D with a little noise, and rows far out *along* the
    plane: perfectly reconstructed by a 2-unit code, yet nothing like the inliers."""
    rng = np.random.RandomState(seed)
    basis = rng.randn(2, 6)
    inliers = rng.randn(400, 2) @ basis + 0.05 * rng.randn(400, 6)
    outliers = np.array([[8.0, 0.0], [-8.0, 1.0], [0.0, 9.0], [6.0, -6.0]]) @ basis
    return inliers, outliers


def test_score_sees_rows_far_along_the_codes_directions():
    inliers, outliers = _along_the_main_axis()
    ae = fast(AutoencoderTransformer, n_components=2, max_epochs=10).fit(inliers)
    scores, errors = ae.score_samples(outliers), reconstruction_error(ae, outliers)
    assert scores.max() < np.percentile(ae.score_samples(inliers), 1)
    assert np.all(ae.predict(outliers) == -1)
    # What a reconstruction error alone cannot see: these rows reconstruct as well as most.
    assert errors.max() < np.percentile(reconstruction_error(ae, inliers), 90)


def test_score_is_the_reconstruction_log_likelihood_plus_the_code_log_density(X_small):
    """score_samples = log N(x | decoded code, noise_variance_) + log N(code | code
    Gaussian), in the input's units: the terms of probabilistic PCA's log-likelihood."""
    X = X_small.astype(np.float64)
    ae = fast(AutoencoderTransformer, n_components=2).fit(X)
    codes = ae.transform(X)
    scale = ae.codec_.scaler_.scale_
    residuals = (X - ae.inverse_transform(codes)) / scale
    variances = ae.noise_variance_
    reconstruction = -0.5 * (residuals**2 / variances + np.log(2 * np.pi * variances)).sum(1)
    expected = reconstruction + code_log_density(ae, codes) - np.log(scale).sum()
    np.testing.assert_allclose(ae.score_samples(X), expected, rtol=1e-6)
    assert ae.noise_variance_.shape == (X.shape[1],)


def test_score_terms_are_fitted_without_the_contamination(X_small):
    """The code Gaussian and the residual variances come from the rows that score above
    the contamination quantile: outliers in the training data do not widen them."""
    rng = np.random.RandomState(0)
    spread = rng.choice([-4.0, 4.0], size=(10, X_small.shape[1])) * X_small.std(0)
    X = np.r_[X_small, X_small[:10] + spread].astype(np.float64)
    ae = fast(AutoencoderTransformer, n_components=2).fit(X)
    codes = ae.transform(X)
    assert np.linalg.det(ae.code_covariance_) < 0.5 * np.linalg.det(np.cov(codes.T))
    assert np.all(ae.predict(X[-10:]) == -1)


def test_float_n_components_is_the_pca_code_size_for_that_variance(X_small):
    ae = fast(AutoencoderTransformer, n_components=0.9).fit(X_small)
    expected = PCA(0.9, svd_solver="full").fit(StandardScaler().fit_transform(X_small))
    assert ae.n_components_ == expected.n_components_ < X_small.shape[1]
    assert ae.transform(X_small).shape == (len(X_small), ae.n_components_)
    assert list(ae.get_feature_names_out()) == [
        f"autoencodertransformer{i}" for i in range(ae.n_components_)
    ]
    for bad in (1.5, 0.0, -1):
        with pytest.raises(InvalidParameterError, match="n_components"):
            AutoencoderTransformer(n_components=bad).fit(X_small)


def test_score_is_finite_on_constant_data():
    """Identical rows give a code Gaussian of zero spread before its floor."""
    ae = fast(AutoencoderTransformer).fit(np.ones((30, 4)))
    assert np.isfinite(ae.score_samples(np.ones((3, 4)))).all()
    assert np.all(np.linalg.eigvalsh(ae.code_covariance_) > 0)
