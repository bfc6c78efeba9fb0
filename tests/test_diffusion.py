"""DiffusionSampler: a velocity field trained by flow matching carries noise to table rows."""

import numpy as np
import pandas as pd
import pytest
import torch

import skae._diffusion
from skae import DiffusionSampler
from skae._nn.flow import CATEGORY_LOGIT_SCALE, FlowModule
from skae._training.callbacks import WeightAverage
from skae._utils.sklearn_compat import InvalidParameterError

from .conftest import fast


@pytest.fixture(scope="module")
def table():
    """600 rows: two correlated floats, a zero-inflated count (60% zeros), a number
    recorded to one decimal, an unbalanced category and a flag."""
    rng = np.random.RandomState(0)
    n = 600
    x = rng.randn(n)
    count = np.where(rng.rand(n) < 0.6, 0, 1 + rng.poisson(4, n))
    return pd.DataFrame(
        {
            "x": x,
            "y": 2 * x + 0.3 * rng.randn(n),
            "count": count.astype(np.int64),
            "rounded": np.round(rng.gamma(2.0, 1.5, n), 1),
            "kind": pd.Categorical(rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])),
            "flag": rng.rand(n) < 0.25,
        }
    )


def test_samples_keep_the_columns_dtypes_ranges_and_precision(table):
    samples = fast(DiffusionSampler).fit(table).sample(300, random_state=0)
    assert samples.dtypes.to_dict() == table.dtypes.to_dict()
    for name in ["x", "y", "count", "rounded"]:
        assert table[name].min() <= samples[name].min()
        assert samples[name].max() <= table[name].max()
    np.testing.assert_array_equal(samples["rounded"], np.round(samples["rounded"], 1))
    assert set(samples["kind"]) <= set(table["kind"])


@pytest.mark.slow
def test_samples_follow_the_ties_frequencies_and_dependence_of_the_table(table):
    """The zero-inflated count keeps its spike at 0 (ties are spread over their share of
    the scale in training and mapped back on output), the category its frequencies and
    the two floats their correlation."""
    trained = DiffusionSampler(
        hidden_layer_sizes=(64, 64), max_epochs=400, batch_size=100, random_state=0
    ).fit(table)
    samples = trained.sample(2000, random_state=0)
    assert abs((samples["count"] == 0).mean() - (table["count"] == 0).mean()) < 0.06
    assert samples["count"][samples["count"] > 0].min() >= 1
    frequencies = samples["kind"].value_counts(normalize=True)
    expected = table["kind"].value_counts(normalize=True)
    assert 0.5 * (frequencies - expected).abs().sum() < 0.06
    correlation = np.corrcoef(samples["x"], samples["y"])[0, 1]
    assert abs(correlation - np.corrcoef(table["x"], table["y"])[0, 1]) < 0.05
    untrained = fast(DiffusionSampler, max_epochs=1, lr=1e-12).fit(table)
    noise = untrained.sample(2000, random_state=0)
    assert abs(np.corrcoef(noise["x"], noise["y"])[0, 1]) < 0.5


def test_n_steps_is_read_when_sampling(table):
    """Changing n_steps changes the next samples without a refit; setting it back gives
    the first samples again; an invalid value is refused when sampling."""
    trained = fast(DiffusionSampler).fit(table)
    first = trained.sample(50, random_state=0)
    coarse = trained.set_params(n_steps=2).sample(50, random_state=0)
    assert not coarse[["x", "y"]].equals(first[["x", "y"]])
    again = trained.set_params(n_steps=10).sample(50, random_state=0)
    pd.testing.assert_frame_equal(again, first)
    with pytest.raises(InvalidParameterError, match="n_steps"):
        trained.set_params(n_steps=0).sample(5)


def test_heuns_method_integrates_the_velocity_from_noise_to_rows():
    """A constant velocity field is integrated exactly, whatever the number of steps, and
    the categorical coordinates come out as logits scaled by CATEGORY_LOGIT_SCALE; in
    training a one-hot block is at -1 / +1."""
    module = FlowModule(3, (8,), category_slices=[slice(1, 3)], n_steps=3)
    velocity = torch.tensor([0.5, -2.0, 1.0])

    class Constant(torch.nn.Module):
        def forward(self, x, t):
            return velocity.expand_as(x)

    module.velocity = Constant()
    z = torch.zeros(4, 3)
    expected = velocity * torch.tensor([1.0, CATEGORY_LOGIT_SCALE, CATEGORY_LOGIT_SCALE])
    torch.testing.assert_close(module.decode(z), expected.expand(4, 3))
    one_hot = torch.tensor([[0.3, 1.0, 0.0]])
    torch.testing.assert_close(module.to_flow_space(one_hot), torch.tensor([[0.3, 1.0, -1.0]]))


def test_auto_epochs_make_at_least_the_auto_steps_and_two_epochs(table, monkeypatch):
    """max_epochs="auto" trains for ceil(AUTO_STEPS / steps per epoch) epochs, at least
    AUTO_MIN_EPOCHS and at most AUTO_MAX_EPOCHS; batch_size="auto" is AUTO_BATCH_SIZE
    rows, or all of them."""
    monkeypatch.setattr(skae._diffusion, "AUTO_STEPS", 30)
    model = fast(DiffusionSampler, max_epochs="auto", batch_size=100).fit(table)
    assert model.n_iter_ == 5  # 6 steps per epoch
    monkeypatch.setattr(skae._diffusion, "AUTO_BATCH_SIZE", 1000)
    model = fast(DiffusionSampler, max_epochs="auto", batch_size="auto").fit(table)
    assert model.n_iter_ == 30  # one step per epoch: all 600 rows in a batch
    monkeypatch.setattr(skae._diffusion, "AUTO_MAX_EPOCHS", 7)
    assert fast(DiffusionSampler, max_epochs="auto").fit(table).n_iter_ == 7
    monkeypatch.setattr(skae._diffusion, "AUTO_STEPS", 1)
    assert fast(DiffusionSampler, max_epochs="auto").fit(table).n_iter_ == 2


def test_learning_rate_warms_up_then_decays_linearly_to_zero(table, monkeypatch):
    monkeypatch.setattr(skae._diffusion, "WARMUP_STEPS", 4)
    model = fast(DiffusionSampler, max_epochs=4, batch_size=100, lr=1e-3).fit(table)
    rates = [batch["event_lr"] for epoch in model.net_.history for batch in epoch["batches"]]
    assert len(rates) == 24
    np.testing.assert_allclose(
        rates[:4], 1e-3 * np.array([0.25, 0.5, 0.75, 1.0]) * (1 - np.arange(4) / 24)
    )
    np.testing.assert_allclose(np.diff(rates[4:]), -1e-3 / 24)
    assert max(rates) <= 1e-3


def test_the_sampling_weights_are_a_moving_average(table):
    model = fast(DiffusionSampler).fit(table)
    averages = [cb for _, cb in model.net_.callbacks_ if isinstance(cb, WeightAverage)]
    assert [cb.decay for cb in averages] == [skae._diffusion.WEIGHT_AVERAGE_DECAY]


def test_images_are_modelled_unscaled_and_sampled_in_the_training_range():
    rng = np.random.RandomState(0)
    X = rng.rand(64, 6).astype(np.float32)
    model = fast(DiffusionSampler, input_shape=(1, 2, 3)).fit(X)
    assert model.codec_.scaler_ is None
    samples = model.sample(20, random_state=0)
    assert samples.shape == (20, 6) and samples.dtype == np.float32
    assert X.min() <= samples.min() and samples.max() <= X.max()
