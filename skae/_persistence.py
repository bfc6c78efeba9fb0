"""Fitted models as plain data: what pickle, joblib and skops.io save.

A fitted model's state holds no torch or pandas objects: a torch module becomes its
weights (a dict of NumPy arrays), a dtype its name, and skae's own code rebuilds them on
load (``__setstate__``). So ``skops.io`` can save and load fitted models without running
pickled code, listing only skae's own types as untrusted, and a model fitted on a GPU
loads on a machine without one.
"""

import warnings

import numpy as np
import pandas as pd
import torch

#: Missing values a categorical column may hold, by the name the state stores.
_MISSING_VALUES = {"None": None, "nan": np.nan, "NA": pd.NA, "NaT": pd.NaT}


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


def net_weights(net):
    """The weights of every module of an initialised skorch net, by its name
    (``"module"``, ``"critic"``, ...)."""
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


def dtype_state(dtype):
    """A NumPy or pandas dtype as plain data: its name, or for a categorical dtype its
    categories and order."""
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categories": dtype.categories.tolist(), "ordered": bool(dtype.ordered)}
    if isinstance(dtype, pd.StringDtype):  # pandas 3's "str" is one with NaN as missing
        return {"storage": dtype.storage, "na_value": missing_value_state(dtype.na_value)}
    return str(dtype)


def dtype_from_state(state):
    """The dtype :func:`dtype_state` describes."""
    if not isinstance(state, dict):
        return pd.api.types.pandas_dtype(state)
    if "storage" in state:
        if state["na_value"] == "NA":
            return pd.StringDtype(state["storage"])
        return pd.StringDtype(
            state["storage"], na_value=missing_value_from_state(state["na_value"])
        )
    return pd.CategoricalDtype(state["categories"], ordered=state["ordered"])


def python_scalar(value):
    """A NumPy scalar as the Python scalar it equals; anything else as it is."""
    return value.item() if isinstance(value, np.generic) else value


def missing_value_state(value):
    """The name of a missing value (``None``, NaN, ``pd.NA`` or ``pd.NaT``)."""
    for name, missing in _MISSING_VALUES.items():
        if value is missing or (name == "nan" and isinstance(value, float) and np.isnan(value)):
            return name
    return "None"


def missing_value_from_state(name):
    return _MISSING_VALUES[name]
