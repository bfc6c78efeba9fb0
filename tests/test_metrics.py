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
    copy_rate,
    pair_trend_score,
    privacy_score,
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


# ---------------------------------------------------------------- pair trends and privacy
def test_pair_trends_compare_correlations_of_numbers():
    rng = np.random.RandomState(0)
    x = rng.randn(2000)
    real = np.c_[x, x + 0.2 * rng.randn(2000)]
    flipped = np.c_[x, -x + 0.2 * rng.randn(2000)]  # same marginals, opposite trend
    r = np.corrcoef(real.T)[0, 1]
    assert pair_trend_score(real, real) == pytest.approx(1.0)
    assert pair_trend_score(real, flipped) == pytest.approx(1 - abs(r - (-r)) / 2, abs=0.01)
    # Every pair counts once: a third, independent column adds two pairs of trend ~0.
    wider = np.c_[real, rng.randn(2000)]
    assert pair_trend_score(wider, wider) == pytest.approx(1.0)


def test_pair_trends_compare_contingency_tables_of_categories_and_binned_numbers():
    rng = np.random.RandomState(0)
    real = _mixed_table(rng, 3000, p_red=0.5)
    real["size"] = np.where(real["colour"] == "red", 1.0, -1.0) + 0.1 * rng.randn(3000)
    swapped = real.copy()
    swapped["colour"] = swapped["colour"].map({"red": "blue", "blue": "red"}).astype("category")
    same = pair_trend_score(real, real)
    assert same == pytest.approx(1.0)
    # The colour-size pair: every red row is among the large ones, and in the swapped table
    # among the small ones, so their contingency tables share nothing.
    pairs = 6
    assert pair_trend_score(real, swapped) == pytest.approx((pairs - 1 + 0.0) / pairs, abs=0.02)


def test_pair_trends_of_one_column_and_mismatched_columns():
    assert pair_trend_score(np.zeros((5, 1)), np.ones((5, 1))) == 1.0
    with pytest.raises(ValueError, match="same columns"):
        pair_trend_score(np.zeros((5, 2)), np.zeros((5, 3)))


def test_privacy_score_of_new_rows_is_about_one_and_of_copies_near_zero():
    rng = np.random.RandomState(0)
    train, holdout, new = (_mixed_table(rng, 600) for _ in range(3))
    assert 0.8 < privacy_score(train, new, holdout) < 1.25
    near_copies = train.iloc[:300].copy()
    near_copies["size"] += 1e-4
    assert privacy_score(train, near_copies, holdout) < 0.01


def test_privacy_score_measures_gower_distance():
    train = pd.DataFrame({"x": [0.0, 10.0], "c": pd.Categorical(["a", "b"])})
    holdout = pd.DataFrame({"x": [5.0], "c": pd.Categorical(["a"])})  # 0.5 / 2 columns
    # 1.0 is (0.1 + 1) / 2 from the first row, (0.9 + 0) / 2 from the closer second.
    synthetic = pd.DataFrame({"x": [1.0], "c": pd.Categorical(["b"])})
    assert privacy_score(train, synthetic, holdout) == pytest.approx(0.45 / 0.25)


def test_copy_rate_counts_exact_copies_of_training_rows():
    rng = np.random.RandomState(0)
    train = _mixed_table(rng, 200)
    rows = pd.concat([train.iloc[:30], _mixed_table(rng, 70)], ignore_index=True)
    assert copy_rate(train, rows) == pytest.approx(0.3)
    numbers = train[["size", "count"]].to_numpy()
    assert copy_rate(numbers, np.r_[numbers[:5], numbers[:5] + 0.5]) == 0.5
