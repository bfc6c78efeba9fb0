"""scikit-learn's own estimator checks, on every public estimator, with no expected failures.

The fusions' costliest checks run with the slow tests (``SLOW_FUSION_CHECKS`` in
``conftest.py``), as do all checks of the second fusion, a variant of the first."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AEGANFusion,
    AutoencoderTransformer,
    DiffusionImputer,
    DiffusionSampler,
    GANSampler,
    VAETransformer,
)

from .conftest import fast, fast_fusion

ESTIMATORS = [
    fast(AutoencoderTransformer),
    fast(VAETransformer),
    fast(GANSampler),
    fast(DiffusionSampler),
    DiffusionImputer(fast(DiffusionSampler), n_draws=2, random_state=0),
    fast_fusion(),
]
#: Parts with their own defaults (a GAN with scaler="auto"), a VAE as the autoencoder.
FUSION_VARIANT = AEGANFusion(
    fast(VAETransformer),
    GANSampler(max_epochs=2, hidden_layer_sizes=(16,), critic_hidden_layer_sizes=(16,)),
    fine_tune_steps=2,
    critic_steps=5,
    random_state=0,
)


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.slow
@parametrize_with_checks([FUSION_VARIANT])
def test_sklearn_compatible_fusion_variant(estimator, check):
    check(estimator)
