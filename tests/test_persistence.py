"""Saving and loading fitted models: skops.io (no pickled code runs on load), pickle and
joblib, in a fresh process, and from a GPU to a machine without one."""

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import torch

from skae import (
    AutoencoderTransformer,
    DiffusionImputer,
    DiffusionSampler,
    GANSampler,
    VAETransformer,
)

from .conftest import fast, fast_fusion, requires_cuda

sio = pytest.importorskip("skops.io")

MODELS = {
    "autoencoder": lambda **p: fast(AutoencoderTransformer, **p),
    "vae": lambda **p: fast(VAETransformer, **p),
    "gan": lambda **p: fast(GANSampler, **p),
    "diffusion": lambda **p: fast(DiffusionSampler, **p),
    "fusion": lambda **p: fast_fusion(autoencoder_params=p, gan_params=p),
}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def table():
    """Every kind of column the codec models: floats, integers, strings, booleans and a
    pandas category with missing values."""
    rng = np.random.RandomState(0)
    n = 90
    return pd.DataFrame(
        {
            "x": rng.randn(n),
            "y": rng.randn(n).astype(np.float32),
            "count": rng.randint(0, 9, size=n),
            "kind": np.array(["a", "b", "c"])[np.arange(n) % 3],
            "flag": np.arange(n) % 4 == 0,
            "size": pd.Categorical(np.array(["S", "M", None], dtype=object)[np.arange(n) % 3]),
        }
    )


@pytest.fixture(scope="module", params=MODELS, ids=list(MODELS))
def fitted(request, table):
    return MODELS[request.param]().fit(table)


def outputs(model, X):
    """Everything a fitted model computes from its networks."""
    result = {"sample": model.sample(10, random_state=0)}
    if hasattr(model, "transform"):
        codes = model.transform(X)
        result.update(
            transform=codes,
            inverse_transform=model.inverse_transform(codes),
            score_samples=model.score_samples(X),
        )
    return result


def assert_same_outputs(actual, expected, atol=0.0):
    assert actual.keys() == expected.keys()
    for name, value in expected.items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(actual[name], value, check_exact=not atol, atol=atol)
        else:
            np.testing.assert_allclose(actual[name], value, rtol=0, atol=atol)


def test_skops_lists_only_skae_types_and_loads_identical_outputs(fitted, table):
    """skops.io saves every fitted model: the saved state holds weights as arrays and
    dtypes as names (no torch tensor, which skops cannot construct), lists only skae's
    own types as untrusted, and loads into a model with identical outputs."""
    data = sio.dumps(fitted)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted and all(name.startswith("skae.") for name in untrusted), untrusted
    loaded = sio.loads(data, trusted=untrusted)
    assert_same_outputs(outputs(loaded, table), outputs(fitted, table))


@pytest.mark.slow
def test_a_skops_file_loads_in_a_fresh_process(table, tmp_path):
    fitted = MODELS["fusion"]().fit(table)  # holds an autoencoder and a GAN
    sio.dump(fitted, tmp_path / "model.skops")
    table.to_pickle(tmp_path / "table.pkl")
    code = (
        "import pickle, pandas as pd, skops.io as sio; from tests.test_persistence import outputs;"
        f"path = {str(tmp_path / 'model.skops')!r};"
        "model = sio.load(path, trusted=sio.get_untrusted_types(file=path));"
        f"X = pd.read_pickle({str(tmp_path / 'table.pkl')!r});"
        f"pickle.dump(outputs(model, X), open({str(tmp_path / 'out.pkl')!r}, 'wb'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    with open(tmp_path / "out.pkl", "rb") as file:
        assert_same_outputs(pickle.load(file), outputs(fitted, table))


def test_pickle_and_joblib_save_no_torch_objects(fitted, table, tmp_path):
    data = pickle.dumps(fitted)
    assert b"torch" not in data  # loading runs no torch unpickling
    assert_same_outputs(outputs(pickle.loads(data), table), outputs(fitted, table))
    joblib.dump(fitted, tmp_path / "model.joblib")
    assert_same_outputs(
        outputs(joblib.load(tmp_path / "model.joblib"), table), outputs(fitted, table)
    )


def test_loading_leaves_the_callers_torch_random_state(fitted):
    data = pickle.dumps(fitted)
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    pickle.loads(data)
    torch.testing.assert_close(torch.rand(3), expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only fallback")
def test_a_model_saved_on_a_gpu_loads_on_the_cpu_with_a_warning(table):
    model = fast(AutoencoderTransformer).fit(table)
    expected = outputs(model, table)
    model.device_ = "cuda"  # as if fitted on a GPU: the saved weights are arrays anyway
    with pytest.warns(UserWarning, match="fitted on device 'cuda'"):
        data = sio.dumps(model)
        loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert loaded.device_ == "cpu" and loaded.net_.device == "cpu"
    assert_same_outputs(outputs(loaded, table), expected)


@requires_cuda
@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("library", ["skops", "pickle"])
def test_fitted_on_a_gpu_loads_on_a_machine_without_one(name, library, table, tmp_path):
    table = table[["x", "y"]]  # numbers only: a category drawn near a tie may differ
    model = MODELS[name](device="cuda").fit(table)
    path = str(tmp_path / "model")
    if library == "skops":
        sio.dump(model, path)
        load = "sio.load(path, trusted=sio.get_untrusted_types(file=path))"
    else:
        Path(path).write_bytes(pickle.dumps(model))
        load = "pickle.loads(open(path, 'rb').read())"
    table.to_pickle(tmp_path / "table.pkl")
    with open(tmp_path / "expected.pkl", "wb") as file:
        pickle.dump(outputs(model, table), file)
    code = (
        "import pickle, warnings, pandas as pd, torch, skops.io as sio;"
        "from tests.test_persistence import outputs, assert_same_outputs;"
        "assert not torch.cuda.is_available(); warnings.simplefilter('ignore');"
        f"path = {path!r}; model = {load};"
        "assert model.device_ == 'cpu';"
        f"X = pd.read_pickle({str(tmp_path / 'table.pkl')!r});"
        f"expected = pickle.load(open({str(tmp_path / 'expected.pkl')!r}, 'rb'));"
        "assert_same_outputs(outputs(model, X), expected, atol=1e-4)"
    )
    env = {"CUDA_VISIBLE_DEVICES": "", "PATH": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)


def test_warnings_are_quiet_for_a_model_on_its_own_device(fitted):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(fitted))


def test_an_imputer_saves_with_skops_and_fills_in_the_same_cells(table):
    complete = table.drop(columns="size")
    holes = (np.arange(len(table))[:, None] + np.arange(complete.shape[1])) % 5 == 0
    incomplete = complete.mask(holes)
    imputer = DiffusionImputer(fast(DiffusionSampler), max_iter=1, n_draws=2, random_state=0)
    fitted = imputer.fit(incomplete)
    data = sio.dumps(fitted)
    untrusted = sio.get_untrusted_types(data=data)
    assert all(name.startswith("skae.") for name in untrusted), untrusted
    loaded = sio.loads(data, trusted=untrusted)
    pd.testing.assert_frame_equal(loaded.transform(incomplete), fitted.transform(incomplete))
