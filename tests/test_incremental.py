"""Training in steps: partial_fit over chunks, and warm_start."""

import numpy as np
import pandas as pd
import pytest
import torch

from skae import AutoencoderTransformer, VAETransformer

from .conftest import fast


@pytest.fixture(params=[AutoencoderTransformer, VAETransformer], ids=lambda c: c.__name__)
def Estimator(request):
    return request.param


def test_the_first_chunk_learns_what_fit_learns(Estimator, X_small):
    """One partial_fit is one epoch of fit without a validation split (its raw weights),
    predicting with the moving average of the weights."""
    chunked = fast(Estimator).partial_fit(X_small)
    fitted = fast(Estimator, max_epochs=1, early_stopping=False).fit(X_small)
    np.testing.assert_array_equal(chunked.codec_.scaler_.mean_, fitted.codec_.scaler_.mean_)
    averaging = dict(chunked.net_.callbacks_)["weight_average"]
    trained = [p for p in fitted.net_.module_.parameters() if p.requires_grad]
    for raw, weight in zip(averaging.raw_weights_, trained, strict=True):
        torch.testing.assert_close(raw, weight, rtol=0, atol=0)
    assert chunked.n_iter_ == 1
    assert not np.array_equal(chunked.transform(X_small), fitted.transform(X_small))


def test_the_weight_average_runs_across_calls(Estimator, X_small):
    model = fast(Estimator, batch_size=20, scaler=None).partial_fit(X_small[:60])
    averaging = dict(model.net_.callbacks_)["weight_average"]
    raw = [w.clone() for w in averaging.raw_weights_]
    module = model.net_.module_
    average = [p.detach().clone() for p in module.parameters() if p.requires_grad]
    assert not all(torch.equal(a, r) for a, r in zip(average, raw, strict=True))
    started_from = []
    module.register_forward_pre_hook(
        lambda m, args: (
            started_from.append([p.detach().clone() for p in m.parameters()])
            if m.training and not started_from
            else None
        )
    )
    model.partial_fit(X_small[60:])
    trainable = [p.requires_grad for p in module.parameters()]
    first = [w for w, t in zip(started_from[0], trainable, strict=True) if t]
    for weight, kept in zip(first, raw, strict=True):  # the second call trains on the raw ones
        torch.testing.assert_close(weight, kept, rtol=0, atol=0)
    assert averaging.steps_ == 6  # one average over both calls' 3 + 3 steps


def test_later_chunks_continue_training_and_update_the_scaling(Estimator, X_small):
    model = fast(Estimator).partial_fit(X_small[:40])
    for _ in range(10):
        for start in range(0, 120, 40):
            model.partial_fit(X_small[start : start + 40])
    assert model.n_iter_ == 31 and len(model.history_) == 31
    seen = np.concatenate([X_small[:40], *[X_small] * 10])  # every row partial_fit saw
    np.testing.assert_allclose(model.codec_.scaler_.mean_, seen.mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(model.codec_.scaler_.scale_, seen.std(axis=0), rtol=1e-5)
    np.testing.assert_array_equal(model.codec_.low_, X_small.min(axis=0))
    losses = [row["train_loss"] for row in model.history_]
    assert np.mean(losses[-3:]) < np.mean(losses[1:4])  # the same chunks, later passes


@pytest.mark.parametrize("Model", [AutoencoderTransformer, VAETransformer])
def test_a_scaling_update_keeps_the_function_in_the_users_units(Model):
    """When a chunk moves the scaling, the network is rescaled so that codes,
    reconstructions and the VAE's likelihood of every row stay as they were."""
    import copy

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 4)) * [1, 10, 0.1, 5] + [0, 3, -2, 100])
    X.columns = list("abcd")
    X["kind"] = pd.Categorical(np.array(["x", "y", "z"])[np.arange(300) % 3])
    model = fast(Model, n_components=2).partial_fit(X[:50])
    before = copy.deepcopy(model)  # (a copy keeps the average, not the raw weights)
    averaging = dict(model.net_.callbacks_)["weight_average"]
    with averaging.holding_raw_weights(model.net_.module_):
        raw_codes = model.transform(X)
    model._learn_from_chunk(model._validate_input(X[50:]))
    assert not np.allclose(model.codec_.scaler_.mean_, before.codec_.scaler_.mean_, rtol=0.1)
    np.testing.assert_allclose(model.transform(X), before.transform(X), atol=1e-5)
    decoded, decoded_before = (m.inverse_transform(m.transform(X)) for m in (model, before))
    pd.testing.assert_frame_equal(decoded, decoded_before, rtol=1e-4)
    if Model is VAETransformer:
        np.testing.assert_allclose(model.score_samples(X), before.score_samples(X), rtol=1e-5)
    # The raw weights kept between calls are rescaled too.
    with averaging.holding_raw_weights(model.net_.module_):
        np.testing.assert_allclose(model.transform(X), raw_codes, atol=1e-5)
    assert not np.allclose(raw_codes, model.transform(X), atol=1e-3)  # not the average
    # A loaded model keeps the average only, and rescales it once.
    before._learn_from_chunk(before._validate_input(X[50:]))
    np.testing.assert_allclose(before.transform(X), model.transform(X), atol=1e-5)


