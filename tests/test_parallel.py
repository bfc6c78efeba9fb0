"""Data-parallel training (skae.parallel): two processes on CPU with the gloo backend, and
what one process checks."""

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
from sklearn.datasets import load_digits

from skae import AEGANFusion, AutoencoderTransformer, GANSampler
from skae._training.parallel import _part, current_group
from skae.parallel import data_parallel

SCRIPT = Path(__file__).with_name("data_parallel_script.py")


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """What each of two torchrun processes fitted (see ``data_parallel_script.py``)."""
    out = tmp_path_factory.mktemp("data_parallel")
    command = [
        *(sys.executable, "-m", "torch.distributed.run", "--standalone"),
        *("--nproc_per_node", "2", str(SCRIPT), str(out)),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return [pickle.loads((out / f"rank{rank}.pkl").read_bytes()) for rank in (0, 1)]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ae", "vae", "ae_partial"])
def test_processes_train_one_model(two_processes, name):
    first, second = (result["models"][name] for result in two_processes)
    weights, others = first.net_.module_.state_dict(), second.net_.module_.state_dict()
    assert all(torch.equal(weights[key], others[key]) for key in weights)
    timeless = [
        [{k: v for k, v in row.items() if k != "dur"} for row in model.history_]
        for model in (first, second)
    ]
    assert timeless[0] == timeless[1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ae", "vae"])
def test_data_parallel_loss_falls(two_processes, name):
    history = two_processes[0]["models"][name].history_
    for loss in ("train_loss", "valid_loss"):
        assert history[-1][loss] < history[0][loss]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ae", "vae", "ae_partial"])
def test_data_parallel_result_is_a_plain_estimator(two_processes, name):
    model = pickle.loads(pickle.dumps(two_processes[0]["models"][name]))
    assert type(model.net_.module_).__name__ in ("AutoencoderModule", "VAEModule")
    assert model.net_._parallel_forward is None  # the DDP wrapper lives only while training
    X = load_digits().data[600:700]
    assert model.transform(X).shape == (100, 4)
    assert np.isfinite(model.score_samples(X)).all()
    model.partial_fit(X)  # trains on in one process


@pytest.mark.slow
def test_data_parallel_needs_the_same_rows(two_processes):
    for result in two_processes:
        assert (
            "process 1 passed a 501 x 64 matrix different from process 0's 500 x 64"
            in (result["error"])
        )


@pytest.fixture
def one_process_group(tmp_path):
    dist.init_process_group(
        "gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1
    )
    yield
    dist.destroy_process_group()


def test_one_process_trains_as_without_the_group(one_process_group):
    X = load_digits().data[:300]
    params = {"n_components": 4, "max_epochs": 3, "random_state": 0}
    with data_parallel() as rank:
        assert rank == 0 and current_group() is not None
        parallel = AutoencoderTransformer(**params).fit(X)
    assert current_group() is None and dist.is_initialized()  # the caller's group stays
    alone = AutoencoderTransformer(**params).fit(X)
    np.testing.assert_allclose(parallel.transform(X), alone.transform(X), rtol=1e-5, atol=1e-6)
    assert parallel.history_[-1]["train_loss"] == pytest.approx(alone.history_[-1]["train_loss"])


@pytest.mark.parametrize(
    "model", [GANSampler(max_epochs=1), AEGANFusion()], ids=["GANSampler", "AEGANFusion"]
)
def test_gan_and_fusion_refuse_data_parallel(one_process_group, model):
    with data_parallel(), pytest.raises(ValueError, match="does not train data-parallel"):
        model.fit(load_digits().data[:100])


@pytest.mark.parametrize("n_rows", [2, 7, 256, 257])
@pytest.mark.parametrize("world_size", [2, 3])
def test_batch_parts_cover_the_batch_once(n_rows, world_size):
    parts = [_part(n_rows, rank, world_size) for rank in range(world_size)]
    rows = np.concatenate([np.arange(n_rows)[part] for part in parts])
    np.testing.assert_array_equal(rows, np.arange(n_rows))
    sizes = [part.stop - part.start for part in parts]
    assert max(sizes) - min(sizes) <= 1
