"""skae: autoencoders, variational autoencoders and GANs as scikit-learn estimators."""

from ._autoencoder import AutoencoderTransformer
from ._fusion import AEGANFusion
from ._gan import GANSampler
from ._vae import VAETransformer
from .exceptions import TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "AEGANFusion",
    "AutoencoderTransformer",
    "GANSampler",
    "TrainingDivergedError",
    "VAETransformer",
    "__version__",
]
