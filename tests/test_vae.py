"""What is specific to VAETransformer: sampling, the ELBO, beta, KL warm-up and collapse."""

import numpy as np
import pytest
import torch
from scipy.stats import norm
from sklearn.preprocessing import StandardScaler

from skae import VAETransformer
from skae._nn.autoencoder import VAEModule

from .conftest import fast


def test_sample_shape_units_and_reproducibility(X_small):
    X = X_small * 1e3 + 10.0
    vae = fast(VAETransformer, n_components=3, max_epochs=30).fit(X)
    samples = vae.sample(500, random_state=0)
    assert samples.shape == (500, X.shape[1]) and samples.dtype == np.float32
    assert np.all(np.abs(samples.mean(0) - X.mean(0)) < 0.5 * X.std(0))
    # Samples keep to the training range, so their spread is below 3 X.std(0) whatever
    # the decoder outputs; too wide draws would pile up at the ends of the range.
    at_an_end = (samples == X.min(0)) | (samples == X.max(0))
    assert at_an_end.mean() < 0.05
    np.testing.assert_array_equal(samples, vae.sample(500, random_state=0))
    assert not np.array_equal(vae.sample(5), vae.sample(5))


def test_elbo_is_below_the_reconstruction_log_likelihood(X_small):
    """ELBO = log p(x | z_mean) - KL, with KL >= 0, in the units of X."""
    X = X_small.astype(np.float64) * 50.0
    vae = fast(VAETransformer, n_components=2, max_epochs=20).fit(X)
    reconstruction = vae.inverse_transform(vae.transform(X))
    scale = np.exp(vae.net_.module_.log_scale.detach().numpy()) * StandardScaler().fit(X).scale_
    log_likelihood = norm.logpdf(X, loc=reconstruction, scale=scale).sum(axis=1)
    elbo = vae.score_samples(X)
    assert np.all(elbo <= log_likelihood + 1e-6)
    assert np.mean(log_likelihood - elbo) > 1e-3


def test_beta_zero_is_a_plain_stochastic_autoencoder(X_small):
    common = dict(n_components=2, max_epochs=30, early_stopping=False)
    plain = fast(VAETransformer, beta=0.0, **common).fit(X_small)
    regularised = fast(VAETransformer, beta=1.0, **common).fit(X_small)

    def error(model):
        return np.mean((model.inverse_transform(model.transform(X_small)) - X_small) ** 2)

    assert error(plain) <= error(regularised)
    assert plain.history_[-1]["train_kl"] > regularised.history_[-1]["train_kl"]


@pytest.mark.parametrize("scale", [1e6, 1e-6])
def test_no_nan_with_extreme_inputs(X_small, scale):
    X = X_small.astype(np.float64) * scale
    X[:, 0] *= 1e3  # columns on very different scales too
    vae = fast(VAETransformer, n_components=2, max_epochs=10).fit(X)
    for out in (vae.transform(X), vae.inverse_transform(vae.transform(X)), vae.score_samples(X)):
        assert np.all(np.isfinite(out))
    assert np.all(np.isfinite(vae.sample(50, random_state=0)))
    assert all(np.isfinite(row["train_loss"]) for row in vae.history_)


def test_history_records_the_kl_of_the_posterior(X_small):
    """train_kl and valid_kl are the mean KL(q(z | x) || N(0, I)) of the training and
    validation rows. With the weights held still (a vanishing learning rate) their mean
    weighted by the rows they cover is that of every row."""
    vae = fast(VAETransformer, n_components=3, max_epochs=3, lr=1e-12).fit(X_small)
    M = torch.from_numpy(vae.codec_.encode(X_small, dtype=np.float32))
    with torch.no_grad():
        z_mean, z_logvar = vae.net_.module_.encode_distribution(M)
    kl = 0.5 * (z_mean**2 + z_logvar.exp() - 1 - z_logvar).sum(dim=1).mean().item()
    n_valid = round(0.1 * len(X_small))  # validation_fraction
    n_train = len(X_small) - n_valid
    for row in vae.history_:
        assert row["train_kl"] != pytest.approx(row["valid_kl"])  # two sets of rows
        mean = (n_train * row["train_kl"] + n_valid * row["valid_kl"]) / len(X_small)
        assert mean == pytest.approx(kl, rel=1e-5)


def test_history_records_the_active_units_of_the_codes(X_small):
    """active_units counts the code units whose posterior mean varies across the training
    rows with a variance above 0.01. Without early stopping the last epoch's weights are
    the fitted ones, whose codes ``transform`` gives; a strong beta leaves only some units
    active."""
    vae = fast(
        VAETransformer, n_components=4, beta=2.5, lr=1e-2, max_epochs=30, early_stopping=False
    ).fit(X_small)
    variances = vae.transform(X_small).var(axis=0, ddof=1)
    active = int(np.sum(variances > 0.01))
    assert 0 < active < 4
    assert vae.history_[-1]["active_units"] == active


def test_posterior_collapse_shows_in_active_units(X_small):
    common = dict(n_components=3, max_epochs=30, early_stopping=False, lr=1e-2)
    healthy = fast(VAETransformer, **common).fit(X_small)
    collapsed = fast(VAETransformer, beta=200.0, **common).fit(X_small)
    assert healthy.history_[-1]["active_units"] == 3
    assert collapsed.history_[0]["active_units"] == 3
    assert collapsed.history_[-1]["active_units"] == 0


def test_kl_warmup_lowers_the_kl_weight_early(X_small):
    common = dict(n_components=2, max_epochs=3, early_stopping=False, beta=20.0)
    warm = fast(VAETransformer, kl_warmup=50, **common).fit(X_small)
    cold = fast(VAETransformer, **common).fit(X_small)
    assert warm.net_.current_beta(training=True) == pytest.approx(20.0 * 3 / 50)
    assert warm.history_[0]["train_kl"] > cold.history_[0]["train_kl"]


def test_log_variance_is_clamped():
    module = VAEModule(4, 2, hidden_layer_sizes=(8,))
    with torch.no_grad():
        module.encoder_net[-1].bias[2:] = 1e4
    _, z_logvar = module.encode_distribution(torch.randn(5, 4))
    assert torch.all(z_logvar <= VAEModule.LOGVAR_RANGE[1])
    assert torch.all(torch.isfinite(module(torch.randn(5, 4))[0]))
