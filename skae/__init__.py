"""skae: autoencoders, variational autoencoders and GANs as scikit-learn estimators.

The public estimators each live in their own private module (``_autoencoder``, ``_vae``,
``_gan``, ``_fusion``) on the base classes of ``_base``; they train skorch nets
(``_nets``, with the losses of ``_losses``, the callbacks of ``_callbacks`` and the data
path of ``_data``) on PyTorch modules (``_modules``, ``_output_blocks``), and see data
through the codec (``_codec``). ``docs/design/architecture.md`` maps every module.
"""

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
