"""Hooks that sphinx-gallery calls while it runs the examples (named in ``conf.py``)."""


def reset_argv(gallery_conf, script_vars):
    """Run each example with no arguments, and with the ``__file__`` it has as a script.

    sphinx-gallery leaves ``__file__`` undefined (its notebooks have none), but the examples
    save their figures next to themselves, under ``examples/output/``, as they do when a
    person runs ``python examples/plot_....py``. This hook is the one place where
    sphinx-gallery hands over an example's globals before it runs.
    """
    script_vars["example_globals"]["__file__"] = script_vars["src_file"]
    return []
