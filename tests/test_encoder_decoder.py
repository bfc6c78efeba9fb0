"""What every encoder/decoder estimator does beyond fitting and sampling (those are in
``test_estimators.py``): transforms in pipelines and searches, reconstructions, the outlier
API and their errors. Each test runs on each estimator; what is specific to one model is in
its own test file."""

import ast
import importlib
import inspect
import pickle
import pkgutil
import re

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

import skae._base.contracts
import skae._fusion
import skae._training.compute
import skae.metrics
import skae.onnx
import skae.plotting
from skae import AEGANFusion, AutoencoderTransformer, GANSampler, VAETransformer
from skae._utils.sklearn_compat import InvalidParameterError

from .conftest import fast


@pytest.fixture(params=[AutoencoderTransformer, VAETransformer], ids=lambda c: c.__name__)
def Estimator(request):
    return request.param


@pytest.fixture
def fitted(Estimator, X_small):
    return fast(Estimator, n_components=2).fit(X_small)


def test_shapes_and_float32_preserved(Estimator, X_small, fitted):
    Z = fitted.transform(X_small)
    assert Z.shape == (120, 2) and Z.dtype == np.float32
    assert fitted.inverse_transform(Z).shape == (120, 7)
    assert fitted.inverse_transform(Z).dtype == np.float32
    assert fitted.transform(X_small.astype(np.float64)).dtype == np.float64
    assert fitted.score_samples(X_small).dtype == np.float64


def test_reconstructions_are_in_the_original_units(Estimator, X_small):
    X = X_small * 1e6 + 5e6  # standardisation inside the model must handle any scale
    ae = fast(Estimator, n_components=4, max_epochs=20).fit(X)
    reconstruction = ae.inverse_transform(ae.transform(X))
    assert np.all(np.isfinite(reconstruction))
    relative_error = np.abs(reconstruction - X).mean() / np.abs(X - X.mean(0)).mean()
    assert relative_error < 0.5


def test_pipeline_with_classifier(Estimator):
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(
        fast(Estimator, n_components=16, hidden_layer_sizes=(32,), max_epochs=5),
        LogisticRegression(max_iter=500),
    )
    assert cross_val_score(pipe, X[:600], y[:600], cv=3).mean() > 0.75


def test_grid_search_without_scoring_or_y_picks_larger_code(Estimator, X_small):
    search = GridSearchCV(fast(Estimator), {"n_components": [1, 4]}, cv=3)
    search.fit(X_small)
    assert search.best_params_ == {"n_components": 4}


def test_pickle_round_trip_keeps_every_output(X_small, fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X_small), fitted.transform(X_small))
    np.testing.assert_array_equal(restored.score_samples(X_small), fitted.score_samples(X_small))


def test_int_random_state_reproduces_codes_and_scores(Estimator, X_small):
    a = fast(Estimator, dropout=0.2).fit(X_small)
    b = fast(Estimator, dropout=0.2).fit(X_small)
    np.testing.assert_array_equal(a.transform(X_small), b.transform(X_small))
    np.testing.assert_array_equal(a.score_samples(X_small), b.score_samples(X_small))


def test_set_output_pandas_and_feature_names(Estimator, X_small, fitted):
    names = fitted.get_feature_names_out()
    prefix = Estimator.__name__.lower()
    assert list(names) == [f"{prefix}0", f"{prefix}1"]
    Z = clone(fitted).set_output(transform="pandas").fit(X_small).transform(X_small)
    assert isinstance(Z, pd.DataFrame) and list(Z.columns) == list(names)


def test_inverse_transform_of_dataframe_fit_is_a_dataframe(Estimator, X_small):
    frame = pd.DataFrame(X_small, columns=list("abcdefg"))
    frame["count"] = np.round(np.abs(frame["a"]) * 10).astype("int64")
    frame["flag"] = frame["b"] > 0
    ae = fast(Estimator, n_components=3).fit(frame)
    out = ae.inverse_transform(ae.transform(frame))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(frame.columns)
    assert (out.dtypes == frame.dtypes).all()
    with pytest.raises(ValueError, match="feature names"):
        ae.transform(frame[frame.columns[::-1]])


def test_outlier_api(Estimator, X_small, fitted):
    labels = fitted.predict(X_small)
    assert set(np.unique(labels)) == {-1, 1}
    assert abs(np.mean(labels == -1) - fitted.contamination) < 0.02
    np.testing.assert_allclose(
        fitted.decision_function(X_small), fitted.score_samples(X_small) - fitted.offset_
    )
    assert fitted.score(X_small) == pytest.approx(fitted.score_samples(X_small).mean())
    np.testing.assert_array_equal(clone(fitted).fit_predict(X_small), labels)


