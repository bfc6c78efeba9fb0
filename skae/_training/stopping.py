"""How training stops: when a loss diverges, early (when the monitored loss stops
improving), and on Ctrl-C.

skorch ends its training loop quietly on any ``KeyboardInterrupt``, which is how its
``EarlyStopping`` stops training. scikit-learn lets Ctrl-C propagate, so that a search
stops. Both hold here, and each piece of that workaround is in this module:

- :class:`EarlyStoppingFromStart` stops with :class:`StopTraining`, a ``KeyboardInterrupt``
  that skorch's loop ends on as it does for its own early stopping;
- :func:`training_interrupts` (around ``BaseNet.fit_loop``) lets ``StopTraining`` through
  to skorch and turns any other ``KeyboardInterrupt`` (Ctrl-C) into
  :class:`TrainingInterrupted`, which skorch does not catch;
- :func:`interruptible` (around an estimator's ``fit``) turns it back into
  ``KeyboardInterrupt`` and leaves the estimator as it was before the call.
"""

import math
from contextlib import contextmanager
from copy import deepcopy

from skorch.callbacks import Callback, EarlyStopping

from ..exceptions import TrainingDivergedError


class StopOnDivergence(Callback):
    """Raise :class:`TrainingDivergedError` at the end of an epoch in which a batch loss
    was NaN or infinite (the losses are read from the device once per epoch)."""

    def on_epoch_end(self, net, **kwargs):
        for batch in net.history[-1]["batches"]:
            for key in ("train_loss", "valid_loss"):
                value = batch.get(key, 0.0)
                if not math.isfinite(value):
                    raise TrainingDivergedError(
                        f"Training diverged in epoch {len(net.history)}: the "
                        f"{'training' if key == 'train_loss' else 'validation'} loss became "
                        f"{value}. Lower the learning rate (lr={net.lr:g} now), or check the "
                        "input for extreme values or columns on very different scales."
                    )


class StopTraining(KeyboardInterrupt):
    """How early stopping ends skorch's training loop (skorch's own ``EarlyStopping``
    raises a plain ``KeyboardInterrupt``), told apart from Ctrl-C."""


class TrainingInterrupted(Exception):
    """A ``KeyboardInterrupt`` during training, carried past skorch, which would swallow
    it and return a half-trained net (see :func:`interruptible`)."""


def discard_message(*args, **kwargs):
    """A picklable sink for skorch messages."""


class EarlyStoppingFromStart(EarlyStopping):
    """skorch's ``EarlyStopping`` with the untrained weights as the first candidate.

    Training then never returns weights whose monitored loss is worse than the initial
    ones: a PCA-initialised autoencoder ends no worse than PCA on the validation rows.
    The relative threshold is taken of ``|loss|``, so it also holds for negative losses
    (a negative log-likelihood can be below zero).

    Until an epoch first beats the untrained weights, ``START_PATIENCE_FACTOR`` times
    ``patience`` epochs may pass without improvement: from a PCA start the loss first
    rises for a few epochs as the non-linear part wakes up, and counting those as misses
    would stop training at the PCA solution.
    """

    START_PATIENCE_FACTOR = 3

    def on_epoch_end(self, net, **kwargs):
        patience = self.patience
        if self.best_epoch_ == 0:  # nothing has beaten the untrained weights yet
            self.patience = patience * self.START_PATIENCE_FACTOR
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            if self.misses_ != self.patience:
                raise  # Ctrl-C, not a decision to stop
            raise StopTraining from None
        finally:
            self.patience = patience

    def _calc_new_threshold(self, score):
        return score - self.threshold * abs(score)

    def on_train_begin(self, net, X=None, **kwargs):
        super().on_train_begin(net, X=X, **kwargs)
        train, valid = net.get_split_datasets(X)
        rows = valid if self.monitor == "valid_loss" else train
        total = sum(
            net.validation_step(batch)["loss"].item() * len(batch[0])
            for batch in net.get_iterator(rows)
        )
        self.dynamic_threshold_ = self._calc_new_threshold(total / len(rows))
        self.best_model_weights_ = deepcopy(net.module_.state_dict())


@contextmanager
def training_interrupts():
    """Inside a training loop: early stopping (:class:`StopTraining`) passes on to skorch,
    which ends the loop and keeps the net; Ctrl-C becomes :class:`TrainingInterrupted`,
    which skorch lets through."""
    try:
        yield
    except StopTraining:
        raise
    except KeyboardInterrupt as interrupt:
        raise TrainingInterrupted from interrupt


@contextmanager
def interruptible(estimator):
    """Ctrl-C during the block propagates as ``KeyboardInterrupt``, as in scikit-learn, so
    a search stops, and leaves ``estimator`` as it was before: never half-trained."""
    state = dict(vars(estimator))
    try:
        yield
    except (KeyboardInterrupt, TrainingInterrupted) as interrupt:
        vars(estimator).clear()
        vars(estimator).update(state)
        if isinstance(interrupt, KeyboardInterrupt):
            raise
        raise KeyboardInterrupt from interrupt
