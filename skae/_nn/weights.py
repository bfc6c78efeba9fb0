"""A torch module's weights as plain data (NumPy arrays), for persistence: a saved state
holds no torch objects, so it loads without running pickled code and on a machine without
the GPU it was trained on."""

import numpy as np
import torch


def module_weights(module):
    """A torch module's parameters and buffers as NumPy arrays on the CPU."""
    return {name: tensor.detach().cpu().numpy() for name, tensor in module.state_dict().items()}


def load_module_weights(module, weights):
    """``module`` with the weights of :func:`module_weights` loaded. A buffer sized in
    training (such as a mixture's components) is first given its fitted shape."""
    state = {name: torch.from_numpy(np.array(w)) for name, w in weights.items()}
    buffers = dict(module.named_buffers())
    for name, tensor in state.items():
        if name in buffers and buffers[name].shape != tensor.shape:
            owner, _, leaf = name.rpartition(".")
            module.get_submodule(owner).register_buffer(leaf, tensor.to(buffers[name].device))
    module.load_state_dict(state)
    return module
