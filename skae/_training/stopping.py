"""How training stops early or on Ctrl-C."""

from contextlib import contextmanager

from .callbacks import TrainingInterrupted


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
