"""AEGANFusion: parts, nested parameters, fine-tuning, the fused score, bad input."""

import inspect
import pickle
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.stats import spearmanr
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, KFold

import skae._fusion
from skae import AEGANFusion, AutoencoderTransformer, GANSampler, VAETransformer
from skae._nn.output_blocks import OutputBlocks
from skae._training.fusion import ContrastNet
from skae._utils.sklearn_compat import InvalidParameterError

from .conftest import fast, fast_fusion


def test_parts_are_fitted_clones_and_the_codes_train_the_gan(X_small):
    fusion = fast_fusion(autoencoder_params={"n_components": 3})
    fusion.fit(X_small)
    assert fusion.autoencoder is not fusion.autoencoder_
    assert not hasattr(fusion.autoencoder, "net_")  # the user's estimator stays unfitted
    assert fusion.gan_.n_features_in_ == 3
    codes = fusion.autoencoder_.transform(X_small)  # the GAN's training rows: their range
    np.testing.assert_array_equal(fusion.gan_.codec_.low_, codes.min(axis=0))
    np.testing.assert_array_equal(fusion.gan_.codec_.high_, codes.max(axis=0))
    assert fusion.transform(X_small).shape == (120, 3)
    np.testing.assert_array_equal(fusion.transform(X_small), fusion.autoencoder_.transform(X_small))
    assert fusion.inverse_transform(fusion.transform(X_small)).shape == X_small.shape
    assert fusion.get_feature_names_out().tolist() == [f"aeganfusion{i}" for i in range(3)]


def test_inverse_transform_takes_x_and_routes_no_metadata():
    assert list(inspect.signature(AEGANFusion.inverse_transform).parameters) == ["self", "X"]
    assert not hasattr(AEGANFusion(), "set_inverse_transform_request")


