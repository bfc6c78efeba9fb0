"""scikit-learn's own estimator checks, on every public estimator, with no expected failures."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderTransformer, GANSampler, VAETransformer

from .conftest import fast, fast_fusion

ESTIMATORS = [
    fast(AutoencoderTransformer),
    fast(VAETransformer),
    fast(GANSampler),
    fast_fusion(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