def test_far_away_rows_score_lower(Estimator, X_small):
    ae = fast(Estimator, n_components=2, max_epochs=30).fit(X_small)
    outliers = X_small[:10] + np.float32(3.0) * X_small.std(0)
    assert ae.score_samples(outliers).max() < np.median(ae.score_samples(X_small))
    assert np.all(ae.predict(outliers) == -1)


def test_history_and_n_iter(Estimator, X_small):
    ae = fast(Estimator, max_epochs=4, early_stopping=False).fit(X_small)
    assert ae.n_iter_ == len(ae.history_) == 4
    assert {"epoch", "train_loss", "dur"} <= set(ae.history_[0])
    stopped = fast(Estimator, max_epochs=500, n_iter_no_change=2).fit(X_small)
    assert stopped.n_iter_ < 500
    assert "valid_loss" in stopped.history_[0]


def test_early_stopping_counts_its_last_epoch_everywhere(Estimator, X_small, capfd):
    """The epoch after which early stopping stops has run: history_, n_iter_ and the
    progress bar count it alike."""
    stopped = fast(Estimator, max_epochs=500, n_iter_no_change=2, verbose=1).fit(X_small)
    assert stopped.n_iter_ == len(stopped.history_) < 500
    last_shown = capfd.readouterr().err.split("\r")[-1]
    assert f"| {stopped.n_iter_}/500 [" in last_shown


def test_inverse_transform_takes_x_and_routes_no_metadata(Estimator, fitted):
    """Named ``X`` as in scikit-learn's transformers: another name would be metadata, and
    every model would grow a ``set_inverse_transform_request`` method."""
    assert list(inspect.signature(Estimator.inverse_transform).parameters) == ["self", "X"]
    assert not hasattr(fitted, "set_inverse_transform_request")
    codes = fitted.transform(fitted.sample(3, random_state=0))
    assert fitted.inverse_transform(X=codes).shape == (3, 7)


def test_inference_is_batched(Estimator, X_small, fitted, monkeypatch):
    expected = fitted.transform(X_small.astype(np.float64))
    seen = []
    fitted.net_.module_.encoder_net.register_forward_hook(lambda m, i, o: seen.append(len(i[0])))
    monkeypatch.setattr(skae._training.compute, "CPU_INFERENCE_BATCH_SIZE", 7)
    np.testing.assert_allclose(fitted.transform(X_small.astype(np.float64)), expected, rtol=1e-12)
    probe, *batches = seen  # a one-row pass first counts the work (skae._training.compute)
    assert probe == 1 and max(batches) == 7 and sum(batches) == len(X_small)


def test_wide_rows_go_fewer_to_an_inference_batch(Estimator, X_small, fitted, monkeypatch):
    seen = []
    fitted.net_.module_.encoder_net.register_forward_hook(lambda m, i, o: seen.append(len(i[0])))
    # 7 float64 columns in, 7 out: 56 bytes a row, so 10 rows a batch within 600 bytes.
    monkeypatch.setattr(skae._training.compute, "CPU_INFERENCE_BATCH_BYTES", 600)
    fitted.transform(X_small.astype(np.float64))
    probe, *batches = seen
    assert max(batches) == 10 and sum(batches) == len(X_small)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_input_is_refused_at_transform(X_small, fitted, value):
    X = X_small.copy()
    X[3, 2] = value
    with pytest.raises(ValueError, match="NaN|infinity"):
        fitted.transform(X)


def test_wrong_number_of_features(Estimator, X_small, fitted):
    with pytest.raises(ValueError, match="features"):
        fitted.transform(X_small[:, :4])
    with pytest.raises(ValueError, match="n_components=2"):
        fitted.inverse_transform(np.zeros((3, 5)))


def test_empty_input_is_refused_at_scoring(X_small, fitted):
    with pytest.raises(ValueError, match="0 sample"):
        fitted.score_samples(X_small[:0])


@pytest.mark.parametrize(
    "method",
    [
        "transform",
        "inverse_transform",
        "score_samples",
        "decision_function",
        "predict",
        "score",
    ],
)
def test_methods_before_fit_raise_not_fitted(Estimator, X_small, method):
    ae = Estimator()
    inputs = {"inverse_transform": (X_small[:, :2],)}
    args = inputs.get(method, (X_small,))
    with pytest.raises(NotFittedError):
        getattr(ae, method)(*args)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"n_components": 0}, "n_components"),
        ({"contamination": 0.7}, "contamination"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ],
)
def test_invalid_parameters_name_the_parameter(Estimator, X_small, params, name):
    with pytest.raises(InvalidParameterError, match=name):
        fast(Estimator, **params).fit(X_small)