def test_parts_left_at_none_fit_as_the_default_parts(X_small, monkeypatch):
    """autoencoder=None fits AutoencoderTransformer(n_components=8) and gan=None
    GANSampler(scaler="standard", mixture_init=True), each seeded by the fusion; the code
    GAN starts at a mixture fitted on the codes (one component per 20 rows), not at a
    Gaussian."""
    given = {}

    def record_then_fit_cheaply(part_class):
        fit = part_class.fit

        def spy(self, X, y=None):
            given[part_class] = self.get_params()
            self.set_params(hidden_layer_sizes=(8,), max_epochs=1, device="cpu")
            if isinstance(self, GANSampler):
                self.set_params(critic_hidden_layer_sizes=(8,))
            return fit(self, X)

        monkeypatch.setattr(part_class, "fit", spy)

    record_then_fit_cheaply(AutoencoderTransformer)
    record_then_fit_cheaply(GANSampler)
    fusion = AEGANFusion(fine_tune_steps=0, critic_steps=1, random_state=0).fit(X_small)
    default_autoencoder = AutoencoderTransformer(n_components=8, random_state=0)
    assert given[AutoencoderTransformer] == default_autoencoder.get_params()
    default_gan = GANSampler(scaler="standard", mixture_init=True, random_state=0)
    assert given[GANSampler] == default_gan.get_params()
    assert fusion.transform(X_small).shape == (120, 8)
    assert fusion.gan_.net_.module_.mixture.means.shape == (120 // 20, 8)
    assert fusion.autoencoder is None and fusion.gan is None


def test_an_int_random_state_seeds_the_parts_as_they_would_fit_alone(X_small):
    """The fusion's autoencoder is the one its default would fit alone with the same int
    seed, so the fusion compares like for like with it; a part's own seed is kept."""
    unseeded = {"random_state": None}
    fusion = fast_fusion(unseeded, unseeded, fine_tune_steps=0, random_state=3).fit(X_small)
    assert fusion.autoencoder_.random_state == fusion.gan_.random_state == 3
    alone = clone(fusion.autoencoder).set_params(random_state=3).fit(X_small)
    np.testing.assert_array_equal(fusion.transform(X_small), alone.transform(X_small))
    own_seed = fast_fusion({"random_state": 5}, unseeded, fine_tune_steps=0, random_state=3)
    assert own_seed.fit(X_small).autoencoder_.random_state == 5


def decoded_gan_codes(fusion, X, n_samples, random_state):
    """What ``fusion.sample`` should give for numeric ``X``: the code GAN's sample decoded
    by the autoencoder, kept to the training range."""
    codes = fusion.gan_.sample(n_samples, random_state=random_state)
    return np.clip(fusion.autoencoder_.inverse_transform(codes), X.min(0), X.max(0))


def test_a_code_gan_that_starts_as_a_gaussian_fuses(X_small):
    """A code GAN without the mixture start is fine-tuned with the decoder, its codes are
    what the fusion decodes into samples, and the fused score ranks rows far from the
    training rows below every training row."""
    fusion = fast_fusion(gan_params={"mixture_init": False}).fit(X_small)
    assert fusion.gan_.net_.module_.mixture is None  # it starts as a Gaussian
    plain = fast_fusion(gan_params={"mixture_init": False}, fine_tune_steps=0).fit(X_small)
    assert not np.allclose(
        fusion.gan_.sample(5, random_state=0), plain.gan_.sample(5, random_state=0)
    )
    samples = fusion.sample(50, random_state=0)
    np.testing.assert_allclose(samples, decoded_gan_codes(fusion, X_small, 50, 0), rtol=1e-6)
    far = X_small + 10 * X_small.std(axis=0)
    assert fusion.score_samples(far).max() < fusion.score_samples(X_small).min()


def test_code_critic_reference_is_a_wide_gaussian_of_its_own():
    """The code critic learns codes against N(0, 4 I) in the GAN's units, not against the
    GAN's samples: a generator started at the codes' mixture samples the outliers' cluster
    too, and a critic taught against it learns them as normal (user guide)."""
    net = SimpleNamespace(blocks=OutputBlocks(3), device="cpu")
    reference = ContrastNet.reference(net, 20_000).numpy()
    assert reference.shape == (20_000, 3)
    np.testing.assert_allclose(reference.mean(0), 0.0, atol=0.05)
    np.testing.assert_allclose(reference.std(0), 2.0, rtol=0.03)


def test_nested_parameters_of_a_default_part_set_its_default_estimator():
    fusion = AEGANFusion().set_params(autoencoder__n_components=4, gan__max_epochs=7)
    assert isinstance(fusion.autoencoder, AutoencoderTransformer)
    assert fusion.get_params()["autoencoder__n_components"] == 4
    assert fusion.get_params()["gan__scaler"] == "standard"  # the default part's default
    assert fusion.get_params()["gan__max_epochs"] == 7
    # Setting a part and its nested parameters at once applies both.
    fusion = AEGANFusion().set_params(autoencoder=None, autoencoder__n_components=5)
    assert fusion.autoencoder.n_components == 5


def test_grid_search_over_nested_parameters(X_small):
    """Each candidate of a nested grid scores as the fusion built with that part, fitted
    on each training fold and scored on its test fold; the best one is refitted."""
    grid = {"autoencoder__n_components": [2, 3], "critic_weight": [0.5]}
    search = GridSearchCV(fast_fusion(), grid, cv=2).fit(X_small)
    by_hand = [
        np.mean(
            [
                fast_fusion({"n_components": n_components}, critic_weight=0.5)
                .fit(X_small[train])
                .score(X_small[test])
                for train, test in KFold(2).split(X_small)
            ]
        )
        for n_components in grid["autoencoder__n_components"]
    ]
    scores = search.cv_results_["mean_test_score"]
    np.testing.assert_allclose(scores, by_hand, rtol=1e-6)
    assert scores[0] != pytest.approx(scores[1])  # the nested value changes the fusion
    best = grid["autoencoder__n_components"][int(np.argmax(by_hand))]
    assert search.best_params_["autoencoder__n_components"] == best
    assert search.best_estimator_.autoencoder_.n_components_ == best


def test_grid_search_reaches_the_default_parts(X_small):
    """A part left at None is searched through as its default estimator."""
    fusion = AEGANFusion(fine_tune_steps=2, critic_steps=5, random_state=0)
    cheap = {"hidden_layer_sizes": [(8,)], "max_epochs": [2], "device": ["cpu"]}
    grid = {f"autoencoder__{k}": v for k, v in cheap.items()}
    grid |= {f"gan__{k}": v for k, v in cheap.items()}
    grid |= {"autoencoder__n_components": [2], "gan__batch_size": [32]}
    search = GridSearchCV(fusion, grid, cv=2).fit(X_small)
    assert search.best_estimator_.autoencoder_.n_components == 2
    assert fusion.autoencoder is None  # the searched estimator is left as it was


def test_reproducible_and_pickles(X_small):
    first = fast_fusion().fit(X_small)
    second = clone(first).fit(X_small)
    for method in ("transform", "score_samples"):
        np.testing.assert_array_equal(
            getattr(first, method)(X_small), getattr(second, method)(X_small)
        )
    np.testing.assert_array_equal(
        first.sample(20, random_state=3), second.sample(20, random_state=3)
    )
    assert not np.array_equal(first.sample(20, random_state=3), first.sample(20, random_state=4))
    loaded = pickle.loads(pickle.dumps(first))
    np.testing.assert_array_equal(loaded.score_samples(X_small), first.score_samples(X_small))
    np.testing.assert_array_equal(loaded.sample(5, random_state=0), first.sample(5, random_state=0))


def test_parts_without_a_random_state_are_seeded_by_the_fusion(X_small):
    autoencoder = fast(AutoencoderTransformer, random_state=None)
    gan = fast(GANSampler, random_state=None, scaler="standard")
    fusion = AEGANFusion(autoencoder, gan, fine_tune_steps=2, critic_steps=5, random_state=1)
    first, second = clone(fusion).fit(X_small), clone(fusion).fit(X_small)
    np.testing.assert_array_equal(
        first.sample(10, random_state=0), second.sample(10, random_state=0)
    )
    assert fusion.autoencoder.random_state is None  # seeds go to the clones only


def test_fine_tuning_changes_the_decoder_and_generator_but_not_the_encoder(X_small):
    plain = fast_fusion(fine_tune_steps=0).fit(X_small)
    tuned = fast_fusion(fine_tune_steps=8).fit(X_small)
    assert plain.n_iter_ == 0 and plain.history_ == [] and not plain.fine_tuned_
    assert tuned.fine_tuned_ and tuned.n_iter_ == len(tuned.history_) > 0
    assert any("decoder_loss" in row for row in tuned.history_)
    np.testing.assert_array_equal(plain.transform(X_small), tuned.transform(X_small))
    codes = plain.transform(X_small[:5])
    assert not np.allclose(plain.inverse_transform(codes), tuned.inverse_transform(codes))
    assert not np.allclose(
        plain.gan_.sample(5, random_state=0), tuned.gan_.sample(5, random_state=0)
    )


def test_fine_tuning_is_undone_when_it_worsens_reconstruction(X_small, monkeypatch):
    monkeypatch.setattr(skae._fusion, "MAX_RECONSTRUCTION_INCREASE", -1.0)  # never kept
    monkeypatch.setattr(skae._fusion, "RECONSTRUCTION_SLACK", 0.0)
    plain = fast_fusion(fine_tune_steps=0).fit(X_small)
    undone = fast_fusion(fine_tune_steps=8).fit(X_small)
    assert not undone.fine_tuned_ and undone.n_iter_ > 0
    codes = plain.transform(X_small[:5])
    np.testing.assert_allclose(plain.inverse_transform(codes), undone.inverse_transform(codes))
    np.testing.assert_allclose(
        plain.gan_.sample(5, random_state=0), undone.gan_.sample(5, random_state=0)
    )


def test_code_critic_training_leaves_the_generator_alone(X_small, monkeypatch):
    fusion = fast_fusion(fine_tune_steps=0)
    monkeypatch.setattr(skae._fusion, "train_code_critic", lambda *args, **kwargs: None)
    monkeypatch.setattr(AEGANFusion, "_score_terms", lambda self, A: np.ones((len(A), 2)))
    without_critic = clone(fusion).fit(X_small).gan_.sample(5, random_state=0)
    monkeypatch.undo()
    np.testing.assert_array_equal(
        fusion.fit(X_small).gan_.sample(5, random_state=0), without_critic
    )


def test_score_is_z_scored_on_the_training_rows(X_small):
    fusion = fast_fusion().fit(X_small)
    scores = fusion.score_samples(X_small)
    assert scores.dtype == np.float64 and scores.shape == (120,)
    assert abs(scores.mean()) < 1e-6
    assert fusion.score(X_small) == pytest.approx(scores.mean())
    assert np.mean(fusion.predict(X_small) == -1) == pytest.approx(0.1, abs=0.02)
    np.testing.assert_allclose(fusion.decision_function(X_small), scores - fusion.offset_)


def test_without_the_critic_the_score_ranks_as_the_reconstruction_error(X_small):
    fusion = fast_fusion(critic_weight=0.0).fit(X_small)
    rho = spearmanr(fusion.score_samples(X_small), fusion.autoencoder_.score_samples(X_small))
    assert rho.statistic == pytest.approx(1.0)


def test_code_critic_scores_codes_far_from_the_training_codes_lower(X_small):
    """The critic's term keeps falling away from the data, unlike a WGAN critic's."""
    fusion = fast_fusion(critic_steps=200).fit(X_small)
    codes = fusion.transform(X_small)
    spread = codes.std(axis=0)
    critic = [
        fusion.code_critic_(
            torch.tensor(fusion.gan_.codec_.encode(codes + shift * spread), dtype=torch.float32)
        )
        .detach()
        .numpy()
        .mean()
        for shift in (0, 3, 10, 100)
    ]
    assert critic[0] > critic[1] > critic[2] > critic[3]


@pytest.mark.slow
def test_the_fused_score_separates_shifted_rows_better_than_its_autoencoder(X_small):
    """Rows shifted by 1.5 spreads overlap the training rows: the code critic's term ranks
    them as outliers better than the autoencoder's score alone does (by 0.02-0.03 of
    ROC-AUC over seeds). Shifted by 3 spreads, every one scores below every training row."""
    fusion = fast_fusion(critic_steps=200).fit(X_small)
    shifted = X_small + 1.5 * X_small.std(axis=0)
    is_shifted = np.r_[np.zeros(len(X_small)), np.ones(len(shifted))]

    def outlier_auc(model):
        scores = np.r_[model.score_samples(X_small), model.score_samples(shifted)]
        return roc_auc_score(is_shifted, -scores)

    assert outlier_auc(fusion) > outlier_auc(fusion.autoencoder_) + 0.01
    far = X_small + 3 * X_small.std(axis=0)
    assert fusion.score_samples(far).max() < fusion.score_samples(X_small).min()


def test_vae_as_the_autoencoder(X_small):
    """With a VAE the codes are its posterior means, the samples are the code GAN's codes
    through its decoder, and the score's first term is its ELBO: rows far from the
    training rows score below every training row."""
    fusion = fast_fusion().set_params(autoencoder=fast(VAETransformer, n_components=2))
    fusion.fit(X_small)
    vae = fusion.autoencoder_
    assert isinstance(vae, VAETransformer)
    M = torch.from_numpy(vae.codec_.encode(X_small, dtype=np.float32))
    with torch.no_grad():
        posterior_mean, _ = vae.net_.module_.encode_distribution(M)
    np.testing.assert_allclose(fusion.transform(X_small), posterior_mean.numpy(), rtol=1e-6)
    samples = fusion.sample(50, random_state=0)
    np.testing.assert_allclose(samples, decoded_gan_codes(fusion, X_small, 50, 0), rtol=1e-6)
    assert fusion.score_center_[0] == pytest.approx(vae.score_samples(X_small).mean())
    far = X_small + 10 * X_small.std(axis=0)
    assert fusion.score_samples(far).max() < fusion.score_samples(X_small).min()


def test_dataframes_with_categories_and_set_output(X_small):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X_small[:, :3], columns=["a", "b", "c"])
    frame["kind"] = pd.Categorical(rng.choice(["x", "y", "z"], 120))
    frame["flag"] = rng.rand(120) > 0.5
    fusion = fast_fusion().fit(frame)
    samples = fusion.sample(30, random_state=0)
    assert list(samples.columns) == list(frame.columns)
    assert (samples.dtypes == frame.dtypes).all()
    assert set(samples["kind"]) <= {"x", "y", "z"}
    restored = fusion.inverse_transform(fusion.transform(frame))
    assert (restored.dtypes == frame.dtypes).all()
    codes = fusion.set_output(transform="pandas").transform(frame)
    assert list(codes.columns) == ["aeganfusion0", "aeganfusion1"]
    assert np.isfinite(fusion.score_samples(frame)).all()


