"""How a fitted neural estimator saves: its skorch net as the weights of its modules,
loaded on unpickling into a net made as ``fit`` made it (see ``skae._training.persistence``),
so that pickle, joblib and skops.io hold plain data."""

import numpy as np
import torch

from .._training.persistence import load_net_weights, loadable_device, net_weights


class SavedNetMixin:
    """``__getstate__`` and ``__setstate__`` for an estimator whose fitted net is ``net_``,
    made by ``_make_net(n_samples, rng, one_pass)`` for ``_net_made_for = (n_samples,
    validate)``."""

    def __getstate__(self):
        """The state pickle, joblib and skops.io save: the net as its weights."""
        state = dict(super().__getstate__())  # a copy: the model keeps its own
        if "net_" in state:
            state["net_"] = net_weights(self.net_)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "net_" in state:
            self.device_ = loadable_device(self.device_)
            self.net_ = load_net_weights(self._untrained_net(), state["net_"])
            self.net_.module_.eval()

    def _untrained_net(self):
        """A skorch net of the fitted architecture on ``device_``, for loaded weights, made
        as ``fit`` or ``partial_fit`` made it (batch size, callbacks), so that training can
        continue; it leaves the caller's torch random state as it was."""
        n_samples, validate = self._net_made_for
        with torch.random.fork_rng(devices=[]):
            return self._make_net(n_samples, np.random.RandomState(0), not validate).initialize()
