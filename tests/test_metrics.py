"""skae.metrics: the scores a user judges synthetic data and reconstructions by."""

import numpy as np
import pandas as pd
import pytest
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError

from skae import AutoencoderTransformer, VAETransformer
from skae.metrics import (
    c2st_score,
    column_fidelity_score,
    reconstruction_error,
    reconstruction_error_by_column,
)

from .conftest import fast, fast_fusion


@pytest.fixture
def gaussians():
    rng = np.random.RandomState(0)
    return rng.randn(400, 4), rng.randn(400, 4)


def _mixed_table(rng, n, p_red=0.5, shift=0.0):
    return pd.DataFrame(
        {
            "size": rng.randn(n) + shift,
            "count": rng.poisson(3, n),
            "colour": pd.Categorical(rng.choice(["red", "blue"], n, p=[p_red, 1 - p_red])),
            "flag": rng.rand(n) > 0.5,
        }
    )


def test_c2st_of_two_samples_of_one_distribution_is_about_half(gaussians):
    real, same = gaussians
    assert 0.4 < c2st_score(real, same, random_state=0) < 0.6


@pytest.mark.slow
def test_c2st_of_shifted_samples_is_about_one(gaussians):
    real, other = gaussians
    assert c2st_score(real, other + 3.0, random_state=0) > 0.99
    # A shift in one column is enough to give the samples away.
    assert c2st_score(real, other + [1.5, 0, 0, 0], random_state=0) > 0.8


def test_c2st_is_reproducible_with_random_state(gaussians):
    real, other = gaussians
    assert c2st_score(real, other, random_state=3) == c2st_score(real, other, random_state=3)


@pytest.mark.slow
def test_c2st_compares_categories_as_categories():
    rng = np.random.RandomState(0)
    real = _mixed_table(rng, 500)
    assert 0.4 < c2st_score(real, _mixed_table(rng, 500), random_state=0) < 0.6
    # Same numbers, but 90% red instead of 50%: the best possible AUC is 0.5 + 0.4 / 2.
    assert c2st_score(real, _mixed_table(rng, 500, p_red=0.9), random_state=0) > 0.65
    # Column order does not matter; columns are matched by name.
    assert 0.4 < c2st_score(real, _mixed_table(rng, 500).iloc[:, ::-1], random_state=0) < 0.6


def test_column_fidelity_of_identical_and_shifted_columns(gaussians):
    real, other = gaussians
    assert column_fidelity_score(real, real) == 1.0
    same = column_fidelity_score(real, other)
    assert same > 0.9
    # One column of four is entirely off: it scores 0 instead of about `same`.
    shifted = column_fidelity_score(real, other + [10.0, 0, 0, 0])
    assert shifted == pytest.approx(same * 3 / 4, abs=0.02)


def test_column_fidelity_uses_total_variation_for_categories():
    real = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 50})
    fake = pd.DataFrame({"c": ["a"] * 80 + ["b"] * 10 + ["z"] * 10})
    # TV = (|0.5-0.8| + |0.5-0.1| + |0-0.1|) / 2 = 0.4
    assert column_fidelity_score(real, fake) == pytest.approx(0.6)
    rng = np.random.RandomState(0)
    mixed = column_fidelity_score(_mixed_table(rng, 300), _mixed_table(rng, 300))
    assert 0.85 < mixed <= 1.0


