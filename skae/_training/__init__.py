"""The training layer: the skorch nets and callbacks that train the networks of ``skae._nn``,
the data path that feeds them, where and on how many threads they compute, batched
inference, data-parallel plumbing and saving a fitted net as plain data.
``docs/design/architecture.md`` maps the package."""
