"""The estimator layer's shared plumbing: the base classes and mixins the public estimators
are built on, the contracts between composed models, and the checks and small
scikit-learn models every estimator uses. ``docs/design/architecture.md`` maps the
package."""
