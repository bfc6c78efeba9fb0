"""Mixed-type DataFrames: numbers, categories, strings, booleans and missing categories go in,
and a DataFrame of the same columns and dtypes comes out, for every estimator."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp

import skae._tabular.codec
from skae import AutoencoderTransformer, GANSampler, VAETransformer
from skae._nn.output_blocks import OutputBlocks
from skae._tabular.categories import MAX_CATEGORIES
from skae._tabular.codec import TableCodec, _decimals, _draw
from skae.metrics import reconstruction_error

from .conftest import fast

ESTIMATORS = [AutoencoderTransformer, VAETransformer, GANSampler]
ENCODERS = [AutoencoderTransformer, VAETransformer]
GRADES = pd.CategoricalDtype(["low", "mid", "high", "unused"], ordered=True)


def mixed_frame(n=150, seed=0):
    """Every kind of column skae models, with categories that depend on the numbers."""
    rng = np.random.RandomState(seed)
    income = rng.lognormal(3, 0.5, n)
    grade = np.where(income > 30, "high", np.where(income > 15, "mid", "low"))
    city = rng.choice(np.array(["Oslo", "Lima", None], dtype=object), n, p=[0.5, 0.4, 0.1])
    name = pd.array(rng.choice(["ann", "bo", "cy"], n), dtype="string")
    name[rng.rand(n) < 0.1] = pd.NA
    return pd.DataFrame(
        {
            "age": rng.randint(18, 90, n),
            "income": income,
            "grade": pd.Categorical(grade, dtype=GRADES),
            "city": pd.Series(city, dtype=object),
            "name": name,
            "member": income + rng.randn(n) * 5 > 20,
            "score": rng.randn(n).astype(np.float32),
            "visits": pd.array(rng.poisson(3, n), dtype="Int64"),
        }
    )


@pytest.fixture(scope="module")
def frame():
    return mixed_frame()


@pytest.fixture(params=ESTIMATORS, scope="module")
def fitted(request, frame):
    return fast(request.param).fit(frame)


@pytest.fixture(params=ENCODERS, scope="module")
def fitted_encoder(request, frame):
    return fast(request.param).fit(frame)


def assert_same_layout(out, frame):
    """Same columns, order and dtypes; integers integral; only training categories."""
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(frame.columns)
    pd.testing.assert_series_equal(out.dtypes, frame.dtypes)
    assert np.array_equal(out["age"], np.rint(out["age"]))
    for name in ["grade", "city", "name", "member"]:
        seen = set(frame[name].dropna())
        assert set(out[name].dropna()) <= seen
    assert set(out["grade"].cat.categories) == set(GRADES.categories)


# ------------------------------------------------------------------ round trip
@pytest.mark.parametrize("scaler", ["standard", "quantile", None])
def test_encoding_in_blocks_gives_the_whole_matrix(frame, scaler, monkeypatch):
    codec = TableCodec(scaler=scaler).learn_columns(frame)
    A = codec.to_array(frame)
    codec.fit(A)
    whole = codec.encode(A, dtype=np.float32)
    monkeypatch.setattr(skae._tabular.codec, "ENCODE_BLOCK_ROWS", 16)  # 150 rows: 10 blocks
    np.testing.assert_array_equal(codec.encode(A, dtype=np.float32), whole)


def test_an_update_in_blocks_learns_from_every_row(frame, monkeypatch):
    """``partial_fit``'s codec update reads the rows a block at a time (no copy of every
    numeric column) and ends where fitting on all the rows would."""
    codec = TableCodec().learn_columns(frame)
    A = codec.to_array(frame)
    codec.fit(A[:40])
    monkeypatch.setattr(skae._tabular.codec, "SCALER_FIT_ROWS", 16)  # 110 rows: 7 blocks
    codec.update(A[40:])
    everything = TableCodec().learn_columns(frame).fit(A)
    np.testing.assert_array_equal(codec.low_, everything.low_)
    np.testing.assert_array_equal(codec.high_, everything.high_)
    np.testing.assert_allclose(codec.scaler_.mean_, everything.scaler_.mean_, rtol=1e-12)
    np.testing.assert_allclose(codec.scaler_.scale_, everything.scaler_.scale_, rtol=1e-12)


def test_sample_returns_the_training_layout(fitted, frame):
    out = fitted.sample(500, random_state=0)
    assert_same_layout(out, frame)
    assert out.shape == (500, frame.shape[1])


def test_inverse_transform_returns_the_training_layout(fitted_encoder, frame):
    codes = fitted_encoder.transform(frame)
    assert codes.shape == (len(frame), fitted_encoder.n_components)
    assert np.isfinite(codes).all()
    assert_same_layout(fitted_encoder.inverse_transform(codes), frame)


def test_outlier_api_on_a_mixed_frame(fitted_encoder, frame):
    scores = fitted_encoder.score_samples(frame)
    assert scores.shape == (len(frame),) and np.isfinite(scores).all()
    assert set(fitted_encoder.predict(frame)) <= {-1, 1}
    errors = reconstruction_error(fitted_encoder, frame)
    assert errors.shape == (len(frame),) and (errors > 0).all()


@pytest.mark.slow
def test_missing_categories_are_sampled_as_missing(frame):
    # 10% of "city" is missing: a model trained on it reproduces missing values.
    gan = fast(GANSampler, max_epochs=100).fit(frame)
    city = gan.sample(2000, random_state=0)["city"]
    assert 0.02 < city.isna().mean() < 0.3
    assert city[city.isna()].map(lambda v: v is None).all()  # the missing value seen in fit


def test_all_categorical_frame():
    frame = pd.DataFrame({"a": list("xyzx") * 10, "b": [True, False] * 20})
    for Estimator in ESTIMATORS:
        out = fast(Estimator).fit(frame).sample(50, random_state=0)
        pd.testing.assert_series_equal(out.dtypes, frame.dtypes)


def test_sampling_is_reproducible_for_categories(fitted):
    a, b = fitted.sample(50, random_state=3), fitted.sample(50, random_state=3)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
@pytest.mark.parametrize("scaler", ["standard", "quantile", None])
def test_every_scaler_samples_within_the_training_range_and_precision(Estimator, scaler):
    """Samples keep each numeric column's range and decimals: a zero-inflated column
    rounded to 0.1 (like rainfall) gets exact zeros and no negative values."""
    rng = np.random.RandomState(0)
    rain = np.where(rng.rand(300) < 0.5, 0.0, np.round(rng.exponential(5, 300), 1))
    frame = pd.DataFrame({"rain": rain, "wind": rng.randn(300), "sky": rng.choice(["a", "b"], 300)})
    out = fast(Estimator, scaler=scaler).fit(frame).sample(500, random_state=0)
    assert out["rain"].between(0, rain.max()).all()
    np.testing.assert_array_equal(out["rain"], np.round(out["rain"], 1))
    assert (out["rain"] == 0).any()
    assert out["wind"].between(frame["wind"].min(), frame["wind"].max()).all()


# ------------------------------------------------------------------ statistics
@pytest.mark.slow
@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_category_frequencies_match_training(Estimator):
    """Samples reproduce the frequencies of a skewed category (and of one that depends on
    a number): total variation distance below 0.1."""
    rng = np.random.RandomState(0)
    n = 600
    colour = rng.choice(["red", "green", "blue"], n, p=[0.6, 0.3, 0.1])
    size = np.where(colour == "red", 1.0, -1.0) + 0.3 * rng.randn(n)
    frame = pd.DataFrame({"colour": colour, "size": size, "noise": rng.randn(n)})
    params = {"max_epochs": 60} if Estimator is GANSampler else {"max_epochs": 100}
    model = Estimator(random_state=0, device="cpu", **params).fit(frame)
    out = model.sample(4000, random_state=0)
    expected = frame["colour"].value_counts(normalize=True)
    observed = out["colour"].value_counts(normalize=True).reindex(expected.index, fill_value=0)
    assert 0.5 * np.abs(observed - expected).sum() < 0.1, observed.to_dict()


# ------------------------------------------------------------------ bad input
def test_nan_in_a_numeric_column_is_named(frame):
    bad = frame.copy()
    bad.loc[3, "income"] = np.nan
    with pytest.raises(ValueError, match="NaN in numeric column 'income'"):
        fast(AutoencoderTransformer).fit(bad)
    model = fast(AutoencoderTransformer).fit(frame)
    with pytest.raises(ValueError, match="'income'"):
        model.transform(bad)


def test_unseen_category_is_named(fitted_encoder, frame):
    bad = frame.copy()
    bad["city"] = bad["city"].where(bad.index != 5, "Paris")
    with pytest.raises(ValueError, match="'city' holds 'Paris'"):
        fitted_encoder.transform(bad)


def test_missing_value_where_fit_had_none(frame):
    model = fast(AutoencoderTransformer).fit(frame)
    bad = frame.copy()
    bad["member"] = bad["member"].astype(object)
    bad.loc[0, "member"] = None
    with pytest.raises(ValueError, match="'member' has missing values"):
        model.transform(bad)


def test_high_cardinality_column_is_refused():
    frame = pd.DataFrame({"id": [f"user{i}" for i in range(MAX_CATEGORIES + 1)], "x": 0.0})
    with pytest.raises(ValueError, match="'id' has 1001 categories.*TargetEncoder"):
        fast(AutoencoderTransformer).fit(frame)


def test_reordered_or_missing_columns_are_refused(frame):
    model = fast(AutoencoderTransformer).fit(frame)
    with pytest.raises(ValueError, match="same order"):
        model.transform(frame[frame.columns[::-1]])
    with pytest.raises(ValueError, match="missing"):
        model.transform(frame.drop(columns="city"))


def test_array_for_a_model_fitted_on_categories_is_refused(frame):
    model = fast(AutoencoderTransformer).fit(frame)
    with pytest.raises(ValueError, match="DataFrame with categorical columns"):
        model.transform(np.zeros((2, frame.shape[1])))


def test_a_numeric_column_that_became_text_is_named(frame):
    model = fast(AutoencoderTransformer).fit(frame)
    bad = frame.assign(income=frame["income"].astype(str))
    with pytest.raises(ValueError, match="'income' was numeric in fit"):
        model.transform(bad)


def test_unsupported_dtype_is_named():
    frame = pd.DataFrame({"when": pd.date_range("2020", periods=5), "x": np.arange(5.0)})
    with pytest.raises(TypeError, match="'when'"):
        fast(AutoencoderTransformer).fit(frame)


# ------------------------------------------------------------------ codec and heads
def test_codec_round_trip_is_exact(frame):
    codec = TableCodec().learn_columns(frame)
    A = codec.to_array(frame)
    codec.fit(A)
    M = codec.encode(A)
    assert M.shape == (len(frame), codec.n_outputs)
    # one-hot blocks: 3 grades seen (not "unused"), city 2 + missing, name 3 + missing, 2 bools
    assert codec.layout()[1] == [3, 3, 4, 2]
    back = codec.to_output(codec.decode(M))
    pd.testing.assert_frame_equal(back, frame, check_exact=False)


def test_logits_from_means_start_at_the_frequencies():
    blocks = OutputBlocks(1, [3])
    linear = torch.nn.Linear(2, 4)
    with torch.no_grad():
        linear.bias.copy_(torch.tensor([0.0, 0.6, 0.3, 0.1]))
        linear.weight.copy_(torch.tensor([[1.0, 0], [0.01, 0], [-0.01, 0], [0, 0]]))
    blocks.logits_from_means_(linear)
    out = blocks.activate(linear(torch.tensor([[1.0, 0.0]])))
    expected = torch.tensor([[1.0, 0.61, 0.29, 0.1]])
    torch.testing.assert_close(out, expected, atol=2e-3, rtol=0)


def test_reconstruction_loss_is_mse_without_categories():
    out, target = torch.randn(5, 3), torch.randn(5, 3)
    loss = OutputBlocks(3).reconstruction_loss(out, target)
    torch.testing.assert_close(loss, ((out - target) ** 2).mean(dim=1))


def test_precision_is_detected_and_continuous_data_has_none():
    rng = np.random.RandomState(0)
    assert _decimals(rng.randn(5000)) == -1
    assert _decimals(rng.randn(5000).astype(np.float32)) == -1
    assert _decimals(np.round(rng.randn(5000) * 100, 1)) == 1
    assert _decimals(np.round(rng.randn(5000) * 100, 1).astype(np.float32)) == 1
    assert _decimals(np.arange(10.0)) == 0


def test_draws_follow_the_softmax():
    logits = np.log(np.array([[0.7, 0.2, 0.1]] * 20000))
    draws = _draw(logits, np.random.RandomState(0))
    np.testing.assert_allclose(np.bincount(draws) / len(draws), [0.7, 0.2, 0.1], atol=0.01)


# ------------------------------------------------------------------ properties
@st.composite
def small_frames(draw):
    n = draw(st.integers(4, 25))
    columns = {}
    for j in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["float", "int", "category", "object", "bool"]))
        seed = draw(st.integers(0, 2**16))
        rng = np.random.RandomState(seed)
        if kind == "float":
            values = rng.randn(n) * 10 ** rng.randint(-2, 4)
        elif kind == "int":
            values = rng.randint(-5, 1000, n)
        elif kind == "bool":
            values = rng.rand(n) < 0.5
        else:
            k = draw(st.integers(1, 5))
            values = rng.choice([f"c{i}" for i in range(k)] + [None], n).astype(object)
            if kind == "category":
                values = pd.Categorical(values)
        columns[f"{kind}{j}"] = values
    return pd.DataFrame(columns)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=small_frames())
def test_any_small_mixed_frame_round_trips(frame):
    codec = TableCodec().learn_columns(frame)
    A = codec.to_array(frame)
    codec.fit(A)
    back = codec.to_output(codec.decode(codec.encode(A)))
    pd.testing.assert_frame_equal(back, frame, check_exact=False, atol=1e-6, rtol=1e-6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=small_frames(), which=st.sampled_from(ESTIMATORS))
def test_any_small_mixed_frame_fits_and_samples(frame, which):
    model = fast(which, max_epochs=1).fit(frame)
    out = model.sample(7, random_state=0)
    assert list(out.columns) == list(frame.columns)
    pd.testing.assert_series_equal(out.dtypes, frame.dtypes)
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name]) or frame[name].dtype == bool:
            assert set(out[name].dropna()) <= set(frame[name].dropna())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_encoding_standardises_exactly_as_the_standard_scaler(dtype):
    """The codec standardises batches without StandardScaler.transform's validation: the
    numbers are the scaler's arithmetic in X's dtype, bit for bit, which is what recent
    scikit-learn computes. (scikit-learn 1.7 subtracts the float64 mean from float32 rows
    in float64 and rounds: one float32 rounding away.)"""
    X = (np.random.RandomState(0).randn(500, 4) * 7 + 3).astype(dtype)
    X[:, 2] = 4.0  # a constant column: its scale is 1
    codec = TableCodec("standard").learn_columns(X)
    codec.fit(X)
    M = codec.encode(X)
    assert M.dtype == dtype
    scaler = codec.scaler_
    expected = (X - scaler.mean_.astype(dtype)) / scaler.scale_.astype(dtype)
    np.testing.assert_array_equal(M, expected)
    np.testing.assert_allclose(M, scaler.transform(X), rtol=0, atol=4 * np.finfo(dtype).eps)


def test_the_quantile_scaler_dequantises_training_rows_and_decodes_them_back():
    """With a random state, each tied value (a spike at 0, the integers) is spread
    uniformly over its share of the normal scale, so the encoded column is standard
    normal; decoding maps every point of that share back to the value. Without one,
    encoding is deterministic (QuantileTransformer's)."""
    rng = np.random.RandomState(0)
    counts = np.where(rng.rand(4000) < 0.5, 0, rng.randint(1, 4, 4000)).astype(float)
    X = np.c_[counts, rng.randn(4000)]
    codec = TableCodec("quantile").learn_columns(X)
    codec.fit(X)
    assert codec.dequantises and not TableCodec("standard").learn_columns(X).fit(X).dequantises
    M = codec.encode(X, random_state=np.random.RandomState(1))
    np.testing.assert_array_equal(codec.encode(X), codec.scaler_.transform(X))
    assert ks_2samp(M[:, 0], rng.randn(4000)).pvalue > 0.01  # continuous, standard normal
    zeros = M[counts == 0, 0]  # the lower half of the scale, spread over it
    assert zeros.max() < 0.05 and zeros.min() < -2
    np.testing.assert_array_equal(codec.decode(M)[:, 0], counts)
