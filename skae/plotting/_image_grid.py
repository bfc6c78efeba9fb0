"""Rows that are flattened images, as one grid of images."""

import numpy as np

from ._common import _pyplot


def plot_image_grid(rows, image_shape, *, n_cols=8, ax=None, title=None, vmin=None, vmax=None):
    """Show rows that are flattened images as one grid of images.

    Parameters
    ----------
    rows : array-like of shape (n_images, C * H * W)
        Flattened images, as the estimators take and return them with ``input_shape``.
    image_shape : tuple of int
        ``(H, W)`` for grey images or ``(C, H, W)`` with ``C`` 1 (grey) or 3 (RGB).
    n_cols : int, default=8
        Images per grid row; the last grid row is left blank where images run out.
    ax : matplotlib Axes, default=None
        Where to draw; ``None`` makes a new figure.
    title : str, default=None
        Title of the axes.
    vmin, vmax : float, default=None
        Pixel values mapped to the ends of the grey scale (default: the data's range).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_digits
    >>> from skae.plotting import plot_image_grid
    >>> X, _ = load_digits(return_X_y=True)
    >>> ax = plot_image_grid(X[:16], (8, 8), vmin=0, vmax=16)
    """
    plt = _pyplot()
    shape = tuple(image_shape)
    channels, height, width = (1, *shape) if len(shape) == 2 else shape
    if channels not in (1, 3):
        raise ValueError(f"image_shape must have 1 or 3 channels; got {channels}.")
    rows = np.asarray(rows, dtype=float)
    if rows.ndim != 2 or rows.shape[1] != channels * height * width:
        raise ValueError(
            f"rows must be 2-D with {channels * height * width} columns for image_shape="
            f"{shape}; got shape {rows.shape}."
        )
    # One blank pixel around each image keeps neighbours apart; blanks fill the last row.
    n_rows = -(-len(rows) // n_cols)
    images = np.full((n_rows * n_cols, height + 2, width + 2, channels), np.nan)
    images[: len(rows), 1:-1, 1:-1] = rows.reshape(-1, channels, height, width).transpose(
        0, 2, 3, 1
    )
    grid = images.reshape(n_rows, n_cols, height + 2, width + 2, channels)
    grid = grid.transpose(0, 2, 1, 3, 4).reshape(n_rows * (height + 2), n_cols * (width + 2), -1)
    if ax is None:
        _, ax = plt.subplots(figsize=(n_cols * 0.6, n_rows * 0.6))
    if channels == 1:
        cmap = plt.get_cmap("gray_r").with_extremes(bad="white")
        ax.imshow(grid[..., 0], cmap=cmap, vmin=vmin, vmax=vmax)
    else:
        low = np.nanmin(grid) if vmin is None else vmin
        high = np.nanmax(grid) if vmax is None else vmax
        ax.imshow(np.nan_to_num(np.clip((grid - low) / (high - low), 0, 1), nan=1.0))
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax
