"""input_shape=(C, H, W): rows are flattened images and the networks are convolutional."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from skae import AutoencoderTransformer, GANSampler, VAETransformer
from skae._nn.adversarial import CriticModule
from skae._nn.layers import conv_decoder, conv_encoder
from skae._nn.output_blocks import OutputBlocks
from skae._training import fusion as _fusion_training
from skae._utils.sklearn_compat import InvalidParameterError
from skae.metrics import reconstruction_error

from .conftest import code_log_density, fast, fast_fusion, requires_cuda

ESTIMATORS = [AutoencoderTransformer, VAETransformer, GANSampler]


@pytest.fixture(scope="module")
def digits():
    X, _ = load_digits(return_X_y=True)
    return X[:200].astype(np.float32)


def has_convolutions(module):
    return any(
        isinstance(layer, torch.nn.Conv2d | torch.nn.ConvTranspose2d) for layer in module.modules()
    )


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 7, 5), (1, 1, 9), (2, 1, 1)])
def test_conv_encoder_and_decoder_fit_any_image_size(shape):
    n_values = int(np.prod(shape))
    encoder = conv_encoder(shape, (4, 8), 3)
    decoder = conv_decoder(3, shape, (8, 4))
    codes = encoder(torch.randn(5, n_values))
    assert codes.shape == (5, 3)
    assert decoder(codes).shape == (5, n_values)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_every_estimator_handles_images(Estimator, digits):
    model = fast(Estimator, input_shape=(1, 8, 8), hidden_layer_sizes=(4, 8)).fit(digits)
    assert has_convolutions(model.net_.module_)
    samples = model.sample(5, random_state=0)
    assert samples.shape == (5, 64) and samples.dtype == np.float32
    if Estimator is GANSampler:
        assert has_convolutions(model.net_.critic_)
        return
    codes = model.transform(digits)
    assert codes.shape == (200, model.n_components)
    assert model.inverse_transform(codes).shape == digits.shape
    assert np.isfinite(model.score_samples(digits)).all()


def test_fusion_with_convolutional_parts(digits, monkeypatch):
    critics = []

    def recording_critic(*args, **kwargs):
        critics.append(CriticModule(*args, **kwargs))
        return critics[-1]

    monkeypatch.setattr(_fusion_training, "CriticModule", recording_critic)
    fusion = fast_fusion(
        autoencoder_params={"input_shape": (1, 8, 8), "hidden_layer_sizes": (4, 8)},
    ).fit(digits)
    assert has_convolutions(fusion.autoencoder_.net_.module_)
    assert len(critics) == 1 and has_convolutions(critics[0])  # the fine-tuning's critic
    assert fusion.sample(3, random_state=0).shape == (3, 64)
    assert np.isfinite(fusion.score_samples(digits)).all()


def test_odd_image_sizes(digits):
    rows = digits[:, :35]  # 35 values: one 5 x 7 image per row
    model = fast(AutoencoderTransformer, input_shape=(1, 5, 7)).fit(rows)
    assert model.inverse_transform(model.transform(rows)).shape == rows.shape
    gan = fast(GANSampler, input_shape=(1, 5, 7)).fit(rows)
    assert gan.sample(4, random_state=0).shape == (4, 35)


def test_untrained_conv_autoencoder_is_pca(digits):
    """The conv networks' output layers start at zero beside the PCA linear path."""
    model = fast(AutoencoderTransformer, input_shape=(1, 8, 8), n_components=4, max_epochs=1)
    model.set_params(lr=1e-12, early_stopping=False).fit(digits)
    pca = PCA(4).fit(digits)  # images are not scaled (scaler="auto")
    expected = pca.inverse_transform(pca.transform(digits))
    restored = model.inverse_transform(model.transform(digits))
    np.testing.assert_allclose(restored, expected, atol=1e-3 * np.abs(digits).max())


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_input_shape_must_match_the_features(Estimator, digits):
    with pytest.raises(ValueError, match=r"C \* H \* W = 49 values, but X has 64 features"):
        fast(Estimator, input_shape=(1, 7, 7)).fit(digits)


