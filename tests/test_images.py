"""input_shape=(C, H, W): rows are flattened images and the networks are convolutional."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from skae import AutoencoderTransformer, GANSampler, VAETransformer
from skae._modules import conv_decoder, conv_encoder

from .conftest import fast, fast_fusion, requires_cuda

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


def test_fusion_with_convolutional_parts(digits):
    fusion = fast_fusion(
        autoencoder_params={"input_shape": (1, 8, 8), "hidden_layer_sizes": (4, 8)},
    ).fit(digits)
    assert has_convolutions(fusion.autoencoder_.net_.module_)
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
    import pickle

    model = fast(AutoencoderTransformer, input_shape=(1, 8, 8), device="cuda").fit(digits)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.transform(digits), model.transform(digits), atol=1e-4)


def test_auto_scaler_leaves_pixels_unscaled_and_tables_scaled(digits):
    for Estimator, table_scaler in [(AutoencoderTransformer, "standard"), (GANSampler, "quantile")]:
        image_model = fast(Estimator, input_shape=(1, 8, 8), hidden_layer_sizes=(4,))
        assert image_model.fit(digits).codec_.scaler_ is None
        table_model = fast(Estimator).fit(digits)
        assert type(table_model.codec_.scaler_).__name__.lower().startswith(table_scaler)
