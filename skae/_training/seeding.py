"""torch's random state inside a fit: seeded from the fit's stream, the caller's restored."""

from contextlib import contextmanager

import torch


@contextmanager
def seeded_torch(seed, device):
    """Seed torch inside the block and restore the caller's torch RNG state afterwards."""
    cuda = device.startswith("cuda")
    devices = list(range(torch.cuda.device_count())) if cuda else []
    with torch.random.fork_rng(devices=devices):
        if cuda:
            torch.manual_seed(seed)
        else:
            torch.random.default_generator.manual_seed(seed)
        yield
