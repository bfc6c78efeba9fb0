"""skae.plotting: the displays and image grids (Agg backend: nothing is shown)."""

import sys

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from skae import AutoencoderTransformer, GANSampler, VAETransformer  # noqa: E402
from skae.metrics import column_fidelity_score, reconstruction_error_by_column  # noqa: E402
from skae.plotting import (  # noqa: E402
    AnomalyScoreDisplay,
    CodeDisplay,
    ColumnErrorDisplay,
    SampleComparisonDisplay,
    TrainingHistoryDisplay,
    plot_image_grid,
)

from .conftest import fast, fast_fusion  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def autoencoder():
    rng = np.random.RandomState(0)
    t = rng.uniform(-1, 1, size=(120, 2))
    X = np.c_[t, t**2, t[:, :1] * t[:, 1:], np.sin(3 * t)] + 0.05 * rng.randn(120, 7)
    return fast(AutoencoderTransformer, max_epochs=30).fit(X), X


@pytest.fixture(scope="module")
def mixed_table():
    rng = np.random.RandomState(0)
    return pd.DataFrame(
        {
            "size": rng.normal(10, 2, 150),
            "count": rng.poisson(3, 150),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], 150)),
            "flag": rng.rand(150) < 0.3,
        }
    )


def test_plots_without_a_display(autoencoder, monkeypatch):
    """Given no Axes, every display draws on a new figure of the backend chosen before
    skae.plotting was imported (here Agg, which needs no screen): it neither switches the
    backend nor shows the figure."""
    ae, X = autoencoder

    def show(*args, **kwargs):
        raise AssertionError("a display showed its figure")

    monkeypatch.setattr(plt, "show", show)
    monkeypatch.setattr(matplotlib.figure.Figure, "show", show)
    figures = [
        TrainingHistoryDisplay.from_estimator(ae).figure_,
        AnomalyScoreDisplay.from_estimator(ae, X, np.arange(len(X)) % 7 == 0).figure_,
        ColumnErrorDisplay.from_estimator(ae, X).figure_,
        CodeDisplay.from_estimator(ae, X).figure_,
        SampleComparisonDisplay.from_samples(X, X[::-1]).figure_,
        plot_image_grid(X[:4, :6], (2, 3)).figure,
    ]
    assert sorted(figure.number for figure in figures) == plt.get_fignums()  # one each
    for figure in figures:
        figure.canvas.draw()
    assert matplotlib.get_backend().lower() == "agg"


def test_every_display_draws_on_the_axes_it_is_given(autoencoder):
    ae, X = autoencoder
    figure, axes = plt.subplots(2, 4)
    axes = axes.ravel()
    history = TrainingHistoryDisplay.from_estimator(ae, ax=axes[0])
    anomaly = AnomalyScoreDisplay.from_estimator(ae, X, np.arange(len(X)) % 7 == 0, ax=axes[1:3])
    columns = ColumnErrorDisplay.from_estimator(ae, X, ax=axes[3])
    codes = CodeDisplay.from_estimator(ae, X, ax=axes[4])
    samples = SampleComparisonDisplay.from_samples(X[:, :2], X[::-1, :2], ax=axes[5:7])
    grid = plot_image_grid(X[:4, :6], (2, 3), ax=axes[7])
    assert history.ax_ is axes[0] and anomaly.ax_ is axes[1] and anomaly.roc_ax_ is axes[2]
    assert columns.ax_ is axes[3] and codes.ax_ is axes[4] and grid is axes[7]
    assert list(samples.axes_) == list(axes[5:7])
    displays = (history, anomaly, columns, codes, samples)
    assert all(display.figure_ is figure for display in displays)
    assert all(ax.has_data() for ax in axes)  # each drew on its own Axes
    assert plt.get_fignums() == [figure.number]  # and made no figure of its own


# --------------------------------------------------------------------------- history


def test_history_shows_both_losses_and_the_kept_epoch(autoencoder):
    ae, _ = autoencoder
    display = TrainingHistoryDisplay.from_estimator(ae)
    assert set(display.lines_) == {"training loss", "validation loss"}
    np.testing.assert_allclose(
        display.lines_["validation loss"].get_ydata(), [row["valid_loss"] for row in ae.history_]
    )
    kept = dict(ae.net_.callbacks_)["early_stopping"].best_epoch_
    assert display.kept_epoch == kept
    assert display.kept_line_.get_xdata()[0] == kept
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_ylabel().startswith("loss")
    assert display.ax_.get_title() == "AutoencoderTransformer"
    assert display.figure_ is display.ax_.figure
    labels = display.ax_.get_legend_handles_labels()[1]
    assert any(label.startswith("weights kept") for label in labels)