@pytest.mark.parametrize("metric", [c2st_score, column_fidelity_score])
def test_metrics_refuse_mismatched_or_broken_input(metric, gaussians):
    real, other = gaussians
    with pytest.raises(ValueError, match="same columns"):
        metric(real, other[:, :3])
    frame = pd.DataFrame(real, columns=list("abcd"))
    with pytest.raises(ValueError, match="same columns"):
        metric(frame, frame.rename(columns={"a": "z"}))
    broken = other.copy()
    broken[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metric(real, broken)
    with pytest.raises(ValueError, match="NaN"):
        metric(frame, pd.DataFrame(broken, columns=list("abcd")))
    with pytest.raises(ValueError):
        metric(real, other[:0])


def test_c2st_needs_two_rows_per_side(gaussians):
    real, other = gaussians
    with pytest.raises(ValueError, match="at least 2"):
        c2st_score(real, other[:1])


def test_reconstruction_error_is_the_mean_squared_standardised_error(X_small):
    X = X_small.astype(np.float64)
    ae = fast(AutoencoderTransformer, n_components=2).fit(X)
    errors = reconstruction_error(ae, X)
    scaled = ae.codec_.scaler_.transform
    expected = ((scaled(X) - scaled(ae.inverse_transform(ae.transform(X)))) ** 2).mean(1)
    assert errors.shape == (120,) and errors.dtype == np.float64
    np.testing.assert_allclose(errors, expected, rtol=1e-6)


def test_reconstruction_error_by_column_names_the_columns_that_make_a_row_anomalous(X_small):
    frame = pd.DataFrame(X_small.astype(np.float64), columns=list("abcdefg"))
    ae = fast(AutoencoderTransformer, n_components=2).fit(frame)
    broken = frame.iloc[:5].copy()
    broken["d"] += 10 * frame["d"].std()
    errors = reconstruction_error_by_column(ae, broken)
    assert list(errors.columns) == list("abcdefg") and list(errors.index) == list(broken.index)
    assert (errors.idxmax(axis=1) == "d").all()
    np.testing.assert_allclose(errors.mean(axis=1), reconstruction_error(ae, broken), rtol=1e-6)
    unnamed = reconstruction_error_by_column(fast(AutoencoderTransformer).fit(X_small), X_small)
    assert list(unnamed.columns) == [f"x{i}" for i in range(7)]


def test_reconstruction_error_by_column_gives_a_category_one_column(X_small):
    frame = pd.DataFrame(X_small[:, :3].astype(np.float64), columns=["a", "b", "c"])
    frame.insert(1, "side", np.where(X_small[:, 0] > 0, "right", "left"))
    ae = fast(AutoencoderTransformer, n_components=2, max_epochs=30).fit(frame)
    flipped = frame.copy()
    flipped["side"] = flipped["side"].map({"right": "left", "left": "right"})
    errors = reconstruction_error_by_column(ae, flipped)
    assert list(errors.columns) == ["a", "side", "b", "c"]
    original = reconstruction_error_by_column(ae, frame)
    assert errors["side"].mean() > 2 * original["side"].mean()
    np.testing.assert_allclose(errors.mean(axis=1), reconstruction_error(ae, flipped), rtol=1e-6)


def test_reconstruction_error_of_a_fusion_is_its_autoencoders(X_small):
    fusion = fast_fusion().fit(X_small)
    np.testing.assert_allclose(
        reconstruction_error(fusion, X_small), reconstruction_error(fusion.autoencoder_, X_small)
    )
    errors = reconstruction_error_by_column(fusion, X_small)
    assert errors.shape == X_small.shape


def test_reconstruction_error_of_a_vae_uses_the_posterior_mean(X_small):
    vae = fast(VAETransformer, n_components=2).fit(X_small)
    X = X_small.astype(np.float64)
    reconstruction = vae.inverse_transform(vae.transform(X))
    expected = ((vae.codec_.encode(X) - vae.codec_.encode(reconstruction)) ** 2).mean(1)
    np.testing.assert_allclose(reconstruction_error(vae, X), expected, rtol=1e-6)
    far = X[:5] + 5 * X.std(0)
    assert reconstruction_error(vae, far).min() > np.median(reconstruction_error(vae, X))


def test_reconstruction_error_needs_a_fitted_skae_encoder_decoder(X_small):
    for metric in (reconstruction_error, reconstruction_error_by_column):
        with pytest.raises(TypeError, match="PCA"):
            metric(PCA(2).fit(X_small), X_small)
        with pytest.raises(NotFittedError):
            metric(AutoencoderTransformer(), X_small)
        ae = fast(AutoencoderTransformer).fit(X_small)
        with pytest.raises(ValueError, match="features"):
            metric(ae, X_small[:, :3])
