"""skae.plotting: image grids."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from skae.plotting import plot_image_grid  # noqa: E402


def test_grid_places_every_image_with_blank_borders():
    rows = np.arange(5 * 6, dtype=float).reshape(5, 6)  # five 2 x 3 images
    ax = plot_image_grid(rows, (2, 3), n_cols=2, title="five")
    grid = ax.get_images()[0].get_array()
    assert grid.shape == (3 * 4, 2 * 5)  # 3 grid rows of 2, each image padded by 1 pixel
    np.testing.assert_array_equal(grid[1:3, 1:4], rows[0].reshape(2, 3))
    np.testing.assert_array_equal(grid[5:7, 6:9], rows[3].reshape(2, 3))
    assert grid.mask[0].all() and grid.mask[9:, 6:].all()  # borders and the missing sixth
    assert ax.get_title() == "five"


def test_rgb_images():
    rows = np.random.RandomState(0).rand(4, 3 * 2 * 2)
    grid = plot_image_grid(rows, (3, 2, 2), n_cols=4).get_images()[0].get_array()
    assert grid.shape == (4, 16, 3)


def test_bad_shapes():
    with pytest.raises(ValueError, match="12 columns"):
        plot_image_grid(np.zeros((2, 10)), (3, 4))
    with pytest.raises(ValueError, match="1 or 3 channels"):
        plot_image_grid(np.zeros((2, 8)), (2, 2, 2))