def test_history_without_early_stopping_marks_nothing(X_small):
    vae = fast(VAETransformer, early_stopping=False).fit(X_small)
    display = TrainingHistoryDisplay.from_estimator(vae, log_scale=False)
    assert list(display.lines_) == ["training loss"]
    assert display.kept_epoch is None and display.kept_line_ is None


def test_history_of_a_gan_and_of_a_fusion(X_small):
    gan = fast(GANSampler).fit(X_small)
    display = TrainingHistoryDisplay.from_estimator(gan)
    assert set(display.lines_) == {"critic loss", "generator loss"}
    fusion = fast_fusion().fit(X_small)
    display = TrainingHistoryDisplay.from_estimator(fusion)
    assert "autoencoder_" in display.ax_.get_title()
    assert len(display.epochs) == fusion.autoencoder_.n_iter_


def test_history_replots_on_given_axes(autoencoder):
    display = TrainingHistoryDisplay.from_estimator(autoencoder[0])
    _, ax = plt.subplots()
    display.plot(ax=ax, name="again", log_scale=True)
    assert display.ax_ is ax and ax.get_title() == "again" and ax.get_yscale() == "log"


def test_history_needs_a_fitted_model():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(AutoencoderTransformer())


# --------------------------------------------------------------------------- anomalies


def test_anomaly_histogram_without_labels(autoencoder):
    ae, X = autoencoder
    display = AnomalyScoreDisplay.from_estimator(ae, X, lower_quantile=0)
    assert display.roc_ax_ is None and display.roc_display_ is None
    assert display.n_below_view_ == 0
    assert sum(patch.get_height() for patch in display.ax_.patches) == len(X)
    offset_lines = [line for line in display.ax_.lines if line.get_xdata()[0] == ae.offset_]
    assert offset_lines
    assert display.ax_.get_xlabel().startswith("score_samples")
    assert display.ax_.get_ylabel() == "rows"


@pytest.mark.parametrize("labels", ["bool", "predict"])
def test_anomaly_roc_with_labels(autoencoder, labels):
    ae, X = autoencoder
    is_outlier = np.arange(len(X)) % 7 == 0
    y = is_outlier if labels == "bool" else np.where(is_outlier, -1, 1)
    display = AnomalyScoreDisplay.from_estimator(ae, X, y)
    expected = roc_auc_score(is_outlier, -ae.score_samples(X))
    assert display.roc_auc_ == pytest.approx(expected)
    assert display.roc_display_.roc_auc == pytest.approx(expected)
    assert display.roc_ax_.get_xlabel().startswith("false positive rate")
    assert display.roc_ax_.get_ylabel().startswith("true positive rate")
    legend = display.ax_.get_legend_handles_labels()[1]
    assert legend[0] == f"inliers ({(~is_outlier).sum()})"


def test_anomaly_rows_below_the_view_are_counted(autoencoder):
    ae, X = autoencoder
    display = AnomalyScoreDisplay.from_estimator(ae, X, lower_quantile=0.1)
    scores = ae.score_samples(X)
    assert display.n_below_view_ == np.sum(scores < min(np.quantile(scores, 0.1), ae.offset_))
    assert any("below the axis" in text.get_text() for text in display.ax_.texts)


def test_anomaly_axes_and_labels_are_checked(autoencoder):
    ae, X = autoencoder
    with pytest.raises(ValueError, match="two Axes"):
        AnomalyScoreDisplay.from_estimator(ae, X, np.arange(len(X)) % 2, ax=plt.gca())
    with pytest.raises(ValueError, match="pos_label"):
        AnomalyScoreDisplay.from_estimator(ae, X, np.arange(len(X)) % 3)
    display = AnomalyScoreDisplay.from_estimator(
        ae, X, np.where(np.arange(len(X)) % 3 == 0, "odd", "ok"), pos_label="odd"
    )
    assert display.is_outlier.sum() == 40


# --------------------------------------------------------------------------- columns


def test_column_errors_explain_the_lowest_scoring_row(mixed_table):
    ae = fast(AutoencoderTransformer).fit(mixed_table)
    display = ColumnErrorDisplay.from_estimator(ae, mixed_table, max_columns=3)
    row = int(np.argmin(ae.score_samples(mixed_table)))
    errors = reconstruction_error_by_column(ae, mixed_table).iloc[row]
    assert len(display.bars_) == 3
    widths = [bar.get_width() for bar in display.bars_]
    np.testing.assert_allclose(widths, errors.sort_values(ascending=False).iloc[:3])
    shown = [tick.get_text() for tick in display.ax_.get_yticklabels()]
    assert shown == list(errors.sort_values(ascending=False).index[:3])  # largest on top
    assert display.ax_.get_xlabel() == "reconstruction error"
    assert display.ax_.get_ylabel() == "column"
    assert f"row {row}" in display.ax_.get_title()


