"""DiffusionImputer: missing cells drawn by the flow given the cells a row has."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import make_pipeline

from skae import DiffusionImputer, DiffusionSampler

from .conftest import fast


@pytest.fixture(scope="module")
def table():
    """400 rows: y about 2x, an integer, a category that follows x, and 15% of the cells
    of each column missing."""
    rng = np.random.RandomState(0)
    n = 400
    x = rng.randn(n)
    complete = pd.DataFrame(
        {
            "x": x,
            "y": 2 * x + 0.2 * rng.randn(n),
            "count": rng.poisson(3, n).astype(float),
            "kind": pd.Categorical(np.where(x > 0, "high", "low")),
        }
    )
    missing = rng.rand(*complete.shape) < 0.15
    incomplete = complete.mask(missing)
    return complete, incomplete, missing


def test_every_missing_cell_is_filled_and_observed_cells_kept(table):
    complete, incomplete, missing = table
    imputed = DiffusionImputer(fast(DiffusionSampler), n_draws=2, random_state=0).fit_transform(
        incomplete
    )
    assert not imputed.isna().any().any()
    assert imputed.dtypes.to_dict() == incomplete.dtypes.to_dict()
    pd.testing.assert_frame_equal(imputed[~missing.any(axis=1)], incomplete[~missing.any(axis=1)])
    observed = ~missing
    np.testing.assert_array_equal(
        imputed.to_numpy(object)[observed], incomplete.to_numpy(object)[observed]
    )
    assert set(imputed["kind"]) <= {"high", "low"}


def test_an_array_in_gives_an_array_out(table):
    _, incomplete, _ = table
    X = incomplete[["x", "y", "count"]].to_numpy()
    imputed = (
        DiffusionImputer(fast(DiffusionSampler), n_draws=2, random_state=0).fit(X).transform(X)
    )
    assert isinstance(imputed, np.ndarray) and imputed.shape == X.shape
    assert not np.isnan(imputed).any()
    np.testing.assert_array_equal(imputed[~np.isnan(X)], X[~np.isnan(X)])


def test_draws_are_seeded_and_a_single_draw_differs_from_the_point_estimate(table):
    _, incomplete, _ = table
    model = fast(DiffusionSampler)
    point = DiffusionImputer(model, random_state=0).fit(incomplete)
    pd.testing.assert_frame_equal(point.transform(incomplete), point.transform(incomplete))
    one = point.set_params(sample_posterior=True)
    draws = [one.set_params(random_state=seed).transform(incomplete) for seed in (0, 1)]
    assert not draws[0]["y"].equals(draws[1]["y"])


def test_imputations_follow_the_other_columns(table):
    """y is 2x: given x, the imputed y is far closer than the column's mean, and the
    missing category follows the sign of x."""
    complete, incomplete, missing = table
    sampler = DiffusionSampler(hidden_layer_sizes=(64, 64), max_epochs=300, batch_size=100)
    imputed = DiffusionImputer(sampler, random_state=0).fit_transform(incomplete)
    lost = missing[:, 1] & ~missing[:, 0]
    error = np.sqrt(np.mean((imputed["y"][lost] - complete["y"][lost]) ** 2))
    assert error < 0.35 * complete["y"].std()
    lost_kind = missing[:, 3] & ~missing[:, 0]
    assert (imputed["kind"][lost_kind] == complete["kind"][lost_kind]).mean() > 0.85


def test_in_a_pipeline_before_a_classifier(table):
    complete, incomplete, _ = table
    X = incomplete[["x", "y", "count"]].to_numpy()
    y = complete["kind"].to_numpy()
    imputer = DiffusionImputer(fast(DiffusionSampler), n_draws=2, random_state=0)
    pipeline = make_pipeline(imputer, HistGradientBoostingClassifier(max_iter=20)).fit(X, y)
    assert pipeline.score(X, y) > 0.8


def test_a_column_with_no_observed_value_is_refused(table):
    _, incomplete, _ = table
    empty = incomplete.assign(count=np.nan)
    with pytest.raises(ValueError, match=r"Columns \['count'\] of X have no observed value"):
        DiffusionImputer(fast(DiffusionSampler)).fit(empty)