def test_input_shape_refuses_categorical_columns():
    frame = pd.DataFrame({"a": np.arange(10.0), "b": pd.Categorical(list("xy") * 5)})
    with pytest.raises(ValueError, match="categorical columns"):
        fast(AutoencoderTransformer, input_shape=(1, 1, 2)).fit(frame)


@requires_cuda
def test_conv_autoencoder_on_cuda_loads_on_cpu(digits):
    model = fast(AutoencoderTransformer, input_shape=(1, 8, 8), device="cuda").fit(digits)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.transform(digits), model.transform(digits), atol=1e-4)


def test_auto_scaler_leaves_pixels_unscaled_and_tables_scaled(digits):
    for Estimator, table_scaler in [(AutoencoderTransformer, "standard"), (GANSampler, "quantile")]:
        image_model = fast(Estimator, input_shape=(1, 8, 8), hidden_layer_sizes=(4,))
        assert image_model.fit(digits).codec_.scaler_ is None
        table_model = fast(Estimator).fit(digits)
        assert type(table_model.codec_.scaler_).__name__.lower().startswith(table_scaler)


# ------------------------------------------------------------------ outputs in [0, 1]
UNIT_INTERVAL = {
    AutoencoderTransformer: {"reconstruction_loss": "bce"},
    VAETransformer: {"reconstruction_loss": "bce"},
    GANSampler: {"output_activation": "sigmoid"},
}
UNBOUNDED = {
    AutoencoderTransformer: {"reconstruction_loss": "mse"},
    VAETransformer: {"reconstruction_loss": "mse"},
    GANSampler: {"output_activation": "linear"},
}


@pytest.fixture(scope="module")
def pixels(digits):
    return digits / 16.0


def decoded_far_codes(model):
    """Decodings of latent rows three times wider than the prior's, not clipped to the
    training range as samples are."""
    width = getattr(model, "n_components", None) or model.latent_dim
    codes = np.random.default_rng(0).normal(size=(500, width)) * 3
    return model._decode(codes, np.float32)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_sigmoid_outputs_stay_in_the_unit_interval(Estimator, pixels):
    linear = fast(Estimator, input_shape=(1, 8, 8), hidden_layer_sizes=(4, 8))
    values = decoded_far_codes(linear.set_params(**UNBOUNDED[Estimator]).fit(pixels))
    assert values.min() < 0 or values.max() > 1

    model = clone(linear).set_params(**UNIT_INTERVAL[Estimator]).fit(pixels)
    assert model.codec_.scaler_ is None
    outputs = [decoded_far_codes(model), model.sample(200, random_state=0)]
    if Estimator is not GANSampler:
        outputs.append(model.inverse_transform(model.transform(pixels)))
    for values in outputs:
        assert values.min() >= 0 and values.max() <= 1


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_auto_bounds_the_outputs_of_unscaled_images_in_the_unit_interval(Estimator, pixels):
    def bounded(X, **params):
        model = fast(Estimator, hidden_layer_sizes=(4,), max_epochs=1, **params)
        return model.fit(X).codec_.unit_interval_

    assert bounded(pixels, input_shape=(1, 8, 8))
    assert not bounded(pixels * 16, input_shape=(1, 8, 8))  # pixels 0-16: squared error
    assert not bounded(pixels, input_shape=(1, 8, 8), scaler="standard")
    assert not bounded(pixels)  # a table in [0, 1]
    assert not bounded(pixels, input_shape=(1, 8, 8), **UNBOUNDED[Estimator])


def test_bce_score_is_the_bernoulli_log_likelihood_plus_the_code_log_density(pixels):
    model = fast(AutoencoderTransformer, reconstruction_loss="bce").fit(pixels.astype(np.float64))
    codes = model.transform(pixels.astype(np.float64))
    p = model.inverse_transform(codes)
    bce = -(pixels * np.log(p) + (1 - pixels) * np.log1p(-p))
    expected = -bce.sum(axis=1) + code_log_density(model, codes)
    np.testing.assert_allclose(model.score_samples(pixels), expected, rtol=1e-4)
    np.testing.assert_allclose(reconstruction_error(model, pixels), bce.mean(axis=1), rtol=1e-4)