def test_feature_name_warning_comes_once_and_names_the_fusion(X_small):
    frame = pd.DataFrame(X_small, columns=[f"x{i}" for i in range(7)])
    fusion = fast_fusion().fit(frame)
    with pytest.warns(UserWarning, match="fitted with feature names") as record:
        fusion.transform(X_small)
    messages = [str(w.message) for w in record if "feature names" in str(w.message)]
    assert len(messages) == 1 and "AEGANFusion" in messages[0]


def test_float32_stays_float32(X_small):
    fusion = fast_fusion().fit(X_small)
    assert fusion.transform(X_small).dtype == np.float32
    assert fusion.sample(3, random_state=0).dtype == np.float32


def test_bad_parts_and_input(X_small):
    with pytest.raises(InvalidParameterError, match="autoencoder"):
        AEGANFusion(autoencoder=GANSampler()).fit(X_small)
    with pytest.raises(InvalidParameterError, match="gan"):
        AEGANFusion(gan=AutoencoderTransformer()).fit(X_small)
    with pytest.raises(InvalidParameterError, match="fine_tune_steps"):
        AEGANFusion(fine_tune_steps=-1).fit(X_small)
    with pytest.raises(ValueError, match="AEGANFusion needs a code GAN with scaler="):
        fast_fusion(gan_params={"scaler": "quantile"}).fit(X_small)
    with pytest.raises(NotFittedError):
        AEGANFusion().sample(3)
    with pytest.raises(NotFittedError):
        AEGANFusion().score_samples(X_small)
    fusion = fast_fusion().fit(X_small)
    with pytest.raises(ValueError, match="7 features"):
        fusion.transform(X_small[:, :5])
    with pytest.raises(ValueError, match="NaN"):
        fusion.score_samples(np.where(X_small == X_small[0, 0], np.nan, X_small))
    with pytest.raises(ValueError, match="n_samples"):
        fusion.sample(0)
    with pytest.raises(ValueError, match="n_components"):
        fusion.inverse_transform(np.zeros((3, 5)))


