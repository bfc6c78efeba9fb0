"""The torch layer: networks, their output heads and their losses.

Plain ``torch.nn`` code that imports nothing else of skae: modules whose ``__init__`` stores
sizes and builds layers, and that know nothing of scikit-learn, skorch, devices or data
validation. ``docs/design/architecture.md`` maps the package.
"""
