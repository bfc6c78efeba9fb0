"""What only GANSampler does: adversarial training, its history, its objectives and the
modes it covers. Fitting, sampling and errors shared with the other estimators are tested
in test_estimators.py."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.spatial.distance import cdist
from scipy.stats import ks_2samp

import skae._gan
from skae import GANSampler
from skae._nn.adversarial import CriticModule
from skae._training.callbacks import GeneratorMonitor, WeightAverage
from skae._training.data import TensorRows
from skae._utils.sklearn_compat import InvalidParameterError

from .conftest import fast


def test_history_records_both_losses_and_diversity(X_small):
    """Per epoch: train_loss is the mean critic loss over its steps, generator_loss the
    mean over its generator steps (one every n_critic critic steps)."""
    gan = fast(GANSampler, max_epochs=4, batch_size=16).fit(X_small)
    assert gan.n_iter_ == len(gan.history_) == 4  # no early stopping: every epoch runs
    for row, epoch in zip(gan.history_, gan.net_.history, strict=True):
        assert {"train_loss", "generator_loss", "diversity"} <= set(row)
        critic_steps = epoch["batches"]
        generator_steps = [b["generator_loss"] for b in critic_steps if "generator_loss" in b]
        assert len(generator_steps) == len(critic_steps) // gan.n_critic > 0
        assert row["generator_loss"] == pytest.approx(np.mean(generator_steps))
        sizes = [b["train_batch_size"] for b in critic_steps]
        critic_losses = [b["train_loss"] for b in critic_steps]
        assert row["train_loss"] == pytest.approx(np.average(critic_losses, weights=sizes))
        assert row["diversity"] > 0


def test_critic_is_a_second_module_with_its_own_optimizer(X_small):
    net = fast(GANSampler).fit(X_small).net_
    assert isinstance(net.critic_, CriticModule)
    generator_params = {id(p) for g in net.optimizer_.param_groups for p in g["params"]}
    critic_params = {id(p) for g in net.critic_optimizer_.param_groups for p in g["params"]}
    assert generator_params == {id(p) for p in net.module_.parameters()}
    assert critic_params == {id(p) for p in net.critic_.parameters()}


def test_diversity_falls_to_zero_when_the_generator_collapses(X_small):
    net = fast(GANSampler).fit(X_small).net_
    with torch.no_grad():  # every latent draw now gives the same row
        net.module_.net[-1].weight.zero_()
        net.module_.linear.weight.zero_()
    monitor = GeneratorMonitor()
    monitor.on_train_begin(net, X=TensorRows(torch.from_numpy(X_small)))
    monitor.on_epoch_end(net)
    assert net.history[-1]["diversity"] == pytest.approx(0.0, abs=1e-6)


def test_max_epochs_auto_gives_small_tables_more_passes(X_small, monkeypatch):
    monkeypatch.setattr(skae._gan, "AUTO_CRITIC_STEPS", 24)
    monkeypatch.setattr(skae._gan, "AUTO_MIN_EPOCHS", 2)
    # 120 rows in batches of 32: 4 critic steps per epoch, so 6 epochs make 24 steps.
    assert fast(GANSampler, max_epochs="auto", batch_size=32).fit(X_small).n_iter_ == 6
    # batch_size="auto" takes all 120 rows (fewer than 128): one step per epoch.
    assert fast(GANSampler, max_epochs="auto", batch_size="auto").fit(X_small).n_iter_ == 24
    assert fast(GANSampler, max_epochs="auto", batch_size=120).fit(X_small[:2]).n_iter_ == 24
    monkeypatch.setattr(skae._gan, "AUTO_MIN_EPOCHS", 30)
    assert fast(GANSampler, max_epochs="auto", batch_size=32).fit(X_small).n_iter_ == 30


def test_generator_ends_on_averaged_weights(X_small, monkeypatch):
    """The sampling generator is the moving average of the trained one's weights
    (WeightAverage, loaded when training ends; its arithmetic is tested in
    test_autoencoder.py), not the weights of the last step."""
    seen = {}
    on_train_end = WeightAverage.on_train_end

    def spy(self, net, **kwargs):
        seen["raw"] = [p.detach().clone() for p in self.weights_]
        seen["average"] = [p.detach().clone() for p in self.average_]
        on_train_end(self, net, **kwargs)

    monkeypatch.setattr(WeightAverage, "on_train_end", spy)
    gan = fast(GANSampler, max_epochs=3).fit(X_small)
    kept = list(gan.net_.module_.parameters())
    assert len(kept) == len(seen["average"])
    for weight, average in zip(kept, seen["average"], strict=True):
        assert torch.equal(weight.detach(), average)
    assert not all(torch.equal(w.detach(), r) for w, r in zip(kept, seen["raw"], strict=True))


def energy_distance(A, B, scale):
    """The energy distance between two samples of rows, in units of ``scale``."""
    A, B = A / scale, B / scale
    return 2 * cdist(A, B).mean() - cdist(A, A).mean() - cdist(B, B).mean()


def test_classic_gan_objective_trains_the_generator_towards_the_data(X_small):
    """objective="gan" trains with the non-saturating logistic losses: softplus terms,
    positive where a Wasserstein critic's and generator's losses go negative. From a start
    unlike the data (no PCA start) the samples come closer to the data, by the energy
    distance, than the untrained generator's (about half as far over seeds)."""
    common = {"objective": "gan", "n_critic": 1, "pca_init": False, "scaler": "standard"}
    gan = fast(GANSampler, max_epochs=40, **common).fit(X_small)
    assert all(row["train_loss"] > 0 for row in gan.history_)
    assert all(row["generator_loss"] > 0 for row in gan.history_)
    untrained = fast(GANSampler, max_epochs=1, lr=1e-12, **common).fit(X_small)
    scale = X_small.std(axis=0)

    def distance(model):
        return energy_distance(model.sample(500, random_state=0), X_small, scale)

    assert distance(gan) < 0.75 * distance(untrained)


