"""Exceptions raised by skae."""


class TrainingDivergedError(FloatingPointError):
    """A training run produced a NaN or infinite loss and was stopped.

    The message says in which epoch it happened and what to change (usually a lower
    ``lr``).
    """
