"""How skae's nets use skorch: the criteria are the real losses, metrics are recorded by
callbacks, extra modules take their parameters through skorch's routing, and each private
name or behaviour skae relies on (skorch's ``_set_training``, ``_modules``,
``EarlyStopping._calc_new_threshold`` and its stop at ``misses_ == patience``, the body of
``run_single_epoch``, ``set_params`` refusing iterator parameters, ``torch._foreach_lerp_``)
is pinned here, so that a release that changes one fails a test instead of silently
changing training."""

import numpy as np
import pytest
import skorch
import torch
from skorch.history import History

from skae import AutoencoderTransformer, GANSampler, VAETransformer
from skae._nn.adversarial import CriticModule, GeneratorModule
from skae._nn.losses import AdversarialLoss, NegativeELBO, ReconstructionLoss, kl_to_standard_normal
from skae._nn.output_blocks import OutputBlocks
from skae._training.data import HoldOut, tensor_loop_params
from skae._training.nets import AdversarialNet, BaseNet
from skae._training.stopping import EarlyStoppingFromStart


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).normal(size=(120, 6)).astype(np.float32)


def test_the_autoencoders_criterion_is_its_training_loss(X):
    ae = AutoencoderTransformer(n_components=2, max_epochs=3, random_state=0).fit(X)
    criterion = ae.net_.criterion_
    assert isinstance(criterion, ReconstructionLoss)
    M = torch.from_numpy(ae.codec_.encode(X, dtype=np.float32))
    module, blocks = ae.net_.module_, ae.net_.blocks
    with torch.no_grad():
        expected = blocks.mean_reconstruction_loss(module(M), M).item()
        assert criterion(module(M), M).item() == pytest.approx(expected)
        # The net's loss is its criterion's: skorch's own get_loss computes it.
        assert ae.net_.get_loss(module(M), M).item() == pytest.approx(expected)


def test_the_vaes_criterion_is_the_negative_elbo(X):
    vae = VAETransformer(n_components=2, max_epochs=3, beta=2.0, random_state=0).fit(X)
    criterion = vae.net_.criterion_
    assert isinstance(criterion, NegativeELBO)
    M = torch.from_numpy(vae.codec_.encode(X, dtype=np.float32))
    module = vae.net_.module_
    with torch.no_grad():
        x_mean, z_mean, z_logvar = module(M)
        nll = -vae.net_.blocks.log_likelihood(x_mean, M, module.log_scale)
        expected = (nll + 2.0 * kl_to_standard_normal(z_mean, z_logvar)).mean()
        assert vae.net_.get_loss((x_mean, z_mean, z_logvar), M).item() == pytest.approx(
            expected.item(), rel=1e-6
        )


def test_the_kl_is_recorded_per_batch_by_a_callback(X):
    vae = VAETransformer(n_components=2, max_epochs=2, random_state=0).fit(X)
    for row in vae.net_.history:
        train = [b for b in row["batches"] if "train_loss" in b]
        valid = [b for b in row["batches"] if "valid_loss" in b]
        # One value a batch: none from early stopping's evaluation before training.
        assert all("train_kl" in b for b in train) and all("valid_kl" in b for b in valid)
        assert sum("train_kl" in b for b in row["batches"]) == len(train)
        means = np.average(
            [b["train_kl"] for b in train], weights=[b["train_batch_size"] for b in train]
        )
        assert row["train_kl"] == pytest.approx(means)


