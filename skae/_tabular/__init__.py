"""The tabular layer: user data (arrays, mixed-type DataFrames of pandas, polars or
pyarrow) ⇄ validated rows ⇄ the model matrix the networks see, and back.

NumPy, pandas and scikit-learn only: nothing here imports torch or skorch.
``docs/design/architecture.md`` maps the package.
"""
