"""The private scikit-learn names skae uses, imported in this one place.

scikit-learn keeps no promise about names that start with ``_`` or live in its private
modules. skae (its tests too) imports them only from here, so that when a scikit-learn
release moves one, the fix is a version branch in this file (imbalanced-learn's
``utils/_sklearn_compat.py`` pattern), and CI's oldest-versions run (``.ci/oldest.txt``)
shows whether each name is still where the oldest supported release keeps it.

- ``_fit_context``: the decorator of ``fit`` that validates ``_parameter_constraints``
  (and skips nested validation) as scikit-learn's own estimators do.
- ``Interval``, ``StrOptions``, ``RealNotInt``: the vocabulary of
  ``_parameter_constraints``.
- ``InvalidParameterError``: what scikit-learn raises for an invalid parameter value;
  skae raises it too where it checks a parameter itself.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    RealNotInt,
    StrOptions,
)

__all__ = ["Interval", "InvalidParameterError", "RealNotInt", "StrOptions", "_fit_context"]
