import os

# scikit-learn runs its array-API input check only when SciPy is imported with this set;
# set it before anything imports SciPy so that every estimator check runs.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

# Tests run on two cores; more threads only add contention.
torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture
def X_small():
    """A seeded float32 table: 120 rows on a noisy 2-D manifold in 7 dimensions."""
    rng = np.random.RandomState(0)
    t = rng.uniform(-1, 1, size=(120, 2))
    features = np.c_[t, t**2, t[:, :1] * t[:, 1:], np.sin(3 * t)]
    return (features + 0.05 * rng.randn(*features.shape)).astype(np.float32)


def fast(estimator_class, **params):
    """A cheap instance for tests: tiny networks, a few epochs, seeded, on CPU."""
    defaults = {
        "hidden_layer_sizes": (16,),
        "max_epochs": 3,
        "random_state": 0,
        "device": "cpu",
    }
    params_of_class = estimator_class().get_params()
    if "n_components" in params_of_class:
        # X_small lies on a 2-D manifold: a 2-unit code, smaller than its 7 columns.
        defaults["n_components"] = 2
    if "critic_hidden_layer_sizes" in params_of_class:
        # Small batches: a few epochs then make enough critic steps for generator steps.
        defaults.update(critic_hidden_layer_sizes=(16,), batch_size=32)
    return estimator_class(**{**defaults, **params})


def code_log_density(autoencoder, codes):
    """The code term of an AutoencoderTransformer's ``score_samples``, in SciPy."""
    from scipy.stats import multivariate_normal

    return multivariate_normal(autoencoder.code_mean_, autoencoder.code_covariance_).logpdf(codes)


requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


def fast_fusion(autoencoder_params=None, gan_params=None, **params):
    """A cheap AEGANFusion for tests: fast parts (a standard-scaled code GAN starting at
    the codes' mixture, as the default one), a few fine-tuning and code-critic steps."""
    from skae import AEGANFusion, AutoencoderTransformer, GANSampler

    autoencoder = fast(AutoencoderTransformer, **(autoencoder_params or {}))
    gan = fast(GANSampler, **{"scaler": "standard", "mixture_init": True, **(gan_params or {})})
    defaults = {"fine_tune_steps": 3, "critic_steps": 10, "random_state": 0}
    return AEGANFusion(autoencoder, gan, **{**defaults, **params})
