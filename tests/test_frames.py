"""DataFrame libraries: polars frames and pyarrow tables behave as pandas DataFrames do."""

import numpy as np
import pandas as pd
import pytest
from sklearn import config_context

from skae import AutoencoderTransformer, DiffusionSampler, GANSampler, VAETransformer
from skae.metrics import column_fidelity_score, reconstruction_error_by_column

from .conftest import fast, fast_fusion

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
sio = pytest.importorskip("skops.io")


@pytest.fixture
def polars_table():
    """Numbers of three dtypes, strings and an Enum (polars' fixed-category type)."""
    rng = np.random.RandomState(0)
    return pl.DataFrame(
        {
            "x": rng.randn(90),
            "y": rng.randn(90).astype(np.float32),
            "count": rng.randint(0, 20, size=90),
            "kind": np.array(["a", "b", "c"])[np.arange(90) % 3],
            "size": pl.Series(
                np.array(["S", "M"])[np.arange(90) % 2], dtype=pl.Enum(["S", "M", "L"])
            ),
        }
    )


MODELS = {
    "autoencoder": lambda: fast(AutoencoderTransformer),
    "vae": lambda: fast(VAETransformer),
    "gan": lambda: fast(GANSampler),
    "diffusion": lambda: fast(DiffusionSampler),
    "fusion": fast_fusion,
}


@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_a_polars_frame_with_strings_fits_and_samples_polars_with_its_schema(polars_table, make):
    """A polars string column is modelled as categories, as in pandas, and samples come
    back as polars with the training schema."""
    model = make().fit(polars_table)
    samples = model.sample(10, random_state=0)
    assert isinstance(samples, pl.DataFrame)
    assert samples.schema == polars_table.schema
    assert set(samples["kind"].to_list()) <= {"a", "b", "c"}
    if hasattr(model, "transform"):
        restored = model.inverse_transform(model.transform(polars_table))
        assert isinstance(restored, pl.DataFrame) and restored.schema == polars_table.schema


def test_polars_and_pandas_give_the_same_model(polars_table):
    from_polars = fast(AutoencoderTransformer).fit(polars_table)
    from_pandas = fast(AutoencoderTransformer).fit(polars_table.to_pandas())
    np.testing.assert_array_equal(
        from_polars.transform(polars_table), from_pandas.transform(polars_table.to_pandas())
    )
    np.testing.assert_array_equal(
        from_polars.score_samples(polars_table.to_pandas()), from_pandas.score_samples(polars_table)
    )
    assert list(from_polars.feature_names_in_) == polars_table.columns


def test_polars_output_follows_set_output(polars_table):
    model = fast(AutoencoderTransformer).set_output(transform="polars").fit(polars_table)
    codes = model.transform(polars_table)
    assert isinstance(codes, pl.DataFrame)
    assert codes.columns == list(model.get_feature_names_out())
    with config_context(transform_output="polars"):
        fusion = fast_fusion().fit(polars_table)
        assert isinstance(fusion.transform(polars_table), pl.DataFrame)
    np.testing.assert_allclose(
        fusion.transform(polars_table), codes.to_numpy(), rtol=1e-5, atol=1e-5
    )


def test_a_pyarrow_table_fits_and_samples_a_table():
    table = pa.table({"x": np.arange(40.0), "kind": ["a", "b"] * 20})
    model = fast(AutoencoderTransformer).fit(table)
    samples = model.sample(5, random_state=0)
    assert isinstance(samples, pa.Table) and samples.schema == table.schema
    # The schema is saved as Arrow's own bytes, which skops loads as plain data.
    data = sio.dumps(model)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert loaded.sample(5, random_state=0).equals(samples)


def test_polars_errors_name_the_column(polars_table):
    model = fast(AutoencoderTransformer).fit(polars_table)
    unseen = polars_table.with_columns(pl.lit("z").alias("kind"))
    with pytest.raises(ValueError, match="'kind' holds 'z'"):
        model.transform(unseen)


def test_metrics_take_polars_frames(polars_table):
    model = fast(AutoencoderTransformer).fit(polars_table)
    errors = reconstruction_error_by_column(model, polars_table)
    assert isinstance(errors, pd.DataFrame) and list(errors.columns) == polars_table.columns
    assert 0 <= column_fidelity_score(polars_table, model.sample(90, random_state=0)) <= 1