def test_global_pandas_output_changes_what_comes_back_not_how_it_works(Estimator, X_small):
    """Under sklearn.set_config(transform_output="pandas") the returned codes are a
    DataFrame, while fit and the other methods compute as without it (the internal
    scaler keeps handing arrays to torch)."""
    with config_context(transform_output="pandas"):
        model = fast(Estimator).fit(X_small)
        codes = model.transform(X_small)
        scores = model.score_samples(X_small)
    assert isinstance(codes, pd.DataFrame) and list(codes.columns) == list(
        model.get_feature_names_out()
    )
    np.testing.assert_allclose(codes.to_numpy(), model.transform(X_small))
    np.testing.assert_allclose(scores, model.score_samples(X_small))


# ---------------------------------------------------------------- the contracts
#: The modules that drive skae's models from outside: the fusion composes them, the
#: metrics, the exporter and the displays read them.
#: Documented fitted attributes that are the models' internals all the same: a driver uses
#: the contracts instead.
INTERNALS = {"net_", "codec_"}
#: Fitted attributes of the scikit-learn models a driver fits itself (CodeDisplay's PCA).
SCIKIT_LEARN_ATTRIBUTES = {"explained_variance_ratio_"}
DRIVERS = [
    skae._fusion,
    skae.onnx,
    *(
        importlib.import_module(f"{package.__name__}.{info.name}")
        for package in (skae.metrics, skae.plotting)
        for info in pkgutil.iter_modules(package.__path__)
    ),
]


def contract_names():
    """The private methods of the contracts in ``skae._base.contracts``."""
    protocols = [
        value
        for value in vars(skae._base.contracts).values()
        if isinstance(value, type) and getattr(value, "_is_protocol", False)
    ]
    return {
        name
        for protocol in protocols
        for name in vars(protocol)
        if name.startswith("_") and not name.startswith("__") and callable(vars(protocol)[name])
    }


def documented_attributes():
    """The fitted attributes (``name_``) the public estimators' docstrings document."""
    names = set()
    for estimator in (AutoencoderTransformer, VAETransformer, GANSampler, AEGANFusion):
        section = estimator.__doc__.split("Attributes\n    ----------\n")[1]
        section = re.split(r"\n    \S[^\n]*\n    -{3,}\n", section)[0]
        for line in section.splitlines():
            if re.match(r"^    \w", line) and " : " in line:
                names |= {name.strip() for name in line.split(" : ")[0].split(",")}
    return {name for name in names if name.endswith("_")}


def attributes_of_other_objects(module):
    """Each attribute name ``module`` reads of an object other than ``self`` and its
    imported modules: ``x.name`` and ``getattr(x, "name", ...)``."""
    tree = ast.parse(inspect.getsource(module))
    imported = {
        (alias.asname or alias.name).partition(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    skipped = imported | {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if not (isinstance(node.value, ast.Name) and node.value.id in skipped):
                yield node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
        ):
            yield node.args[1].value


def test_the_contract_names_are_collected():
    assert {"_encode_rows", "_trainable_decoder", "_critic_copy", "_kept_epoch"} <= (
        contract_names()
    )
    assert {"autoencoder_", "offset_", "n_components_", "history_"} <= documented_attributes()


@pytest.mark.parametrize("module", DRIVERS, ids=lambda m: m.__name__)
def test_models_are_driven_only_through_their_contracts(module):
    """The fusion, the metrics, the exporter and the displays use another model only
    through the private methods of ``skae._base.contracts`` and its documented fitted
    attributes: never its codec, its net or another internal."""
    contracts, documented = contract_names(), documented_attributes()
    internal = {
        name
        for name in attributes_of_other_objects(module)
        if (name.startswith("_") and not name.startswith("__") and name not in contracts)
        or (
            name.endswith("_")
            and not name.startswith("_")
            and name not in documented | SCIKIT_LEARN_ATTRIBUTES
        )
        or name in INTERNALS
    }
    assert not internal, internal


def test_decoder_parameters_change_decoding_not_encoding(Estimator, X_small, fitted):
    A = fitted._validate_input(X_small)
    codes = fitted._encode_rows(A)
    decoded = fitted._decode(codes)
    names = [name for name, _ in fitted._trainable_decoder().parameters]
    assert names and all(name.startswith(("decoder_net.", "decoder_linear.")) for name in names)
    with torch.no_grad():
        for _, parameter in fitted._trainable_decoder().parameters:
            parameter.add_(0.1)
    np.testing.assert_array_equal(fitted._encode_rows(A), codes)
    assert not np.allclose(fitted._decode(codes), decoded)


def test_refresh_refits_what_depends_on_the_decoder(Estimator, X_small, fitted):
    A = fitted._validate_input(X_small)
    offset = fitted.offset_
    with torch.no_grad():
        for _, parameter in fitted._trainable_decoder().parameters:
            parameter.mul_(0.5)
    fitted._refresh(A, np.random.RandomState(0))
    assert fitted.offset_ != offset
    # offset_ is again the contamination quantile of the training rows' scores.
    below = (fitted.score_samples(X_small) < fitted.offset_).mean()
    assert below == pytest.approx(fitted.contamination, abs=0.02)