def test_a_column_constant_so_far_keeps_only_its_mean():
    """A column with one value in the first chunk has a placeholder scale (1): when a
    chunk gives it a spread, the VAE's decoder scale for it is not divided by that spread,
    as keeping the function through a placeholder would do; a varying column's is."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 2.0, 1.0]
    X[:100, 2] = 0.0  # constant in the first chunk; its spread later about 0.7
    model = fast(VAETransformer, n_components=2).partial_fit(X[:100])
    log_scale = model.net_.module_.log_scale.detach().clone()
    old_scale = model.codec_.scaler_.scale_.copy()
    model._learn_from_chunk(model._validate_input(X[100:]))
    after = model.net_.module_.log_scale.detach()
    scale = model.codec_.scaler_.scale_
    assert scale[2] < 0.8
    assert after[2].item() == pytest.approx(log_scale[2].item())
    expected = log_scale[1].item() - np.log(scale[1] / old_scale[1])  # function kept
    assert after[1].item() == pytest.approx(expected, rel=1e-5)


def test_a_chunk_must_keep_the_columns_and_categories(X_small):
    frame = pd.DataFrame(X_small[:, :3], columns=["a", "b", "c"])
    frame["kind"] = np.array(["x", "y"])[np.arange(120) % 2]
    model = fast(AutoencoderTransformer).partial_fit(frame[:60])
    with pytest.raises(ValueError, match="'kind' holds 'z'.*partial_fit's first chunk"):
        model.partial_fit(frame[60:].assign(kind="z"))
    with pytest.raises(ValueError, match="feature names"):
        model.partial_fit(frame[60:].rename(columns={"a": "A"}))


def test_a_categorical_dtype_declares_categories_ahead(X_small):
    kinds = pd.CategoricalDtype(["x", "y", "z"])
    frame = pd.DataFrame(X_small[:, :3], columns=["a", "b", "c"])
    frame["kind"] = pd.Series(np.array(["x", "y"])[np.arange(120) % 2]).astype(kinds)
    model = fast(AutoencoderTransformer).partial_fit(frame[:60])
    model.partial_fit(frame[60:].assign(kind=pd.Series(["z"] * 60, dtype=kinds).values))
    assert model.codec_.categorical_[3].values == ["x", "y", "z"]


def test_warm_start_continues_from_the_fitted_weights(Estimator, X_small):
    warm = fast(Estimator, warm_start=True, early_stopping=False).fit(X_small)
    codes = warm.transform(X_small)
    warm.fit(X_small)
    assert warm.n_iter_ == 6  # two fits of max_epochs=3, one history
    assert not np.array_equal(warm.transform(X_small), codes)
    cold = fast(Estimator, early_stopping=False).fit(X_small).fit(X_small)
    assert cold.n_iter_ == 3
    np.testing.assert_array_equal(cold.transform(X_small), codes)  # from scratch, same seed


def test_dask_ml_incremental_trains_block_by_block(X_small):
    """dask-ml's Incremental calls partial_fit once per block of a dask array; transform
    goes through its map_blocks, score_samples through dask's."""
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    blocks = da.from_array(X_small, chunks=(40, 7))
    incremental = wrappers.Incremental(fast(AutoencoderTransformer)).fit(blocks)
    model = incremental.estimator_
    assert model.n_iter_ == 3  # one pass per block
    codes = incremental.transform(blocks)
    assert isinstance(codes, da.Array)
    np.testing.assert_array_equal(codes.compute(), model.transform(X_small))
    scores = blocks.map_blocks(model.score_samples, drop_axis=1, dtype=np.float64)
    np.testing.assert_array_equal(scores.compute(), model.score_samples(X_small))