@pytest.mark.parametrize("objective", ["gan", "wgan-gp"])
def test_the_gans_criterion_computes_its_objectives_losses(X, objective):
    """For a linear critic (whose gradient is its weight everywhere, so the penalty does
    not depend on where it is taken): "gan" is the non-saturating logistic loss,
    "wgan-gp" the Wasserstein loss plus gp_weight times the gradient penalty."""
    gan = GANSampler(max_epochs=2, objective=objective, gp_weight=3.0, random_state=0).fit(X)
    criterion = gan.net_.criterion_
    assert isinstance(criterion, AdversarialLoss)
    generator = torch.Generator().manual_seed(0)
    critic = torch.nn.Linear(6, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.randn(1, 6, generator=generator))
    real, fake = torch.randn(2, 32, 6, generator=generator)
    with torch.no_grad():
        real_scores, fake_scores = critic(real), critic(fake)
    if objective == "gan":
        softplus = torch.nn.functional.softplus
        critic_loss = softplus(-real_scores).mean() + softplus(fake_scores).mean()
        generator_loss = softplus(-fake_scores).mean()
    else:
        penalty = (critic.weight.norm() - 1) ** 2
        critic_loss = fake_scores.mean() - real_scores.mean() + 3.0 * penalty
        generator_loss = -fake_scores.mean()
    assert criterion(critic, real, fake).item() == pytest.approx(critic_loss.item(), rel=1e-5)
    assert criterion.generator_loss(critic, fake).item() == pytest.approx(
        generator_loss.item(), rel=1e-5
    )


def test_critic_parameters_are_routed_by_skorch():
    blocks = OutputBlocks(4)
    net = AdversarialNet(
        module=GeneratorModule(8, 4, (16,)),
        critic=CriticModule,
        critic__n_features=4,
        critic__hidden_layer_sizes=(5, 3),
        criterion=AdversarialLoss,
        blocks=blocks,
        latent_dim=8,
        n_critic=1,
        **tensor_loop_params(np.random.RandomState(0)),
    ).initialize()
    widths = [
        layer.out_features for layer in net.critic_.modules() if hasattr(layer, "out_features")
    ]
    assert widths == [5, 3, 1]
    net.set_params(critic__hidden_layer_sizes=(7,))  # re-initialises the critic
    widths = [
        layer.out_features for layer in net.critic_.modules() if hasattr(layer, "out_features")
    ]
    assert widths == [7, 1]


def test_skorch_calls_the_mode_switch_that_skips_unchanged_modes(X, monkeypatch):
    """Pins ``NeuralNet._set_training``: skorch calls it every step, skae's override passes
    the call on only when the mode changes."""
    calls = {"all": 0, "switches": 0}
    original = skorch.NeuralNet._set_training

    def counting(self, training=True):
        calls["switches"] += 1
        return original(self, training)

    override = BaseNet._set_training

    def counting_override(self, training=True):
        calls["all"] += 1
        return override(self, training)

    monkeypatch.setattr(skorch.NeuralNet, "_set_training", counting)
    monkeypatch.setattr(BaseNet, "_set_training", counting_override)
    ae = AutoencoderTransformer(n_components=2, max_epochs=3, batch_size=10, random_state=0)
    ae.fit(X)
    steps = sum(len(row["batches"]) for row in ae.net_.history)
    assert calls["all"] >= steps  # skorch still switches through it every step
    assert calls["switches"] <= 2 * len(ae.net_.history) + 2  # only at train/valid changes


def test_early_stopping_threshold_relies_on_skorchs_calc_new_threshold():
    """Pins ``EarlyStopping._calc_new_threshold``: skorch's ``on_epoch_end`` calls it to
    set the next epoch's threshold, and skae's takes the relative threshold of ``|loss|``
    (a negative log-likelihood may be below zero)."""
    callback = EarlyStoppingFromStart(
        monitor="valid_loss", patience=5, threshold=0.1, threshold_mode="rel", load_best=False
    ).initialize()
    callback.best_epoch_ = 1  # an epoch has beaten the untrained weights
    callback.dynamic_threshold_ = callback._calc_new_threshold(-10.0)
    assert callback.dynamic_threshold_ == pytest.approx(-11.0)  # skorch's own: -9.0

    class Net:
        history = History()

    Net.history.new_epoch()
    Net.history.record("epoch", 1)
    Net.history.record("valid_loss", -10.5)  # within 10% of |-10|: no improvement
    callback.on_epoch_end(Net())
    assert callback.misses_ == 1
    Net.history.new_epoch()
    Net.history.record("epoch", 2)
    Net.history.record("valid_loss", -12.0)
    callback.on_epoch_end(Net())
    assert callback.misses_ == 0
    assert callback.dynamic_threshold_ == pytest.approx(-13.2)


