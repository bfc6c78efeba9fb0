"""skae: autoencoders, variational autoencoders and GANs as scikit-learn estimators.

The public estimators each live in their own private module (``_autoencoder``, ``_vae``,
``_gan``, ``_fusion``, ``_diffusion``, ``_impute``), built on the layers below them: ``_base`` (the
estimators' shared plumbing and contracts), ``_training`` (skorch), ``_nn`` (torch) and
``_tabular`` (the codec). ``docs/design/architecture.md`` maps every module.
"""

from ._autoencoder import AutoencoderTransformer
from ._diffusion import DiffusionSampler
from ._fusion import AEGANFusion
from ._gan import GANSampler
from ._impute import DiffusionImputer
from ._vae import VAETransformer
from .exceptions import TrainingDivergedError

__version__ = "0.1.0"

__all__ = [
    "AEGANFusion",
    "AutoencoderTransformer",
    "DiffusionImputer",
    "DiffusionSampler",
    "GANSampler",
    "TrainingDivergedError",
    "VAETransformer",
    "__version__",
]