def test_untrained_generator_samples_the_datas_gaussian(X_small):
    """pca_init: before training, the generator is a Gaussian with the data's mean and
    covariance (in the scaler's units), so training starts from a sensible sampler."""
    gan = fast(GANSampler, max_epochs=1, lr=1e-12, scaler="standard").fit(X_small)
    # The generator itself, without sample's clipping to the training range.
    noise = np.random.RandomState(0).standard_normal((20_000, gan.latent_dim))
    samples = gan._decode(noise, np.float64)
    scale = X_small.std(0)
    np.testing.assert_allclose(samples.mean(0), X_small.mean(0), atol=0.05 * scale.max())
    np.testing.assert_allclose(np.cov(samples.T), np.cov(X_small.T), atol=0.05 * scale.max() ** 2)
    plain = fast(GANSampler, max_epochs=1, lr=1e-12, pca_init=False, scaler="standard")
    plain.fit(X_small)
    assert not np.allclose(
        np.cov(plain.sample(20_000, random_state=0).T),
        np.cov(X_small.T),
        atol=0.05 * scale.max() ** 2,
    )


def test_untrained_mixture_start_samples_the_datas_mixture():
    """mixture_init: before training, the generator samples a Gaussian mixture fitted on
    the rows: two separate clusters get half the samples each and the gap between them
    none, where the PCA start's Gaussian fills the gap. The component comes from the
    noise, so a seed gives the same rows."""
    rng = np.random.RandomState(0)
    X = np.r_[rng.randn(200, 2) * 0.3 + [-3, 0], rng.randn(200, 2) * 0.3 + [3, 0]]
    untrained = {"max_epochs": 1, "lr": 1e-12, "scaler": "standard"}
    gan = fast(GANSampler, mixture_init=True, **untrained).fit(X)
    samples = gan.sample(4000, random_state=0)
    assert np.mean(np.abs(samples[:, 0]) < 1.5) < 0.01
    assert np.mean(samples[:, 0] > 0) == pytest.approx(0.5, abs=0.03)
    np.testing.assert_array_equal(samples, gan.sample(4000, random_state=0))
    gaussian = fast(GANSampler, **untrained).fit(X).sample(4000, random_state=0)
    assert np.mean(np.abs(gaussian[:, 0]) < 1.5) > 0.2