def test_column_errors_of_a_chosen_row(autoencoder):
    ae, X = autoencoder
    display = ColumnErrorDisplay.from_estimator(ae, X, row=5)
    assert len(display.bars_) == X.shape[1]
    assert display.errors.name == 5
    with pytest.raises(ValueError, match="row must be"):
        ColumnErrorDisplay.from_estimator(ae, X, row=len(X))


# --------------------------------------------------------------------------- codes


def test_codes_of_two_units_are_drawn_as_they_are(autoencoder):
    ae, X = autoencoder
    y = np.arange(len(X)) % 3
    display = CodeDisplay.from_estimator(ae, X, y)
    assert len(display.scatter_) == 3
    np.testing.assert_allclose(display.points, ae.transform(X), rtol=1e-6)
    assert display.ax_.get_xlabel() == "code unit 1"
    assert display.ax_.get_ylabel() == "code unit 2"
    assert display.ax_.get_legend_handles_labels()[1] == ["0", "1", "2"]


def test_codes_of_more_units_are_projected(X_small):
    ae = fast(AutoencoderTransformer, n_components=4).fit(X_small)
    display = CodeDisplay.from_estimator(ae, X_small)
    assert display.ax_.get_xlabel().startswith("codes' PC 1")
    assert display.ax_.get_ylabel().startswith("codes' PC 2")
    assert display.points.shape == (len(X_small), 2)


def test_codes_coloured_by_a_number_get_a_colour_bar(autoencoder):
    ae, X = autoencoder
    display = CodeDisplay.from_estimator(ae, X, X[:, 0])
    assert len(display.figure_.axes) == 2  # the plot and its colour bar


def test_a_one_unit_code(X_small):
    ae = fast(AutoencoderTransformer, n_components=1).fit(X_small)
    display = CodeDisplay.from_estimator(ae, X_small, ["a", "b"] * 60)
    assert display.ax_.get_xlabel() == "code"
    np.testing.assert_allclose(display.points[:, 0], ae.transform(X_small)[:, 0], rtol=1e-6)


# --------------------------------------------------------------------------- samples


def test_sample_comparison_of_a_mixed_table(mixed_table):
    ae = fast(AutoencoderTransformer).fit(mixed_table)
    display = SampleComparisonDisplay.from_estimator(ae, mixed_table, random_state=0, n_cols=3)
    assert len(display.axes_) == 4
    assert len(display.figure_.axes) == 6 and not display.figure_.axes[5].get_visible()
    for ax, column in zip(display.axes_, mixed_table.columns, strict=True):
        assert ax.get_xlabel() == column
        assert ax.get_title().startswith(f"{column}: fidelity")
    assert display.axes_[0].get_ylabel() == "density"  # numbers: histograms
    assert display.axes_[2].get_ylabel() == "share of rows"  # categories: bars
    ticks = {tick.get_text() for tick in display.axes_[2].get_xticklabels()}
    assert ticks <= {"red", "green", "blue"} and ticks
    synthetic = ae.sample(len(mixed_table), random_state=0)
    expected = column_fidelity_score(mixed_table[["colour"]], synthetic[["colour"]])
    assert display.fidelity_["colour"] == pytest.approx(expected)


def test_sample_comparison_from_arrays_on_given_axes():
    rng = np.random.RandomState(0)
    real, synthetic = rng.randn(100, 3), rng.randn(80, 3) + 1
    _, axes = plt.subplots(1, 2)
    display = SampleComparisonDisplay.from_samples(real, synthetic, columns=["x0", "x2"], ax=axes)
    assert list(display.axes_) == list(axes)
    assert display.fidelity_["x0"] < 0.9  # shifted by one standard deviation
    assert axes[1].get_xlabel() == "x2"


def test_sample_comparison_checks_its_input():
    real = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    with pytest.raises(ValueError, match="same columns"):
        SampleComparisonDisplay.from_samples(real, real.rename(columns={"b": "c"}))
    with pytest.raises(ValueError, match="not columns"):
        SampleComparisonDisplay.from_samples(real, real, columns=["z"])
    with pytest.raises(ValueError, match="one Axes per column"):
        SampleComparisonDisplay.from_samples(real, real, ax=[plt.gca()])


def test_sample_comparison_of_a_gan(X_small):
    gan = fast(GANSampler).fit(X_small)
    display = SampleComparisonDisplay.from_estimator(gan, X_small, n_samples=50, random_state=0)
    assert len(display.X_synthetic) == 50 and len(display.axes_) == X_small.shape[1]


# --------------------------------------------------------------------------- optional


def test_missing_matplotlib_says_how_to_install_it(monkeypatch):
    display = TrainingHistoryDisplay(epochs=np.arange(1, 3), losses={"loss": np.ones(2)})
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "skae\[plot\]"'):
        display.plot()
    with pytest.raises(ImportError, match=r'pip install "skae\[plot\]"'):
        plot_image_grid(np.zeros((1, 4)), (2, 2))


# --------------------------------------------------------------------------- images


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