def test_bce_autoencoder_reconstructs_about_as_well_as_pca(pixels):
    """Trained with the binary cross-entropy, the reconstructions beat the mean image and
    come close to PCA's (the linear path starts at PCA's reconstruction, as logits)."""
    model = fast(AutoencoderTransformer, n_components=8, reconstruction_loss="bce")
    model.set_params(hidden_layer_sizes=(32,), max_epochs=30).fit(pixels)
    error = np.mean((model.inverse_transform(model.transform(pixels)) - pixels) ** 2)
    pca = PCA(8).fit(pixels)
    pca_error = np.mean((pca.inverse_transform(pca.transform(pixels)) - pixels) ** 2)
    assert error < 1.2 * pca_error < 0.5 * pixels.var(axis=0).mean()


def test_logits_from_means_match_the_values_to_first_order():
    blocks = OutputBlocks(3, unit_interval=True)
    linear = torch.nn.Linear(2, 3)
    with torch.no_grad():
        linear.bias.copy_(torch.tensor([0.2, 0.5, 0.9]))
    values = linear(torch.zeros(1, 2) + 1e-3)
    blocks.logits_from_means_(linear)
    restored = torch.sigmoid(linear(torch.zeros(1, 2) + 1e-3))
    torch.testing.assert_close(restored, values, atol=1e-5, rtol=0)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_unit_interval_outputs_need_unscaled_data_in_range(Estimator, pixels):
    setting = UNIT_INTERVAL[Estimator]
    name = next(iter(setting))
    with pytest.raises(ValueError, match=f"{name}=.*values from 0 to 16"):
        fast(Estimator, **setting).fit(pixels * 16)
    with pytest.raises(ValueError, match=f"{name}=.*needs scaler=None"):
        fast(Estimator, scaler="standard", **setting).fit(pixels)
    with pytest.raises(InvalidParameterError, match=name):
        fast(Estimator, **{name: "tanh"}).fit(pixels)


def test_fusion_of_a_bce_autoencoder_decodes_in_the_unit_interval(pixels):
    fusion = fast_fusion(autoencoder_params={"reconstruction_loss": "bce"}).fit(pixels)
    decoded = fusion.autoencoder_._decode(np.full((5, 2), 50.0), np.float32)
    assert decoded.min() >= 0 and decoded.max() <= 1
    assert np.isfinite(fusion.score_samples(pixels)).all()


# ------------------------------------------------------------------ conv models as estimators
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_conv_models_reproduce_and_pickle(Estimator, pixels):
    model = fast(Estimator, input_shape=(1, 8, 8), hidden_layer_sizes=(4, 8))
    first, second = clone(model).fit(pixels), clone(model).fit(pixels)
    restored = pickle.loads(pickle.dumps(first))
    samples = first.sample(5, random_state=0)
    for other in (second, restored):
        np.testing.assert_array_equal(other.sample(5, random_state=0), samples)
    if Estimator is not GANSampler:
        codes = first.transform(pixels)
        assert codes.dtype == np.float32
        for other in (second, restored):
            np.testing.assert_array_equal(other.transform(pixels), codes)


def test_conv_autoencoder_in_a_pipeline_and_a_grid_search(pixels):
    y = load_digits().target[: len(pixels)]
    conv = fast(AutoencoderTransformer, input_shape=(1, 8, 8), hidden_layer_sizes=(4, 8))
    pipe = make_pipeline(clone(conv).set_params(n_components=8), LogisticRegression(max_iter=500))
    assert cross_val_score(pipe, pixels, y, cv=2).mean() > 0.6
    search = GridSearchCV(conv, {"n_components": [1, 8]}, cv=2).fit(pixels)
    assert search.best_params_ == {"n_components": 8}