def test_mixture_start_follows_the_autoencoders_mixture_rule(X_small):
    """The start mixture is fitted by the rule of AutoencoderTransformer's code density
    (one full-covariance component per 20 rows, at most 10), so a fusion's code GAN starts
    at the same kind of mixture as the autoencoder's own sample."""
    gan = fast(GANSampler, mixture_init=True, max_epochs=1).fit(X_small)
    assert gan.net_.module_.mixture.means.shape == (120 // 20, X_small.shape[1])


def test_mixture_start_trains_and_refuses_what_it_cannot_model(X_small):
    """The generator started at the mixture learns a correction, so its samples move away
    from the untrained start's; a latent_dim above the number of columns, or categorical
    columns, are refused."""
    gan = fast(GANSampler, mixture_init=True, max_epochs=5).fit(X_small)
    start = fast(GANSampler, mixture_init=True, max_epochs=1, lr=1e-12).fit(X_small)
    samples = gan.sample(50, random_state=0)
    assert np.all(np.isfinite(samples))
    assert not np.allclose(samples, start.sample(50, random_state=0), atol=1e-3)
    with pytest.raises(ValueError, match="latent_dim larger than the 7 columns"):
        fast(GANSampler, mixture_init=True, latent_dim=5).fit(X_small)
    frame = pd.DataFrame({"x": X_small[:, 0], "kind": ["a", "b"] * 60})
    with pytest.raises(ValueError, match=r"all-numeric rows.*\['kind'\]"):
        fast(GANSampler, mixture_init=True).fit(frame)


@pytest.mark.slow
def test_covers_every_mode_of_a_gaussian_mixture():
    """Eight well separated modes on a ring: every one gets samples, and most samples land
    on a mode. A generator that collapsed onto a few modes fails the first check; one that
    stayed the Gaussian it starts as fails the second."""
    rng = np.random.RandomState(0)
    angles = 2 * np.pi * np.arange(8) / 8
    centres = 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    X = (centres[rng.randint(8, size=1000)] + 0.1 * rng.randn(1000, 2)).astype(np.float32)
    # The modes are a geometric pattern, which standardisation keeps and the default
    # quantile map (one column at a time) bends.
    gan = GANSampler(latent_dim=2, max_epochs=200, scaler="standard", random_state=0)
    gan.set_params(device="cpu").fit(X)
    samples = gan.sample(2000, random_state=0)
    distances = np.linalg.norm(samples[:, None, :] - centres[None], axis=2)
    on_a_mode = distances.min(1) < 0.5  # five standard deviations of a mode
    shares = np.bincount(distances.argmin(1)[on_a_mode], minlength=8) / len(samples)
    assert shares.min() > 0.03, shares  # a uniform share is 0.125
    assert on_a_mode.mean() > 0.5  # a Gaussian over the ring puts about 0.2 there
    assert 0.5 < gan.history_[-1]["diversity"] < 1.5


@pytest.mark.parametrize(
    "params, name",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"critic_hidden_layer_sizes": (8, 0)}, "critic_hidden_layer_sizes"),
        ({"objective": "lsgan"}, "objective"),
        ({"n_critic": 0}, "n_critic"),
        ({"gp_weight": -1.0}, "gp_weight"),
        ({"max_epochs": "many"}, "max_epochs"),
    ],
)
def test_invalid_parameters_name_the_parameter(X_small, params, name):
    with pytest.raises(InvalidParameterError, match=name):
        fast(GANSampler, **params).fit(X_small)


def test_untrained_generator_with_quantile_scaler_has_the_datas_marginals(X_small):
    """With the default quantile scaler the untrained generator is the data's Gaussian
    copula: every column's distribution is the training column's."""
    gan = fast(GANSampler, max_epochs=1, lr=1e-12).fit(X_small)
    samples = gan.sample(5000, random_state=0)
    for real, generated in zip(X_small.T, samples.T, strict=True):
        assert ks_2samp(real, generated).statistic < 0.1
