"""sample(conditions=...): rows with some columns fixed or kept to a range."""

import numpy as np
import pandas as pd
import pytest
import torch

from skae import AutoencoderTransformer, DiffusionSampler, GANSampler, VAETransformer
from skae._nn.flow import FlowModule

from .conftest import fast, fast_fusion


@pytest.fixture(scope="module")
def table():
    """400 rows: two correlated floats, an integer, a rare category (5%) and a flag."""
    rng = np.random.RandomState(0)
    n = 400
    x = rng.randn(n)
    return pd.DataFrame(
        {
            "x": x,
            "y": 2 * x + 0.3 * rng.randn(n),
            "age": rng.randint(20, 70, n).astype(np.int64),
            "kind": pd.Categorical(rng.choice(["a", "b", "rare"], n, p=[0.6, 0.35, 0.05])),
            "flag": rng.rand(n) < 0.25,
        }
    )


@pytest.fixture(scope="module")
def sampler(table):
    return fast(DiffusionSampler).fit(table)


def test_every_row_meets_fixed_values_and_ranges_even_a_rare_category(sampler, table):
    conditions = {"kind": "rare", "age": (30, 40), "flag": True, "x": 0.5}
    samples = sampler.sample(200, random_state=0, conditions=conditions)
    assert len(samples) == 200
    assert samples.dtypes.to_dict() == table.dtypes.to_dict()
    assert (samples["kind"] == "rare").all() and samples["flag"].all()
    assert samples["age"].between(30, 40).all() and (samples["x"] == 0.5).all()
    # An open end keeps to the training range on that side.
    tall = sampler.sample(50, random_state=0, conditions={"y": (1.0, None)})
    assert tall["y"].between(1.0, table["y"].max()).all()


def test_conditional_samples_are_reproducible_and_vary_with_the_seed(sampler):
    conditions = {"kind": "b"}
    first = sampler.sample(20, random_state=0, conditions=conditions)
    pd.testing.assert_frame_equal(sampler.sample(20, random_state=0, conditions=conditions), first)
    other = sampler.sample(20, random_state=1, conditions=conditions)
    assert not other["x"].equals(first["x"])


def test_an_array_fit_names_columns_by_index(table):
    X = table[["x", "y", "age"]].to_numpy(float)
    samples = fast(DiffusionSampler).fit(X).sample(30, random_state=0, conditions={2: 45.0})
    np.testing.assert_array_equal(samples[:, 2], 45.0)
    with pytest.raises(ValueError, match="by their index, 0 to 2"):
        fast(DiffusionSampler).fit(X).sample(3, conditions={"x": 1.0})


@pytest.mark.parametrize(
    "conditions, message",
    [
        ({"colour": "a"}, "names column 'colour', which DiffusionSampler was not fitted on"),
        ({"kind": "c"}, "'c', a category not seen in fit"),
        ({"age": 90}, r"outside its training range \[20, 69\]"),
        ({"age": (80, 90)}, "misses its training range"),
        ({"age": (40, 30)}, "low > high"),
        ({"age": (30,)}, "a range is a pair"),
        ({"age": ("a", 3)}, "must be numbers or None"),
        ({"x": "high"}, "takes a finite number"),
        ({}, "non-empty dict"),
        ([("x", 1.0)], "non-empty dict"),
    ],
)
def test_bad_conditions_get_errors_that_name_the_problem(sampler, conditions, message):
    with pytest.raises(ValueError, match=message):
        sampler.sample(5, conditions=conditions)


def test_a_range_needs_the_quantile_scaler(table):
    standard = fast(DiffusionSampler, scaler="standard").fit(table)
    with pytest.raises(ValueError, match="scaler='auto'"):
        standard.sample(5, conditions={"age": (30, 40)})
    assert (standard.sample(5, random_state=0, conditions={"age": 33})["age"] == 33).all()


@pytest.mark.parametrize(
    "model",
    [
        lambda: fast(AutoencoderTransformer),
        lambda: fast(VAETransformer),
        lambda: fast(GANSampler),
        fast_fusion,
    ],
    ids=["AutoencoderTransformer", "VAETransformer", "GANSampler", "AEGANFusion"],
)
def test_the_other_samplers_say_which_one_samples_with_conditions(table, model):
    fitted = model().fit(table[["x", "y", "age"]])
    with pytest.raises(ValueError, match="cannot sample with conditions.*DiffusionSampler can"):
        fitted.sample(5, conditions={"x": 0.0})


def test_inpainting_ends_at_the_known_values_and_is_decode_without_any():
    torch.manual_seed(0)
    flow = FlowModule(4, (8, 8), n_steps=4).eval()
    z, known = torch.randn(6, 4), torch.randn(6, 4)
    mask = torch.tensor([True, False, True, False])
    with torch.no_grad():
        inpainted = flow.inpaint(z, known, mask, n_resamples=3)
        torch.testing.assert_close(inpainted[:, mask], known[:, mask])
        none = torch.zeros(4, dtype=torch.bool)
        torch.testing.assert_close(flow.inpaint(z, known, none), flow.decode(z))


def test_the_other_columns_follow_the_conditioned_ones(table):
    """y is about 2x in the table: rows with x kept high get a high y, and rows of a
    category keep the other columns' dependence."""
    trained = DiffusionSampler(
        hidden_layer_sizes=(64, 64), max_epochs=300, batch_size=100, random_state=0
    ).fit(table)
    high = trained.sample(300, random_state=0, conditions={"x": (1.0, None)})
    expected = table.loc[table["x"] >= 1.0, "y"].mean()
    assert abs(high["y"].mean() - expected) < 0.25 * expected
    assert high["y"].mean() > table["y"].quantile(0.75)