@pytest.mark.parametrize(
    "parts",
    [
        {"gan": GANSampler(latent_dim=4, max_epochs=2)},
        {"autoencoder": VAETransformer(n_components=2, max_epochs=2)},
        {"autoencoder": VAETransformer(max_epochs=2), "gan": GANSampler(max_epochs=2)},
    ],
    ids=["default-gan", "vae", "vae-and-default-gan"],
)
def test_parts_with_their_defaults_make_a_working_fusion(X_small, parts):
    """A part's defaults are what suits its place: the code GAN's scaler='auto' means
    'standard' in a fusion (where 'quantile' is refused), and the fusion scores rows far
    from the training rows below every training row."""
    fusion = AEGANFusion(**parts, fine_tune_steps=2, critic_steps=2, random_state=0)
    fusion.fit(X_small)
    assert fusion.gan_.scaler == "standard"
    assert (fusion.gan or GANSampler()).scaler != "standard"  # the user's part is untouched
    far = X_small + 10 * X_small.std(axis=0)
    assert fusion.score_samples(far).max() < fusion.score_samples(X_small).min()
    assert fusion.sample(5, random_state=0).shape == (5, 7)


def test_input_errors_name_the_fusion_not_its_autoencoder(X_small):
    with pytest.raises(ValueError, match="minimum of 2 is required by AEGANFusion"):
        fast_fusion().fit(X_small[:1])
    fusion = fast_fusion().fit(X_small)
    with pytest.raises(ValueError, match="AEGANFusion is expecting 7 features"):
        fusion.transform(X_small[:, :5])
    with pytest.raises(ValueError, match="minimum of 1 is required by AEGANFusion"):
        fusion.score_samples(X_small[:0])
    frame = pd.DataFrame(X_small, columns=[f"x{i}" for i in range(7)]).assign(
        kind=np.array(["a", "b", "c"])[np.arange(120) % 3]
    )
    fusion = fast_fusion().fit(frame)
    with pytest.raises(ValueError, match="AEGANFusion was fitted on a DataFrame"):
        fusion.transform(X_small)


def test_global_pandas_output_changes_what_comes_back_not_how_it_works(X_small):
    with config_context(transform_output="pandas"):
        fusion = fast_fusion().fit(X_small)
        codes = fusion.transform(X_small)
    assert isinstance(codes, pd.DataFrame)
    np.testing.assert_allclose(codes.to_numpy(), fusion.transform(X_small))


def test_ctrl_c_in_any_stage_propagates_and_leaves_the_fusion_unfitted(X_small, monkeypatch):
    from skae._training.fusion import ContrastNet

    def interrupted(self, batch, **fit_params):
        raise KeyboardInterrupt

    monkeypatch.setattr(ContrastNet, "train_step", interrupted)  # the last stage
    fusion = fast_fusion()
    with pytest.raises(KeyboardInterrupt):
        fusion.fit(X_small)
    with pytest.raises(NotFittedError):
        fusion.transform(X_small)
