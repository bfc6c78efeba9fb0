"""A fitted skorch net as plain data: the weights of each of its modules, loaded into a
net made again on load, on a device this machine has."""

import warnings

import torch

from .._nn.weights import load_module_weights, module_weights


def net_weights(net):
    """The weights of every module of an initialised skorch net, by its name
    (``"module"``, ``"critic"``, ...)."""
    # skorch's (private) registry of the net's modules, pinned by tests/test_skorch_contract.py.
    return {name: module_weights(getattr(net, f"{name}_")) for name in net._modules}


def load_net_weights(net, weights):
    """``net`` with the weights of :func:`net_weights` loaded into its modules."""
    for name, module_state in weights.items():
        load_module_weights(getattr(net, f"{name}_"), module_state)
    return net


def loadable_device(device):
    """``device`` when this machine has it, else ``"cpu"`` with a warning: a model fitted
    on a GPU loads and predicts anywhere."""
    missing = (device.startswith("cuda") and not torch.cuda.is_available()) or (
        device == "mps" and not torch.backends.mps.is_available()
    )
    if not missing:
        return device
    warnings.warn(
        f"This model was fitted on device {device!r}, which this machine does not have; "
        "it is loaded on the CPU (device_ says so).",
        UserWarning,
        stacklevel=3,
    )
    return "cpu"
