"""What every neural estimator does, as a user meets it: fitting, sampling, reproducibility,
persistence, progress, devices and errors. Each test runs on each estimator; what only
encoder/decoder models do is in ``test_encoder_decoder.py``, what one model does in its own
test file."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.utils.validation import check_is_fitted

from skae import (
    AEGANFusion,
    AutoencoderTransformer,
    DiffusionSampler,
    GANSampler,
    TrainingDivergedError,
    VAETransformer,
)
from skae._utils.sklearn_compat import InvalidParameterError

from .conftest import fast

#: Settings under which each estimator's training diverges.
DIVERGING = {
    AutoencoderTransformer: {"lr": 1e30, "pca_init": False, "max_epochs": 50},
    VAETransformer: {"lr": 1e30, "pca_init": False, "max_epochs": 50},
    GANSampler: {"lr": 1e30, "max_epochs": 50},
    DiffusionSampler: {"lr": 1e30, "max_epochs": 50},
}


@pytest.fixture(
    params=[AutoencoderTransformer, VAETransformer, GANSampler, DiffusionSampler],
    ids=lambda c: c.__name__,
)
def Estimator(request):
    return request.param


@pytest.fixture
def fitted(Estimator, X_small):
    return fast(Estimator).fit(X_small)


def test_sample_shape_and_dtype_follow_the_training_data(Estimator, X_small, fitted):
    assert fitted.sample(5, random_state=0).shape == (5, 7)
    assert fitted.sample(5, random_state=0).dtype == np.float32
    assert fast(Estimator).fit(X_small.astype(np.float64)).sample(5).dtype == np.float64
    assert fitted.sample().shape == (1, 7)


def test_samples_are_in_the_original_units(Estimator, X_small):
    X = X_small * 1e6 + 5e6  # standardisation inside the model must handle any scale
    samples = fast(Estimator, max_epochs=20).fit(X).sample(500, random_state=0)
    assert np.all(np.isfinite(samples))
    assert np.all(np.abs(samples.mean(0) - X.mean(0)) < 1.5 * X.std(0))
    # sample() keeps each column to its training range, so the mean alone would pass
    # whatever the network output: output in other units would pile up at the ends.
    at_an_end = (samples == X.min(0)) | (samples == X.max(0))
    assert at_an_end.mean() < 0.05


def random_training(Estimator, rate):
    """Parameters that make training draw random numbers beyond the batch order: dropout
    where the estimator has it (the diffusion sampler draws noise and times anyway)."""
    return {"dropout": rate} if "dropout" in Estimator().get_params() else {}


def test_int_random_state_reproduces_everything(Estimator, X_small):
    a = fast(Estimator, **random_training(Estimator, 0.2)).fit(X_small)
    b = fast(Estimator, **random_training(Estimator, 0.2)).fit(X_small)
    np.testing.assert_array_equal(a.sample(20, random_state=1), b.sample(20, random_state=1))
    assert a.history_[-1]["train_loss"] == b.history_[-1]["train_loss"]
    c = fast(Estimator, **random_training(Estimator, 0.2), random_state=1).fit(X_small)
    assert not np.array_equal(a.sample(20, random_state=1), c.sample(20, random_state=1))


@pytest.mark.parametrize("random_state", [None, 0])
def test_fit_leaves_global_random_state_untouched(Estimator, X_small, random_state):
    # The legacy global API is the point here: it is the state users' code relies on.
    np.random.seed(123)  # noqa: NPY002
    torch.manual_seed(123)
    numpy_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state()  # noqa: NPY002
    fast(Estimator, random_state=random_state, **random_training(Estimator, 0.1)).fit(X_small)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_sample_reproducible_only_with_random_state(fitted):
    np.testing.assert_array_equal(
        fitted.sample(8, random_state=0), fitted.sample(8, random_state=0)
    )
    assert not np.array_equal(fitted.sample(8), fitted.sample(8))


def test_clone_and_pickle_round_trip(X_small, fitted):
    assert clone(fitted).get_params() == fitted.get_params()
    assert not hasattr(clone(fitted), "net_")
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(
        restored.sample(10, random_state=3), fitted.sample(10, random_state=3)
    )


def test_dataframe_in_dataframe_out(Estimator, X_small):
    frame = pd.DataFrame(X_small, columns=list("abcdefg"))
    frame["count"] = np.round(np.abs(frame["a"]) * 10).astype("int64")
    frame["flag"] = frame["b"] > 0
    model = fast(Estimator).fit(frame)
    assert list(model.feature_names_in_) == list(frame.columns)
    out = model.sample(30, random_state=0)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(frame.columns)
    assert (out.dtypes == frame.dtypes).all()


def test_verbose_shows_progress_bar_with_losses(Estimator, X_small, capfd):
    fast(Estimator, verbose=1).fit(X_small)
    err = capfd.readouterr().err
    assert Estimator.__name__ in err and "train_loss" in err and "3/3" in err


def test_silent_by_default(Estimator, X_small, capfd):
    fast(Estimator).fit(X_small)
    assert capfd.readouterr() == ("", "")


def test_diverging_run_stops_with_advice(Estimator, X_small):
    with pytest.raises(TrainingDivergedError, match="Lower the learning rate"):
        fast(Estimator, **DIVERGING[Estimator]).fit(X_small * 1e3)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_input_is_refused(Estimator, X_small, value):
    X = X_small.copy()
    X[3, 2] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        fast(Estimator).fit(X)


def test_empty_and_single_row_input(Estimator, X_small):
    with pytest.raises(ValueError, match="0 sample"):
        fast(Estimator).fit(X_small[:0])
    with pytest.raises(ValueError, match="1 sample"):
        fast(Estimator).fit(X_small[:1])


def test_non_numeric_array_is_refused(Estimator):
    # Only a DataFrame says which columns are categories; an array must hold numbers.
    with pytest.raises(ValueError, match="could not convert"):
        fast(Estimator).fit(np.array([["a", "b"], ["c", "d"]], dtype=object))


def test_sparse_input_is_refused(Estimator, X_small):
    with pytest.raises(TypeError, match="dense"):
        fast(Estimator).fit(sp.csr_matrix(X_small))


def test_bad_n_samples(fitted):
    for n in (0, -1, 2.5):
        with pytest.raises(ValueError, match="n_samples"):
            fitted.sample(n)


def test_sample_before_fit_raises_not_fitted(Estimator):
    with pytest.raises(NotFittedError):
        Estimator().sample()


@pytest.mark.parametrize(
    "params, name",
    [
        ({"batch_size": 0}, "batch_size"),
        ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes"),
        ({"activation": "sigmoidal"}, "activation"),
        ({"device": "gpu"}, "device"),
        ({"lr": -1.0}, "lr"),
        ({"dropout": 1.0}, "dropout"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"scaler": "minmax"}, "scaler"),
    ],
)
def test_invalid_parameters_name_the_parameter(Estimator, X_small, params, name):
    if name not in Estimator().get_params():
        pytest.skip(f"{Estimator.__name__} has no {name}")
    with pytest.raises(InvalidParameterError, match=name):
        fast(Estimator, **params).fit(X_small)


@pytest.mark.parametrize("shape", [(1, 2), (1, 0, 7), (1.0, 1, 7)])
def test_malformed_input_shape_names_the_parameter(Estimator, X_small, shape):
    with pytest.raises(InvalidParameterError, match="input_shape"):
        fast(Estimator, input_shape=shape).fit(X_small)


# ------------------------------------------------------------------ devices
def _interrupt_on_step(monkeypatch, net_class, step):
    """Make ``net_class`` raise KeyboardInterrupt (as Ctrl-C does) from step ``step`` on."""
    original = net_class.train_step
    calls = {"n": 0}

    def train_step(self, batch, **fit_params):
        calls["n"] += 1
        if calls["n"] >= step:
            raise KeyboardInterrupt
        return original(self, batch, **fit_params)

    monkeypatch.setattr(net_class, "train_step", train_step)


def test_ctrl_c_propagates_and_leaves_the_estimator_as_before(Estimator, X_small, monkeypatch):
    """skorch swallows KeyboardInterrupt and returns a half-trained net; skae re-raises
    it, as scikit-learn does, and leaves the estimator as it was before fit."""
    net_class = fast(Estimator)._net_class
    fitted = fast(Estimator).fit(X_small)
    before = fitted.transform(X_small) if hasattr(fitted, "transform") else fitted.sample(5, 0)
    _interrupt_on_step(monkeypatch, net_class, step=3)
    unfitted = fast(Estimator, max_epochs=20)
    with pytest.raises(KeyboardInterrupt):
        unfitted.fit(X_small)
    with pytest.raises(NotFittedError):
        check_is_fitted(unfitted)
    with pytest.raises(KeyboardInterrupt):
        fitted.set_params(max_epochs=20).fit(X_small[::-1])
    after = fitted.transform(X_small) if hasattr(fitted, "transform") else fitted.sample(5, 0)
    np.testing.assert_array_equal(after, before)


def test_ctrl_c_stops_a_search(X_small, monkeypatch):
    from skae._training.nets import ReconstructionNet

    _interrupt_on_step(monkeypatch, ReconstructionNet, step=3)
    search = GridSearchCV(fast(AutoencoderTransformer), {"n_components": [1, 2, 3]}, cv=2)
    with pytest.raises(KeyboardInterrupt):
        search.fit(X_small)
    with pytest.raises(KeyboardInterrupt):
        cross_val_score(fast(AutoencoderTransformer), X_small, cv=2)


def test_tags_say_dataframes_with_categories_and_strings_are_accepted(Estimator):
    from sklearn.utils import get_tags

    tags = get_tags(Estimator())
    assert tags.input_tags.categorical and tags.input_tags.string
    assert get_tags(AEGANFusion()).input_tags.categorical


def test_a_float32_torch_tensor_is_a_float32_array(Estimator, X_small):
    """A float32 torch tensor is taken as the float32 array it holds (scikit-learn alone
    cannot read a torch dtype, and would validate it into float64)."""
    model = fast(Estimator).fit(torch.from_numpy(X_small))
    from_array = fast(Estimator).fit(X_small)
    assert model.sample(3, random_state=0).dtype == np.float32
    np.testing.assert_array_equal(
        model.sample(3, random_state=0), from_array.sample(3, random_state=0)
    )
    if hasattr(model, "transform"):
        codes = model.transform(torch.from_numpy(X_small).requires_grad_())
        assert codes.dtype == np.float32
        np.testing.assert_array_equal(codes, from_array.transform(X_small))


def test_an_array_of_strings_is_pointed_to_a_dataframe(Estimator):
    X = np.array([["a", 1.0], ["b", 2.0], ["a", 3.0]], dtype=object)
    with pytest.raises(ValueError, match=r"not numbers .*pass pd\.DataFrame\(X"):
        fast(Estimator).fit(X)
