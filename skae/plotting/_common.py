"""What the displays share: matplotlib's pyplot, imported when first needed, and a new or
given Axes."""


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            'skae.plotting needs matplotlib; install it with pip install "skae[plot]" '
            "(or pip install matplotlib)."
        ) from error
    return plt


def _axes(ax, **subplots):
    """``ax``, or a new figure's Axes when it is None; and its figure."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(**subplots)
    return ax, ax.figure


def _name(estimator, name):
    return type(estimator).__name__ if name is None else name