def test_foreach_lerp_moves_each_average_towards_its_weight():
    """Pins ``torch._foreach_lerp_``, the in-place step of
    ``skae._training.callbacks.WeightAverage``."""
    averages = [torch.zeros(3), torch.ones(2)]
    weights = [torch.full((3,), 2.0), torch.full((2,), 3.0)]
    torch._foreach_lerp_(averages, weights, 0.25)
    torch.testing.assert_close(averages[0], torch.full((3,), 0.5))
    torch.testing.assert_close(averages[1], torch.full((2,), 1.5))


def test_skorch_refuses_iterator_parameters_of_an_initialised_net(X):
    """Pins why a continued fit sets ``iterator_train__seed`` as an attribute: skorch's
    ``set_params`` refuses it once the net is initialised, and the attribute is what its
    ``get_iterator`` reads."""
    ae = AutoencoderTransformer(n_components=2, max_epochs=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="Something went wrong"):
        ae.net_.set_params(iterator_train__seed=5)
    ae.net_.iterator_train__seed = 5
    assert ae.net_.get_params_for("iterator_train")["seed"] == 5
    assert ae.net_.get_iterator(ae.net_.get_dataset(torch.zeros(4, 6)), training=True).generator


def test_skorch_registers_the_modules_that_saving_stores(X):
    """Pins ``NeuralNet._modules``, the registry ``skae._training.persistence`` saves the
    weights of: every module of a net, by name, and nothing else."""
    ae = AutoencoderTransformer(n_components=2, max_epochs=1, random_state=0).fit(X)
    gan = GANSampler(max_epochs=1, random_state=0).fit(X)
    assert ae.net_._modules == ["module"]
    assert gan.net_._modules == ["module", "critic"]


def test_skorchs_early_stopping_stops_when_its_misses_reach_patience():
    """Pins how ``EarlyStoppingFromStart`` tells its own stop from Ctrl-C: skorch's
    ``EarlyStopping`` raises ``KeyboardInterrupt`` in the epoch whose misses reach
    ``patience``, and only then."""
    callback = skorch.callbacks.EarlyStopping(monitor="valid_loss", patience=2).initialize()

    class Net:
        history = History()
        verbose = 0

    callback.on_train_begin(Net())
    for epoch, loss in enumerate([1.0, 2.0], start=1):
        Net.history.new_epoch()
        Net.history.record("epoch", epoch)
        Net.history.record("valid_loss", loss)
        callback.on_epoch_end(Net())  # an improvement, then one miss
    Net.history.new_epoch()
    Net.history.record("epoch", 3)
    Net.history.record("valid_loss", 3.0)
    with pytest.raises(KeyboardInterrupt):
        callback.on_epoch_end(Net())
    assert callback.misses_ == callback.patience


def test_run_single_epoch_records_what_skorchs_own_records(X, monkeypatch):
    """Pins ``BaseNet.run_single_epoch``, a copy of skorch's epoch that reads the batch
    losses once per epoch: trained alike, skorch's own epoch leaves the same history and
    makes the same callback calls."""

    def train(run_single_epoch):
        calls = []

        class Recorder(skorch.callbacks.Callback):
            def on_batch_begin(self, net, training=False, **kwargs):
                calls.append(("begin", training))

            def on_batch_end(self, net, training=False, **kwargs):
                calls.append(("end", training, sorted(kwargs)))

        monkeypatch.setattr(BaseNet, "run_single_epoch", run_single_epoch)
        ae = AutoencoderTransformer(n_components=2, max_epochs=3, batch_size=40, random_state=0)
        monkeypatch.setattr(
            ae, "_training_setup", lambda *args: (HoldOut(0.25, 0), [("recorder", Recorder())])
        )
        ae.fit(X)
        history = [{k: v for k, v in row.items() if k != "dur"} for row in ae.net_.history]
        for row in history:
            row["batches"] = [{k: pytest.approx(v) for k, v in b.items()} for b in row["batches"]]
        return history, calls

    ours = train(BaseNet.run_single_epoch)
    skorchs = train(skorch.NeuralNet.run_single_epoch)
    assert ours == skorchs