def test_a_continued_vae_records_numbers_only(X_small):
    """A second training run evaluates the start before its first epoch; the KL computed
    there must not land in the last epoch's batches (as a tensor never read back)."""
    model = fast(VAETransformer, warm_start=True).fit(X_small).fit(X_small)
    model.partial_fit(X_small)
    values = [v for epoch in model.net_.history for row in epoch["batches"] for v in row.values()]
    assert values and not any(torch.is_tensor(v) for v in values)


def test_each_continued_call_draws_new_shuffles_and_noise(X_small):
    """With a fixed random_state, each partial_fit call continues the random stream (as the
    epochs of one fit do), rather than repeating the first call's shuffle and noise."""
    from skae._training.data import TensorBatches

    orders = []

    class RecordedBatches(TensorBatches):
        def __iter__(self):
            batches = list(super().__iter__())
            orders.append(torch.cat([X for X, _ in batches]))
            return iter(batches)

    model = fast(VAETransformer, batch_size=40).partial_fit(X_small)
    model.net_.iterator_train = RecordedBatches
    seeds = set()  # of the torch generator that draws the VAE's noise, per call
    model.net_.module_.register_forward_hook(lambda *_: seeds.add(torch.initial_seed()))
    model.partial_fit(X_small).partial_fit(X_small)
    assert not torch.equal(orders[0], orders[1])  # a new shuffle of the same chunk
    rows = [torch.sort(order, dim=0).values for order in orders]
    assert torch.equal(rows[0], rows[1])  # of the same rows
    assert len(seeds) == 2
    again = fast(VAETransformer, batch_size=40).partial_fit(X_small)
    again.partial_fit(X_small).partial_fit(X_small)
    np.testing.assert_array_equal(again.transform(X_small), model.transform(X_small))


def test_a_continued_call_never_holds_the_chunk_encoded(Estimator, monkeypatch):
    """After the first chunk, partial_fit encodes the rows it trains on a batch at a time
    (with the same results as encoding the chunk at once), and what it fits after
    training on subsamples or inference batches: the chunk's model matrix never exists."""
    X = np.random.default_rng(0).normal(size=(5000, 4))
    model = fast(Estimator, batch_size=100).partial_fit(X[:500])
    codec_class = type(model.codec_)
    encoded = []
    whole_encode = codec_class.encode

    def recorded_encode(codec, A, dtype=None, random_state=None):
        encoded.append(len(A))
        return whole_encode(codec, A, dtype, random_state)

    monkeypatch.setattr(codec_class, "encode", recorded_encode)
    model.partial_fit(X)
    assert encoded.count(100) == 50 and max(encoded) < len(X)


@pytest.mark.parametrize("how", ["partial_fit", "warm_start"])
def test_a_loaded_model_trains_on_as_the_saved_one_would(Estimator, X_small, how):
    """A saved model's net is made again as fit or partial_fit made it (batch size,
    callbacks), and the epochs of training after loading add to n_iter_ and history_ (the
    optimiser's moments are not saved: they start afresh)."""
    import pickle

    def train(model):
        if how == "partial_fit":
            return model.partial_fit(X_small[60:])
        return model.fit(X_small)

    if how == "partial_fit":
        model = fast(Estimator, batch_size="auto").partial_fit(X_small[:60])
    else:
        model = fast(Estimator, warm_start=True, early_stopping=False).fit(X_small)
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.net_.batch_size == model.net_.batch_size
    callbacks = [type(c) for _, c in model.net_.callbacks_]
    assert [type(c) for _, c in loaded.net_.callbacks_] == callbacks
    codes = loaded.transform(X_small)
    train(model), train(loaded)
    assert loaded.n_iter_ == model.n_iter_ > 1
    assert [row["epoch"] for row in loaded.history_] == list(range(1, loaded.n_iter_ + 1))
    assert not np.allclose(loaded.transform(X_small), codes)  # it trained on
