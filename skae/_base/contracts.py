"""The contracts between skae's models and the code that drives them from outside.

``AEGANFusion`` composes an encoder/decoder and a GAN, ``skae.metrics`` scores an
encoder/decoder's reconstructions, ``skae.onnx`` exports its graph and ``skae.plotting``
draws its training: each uses the models only through the methods written down here, on
rows validated once by ``_validate_input`` (``A``). The models' other internals (their
codec, their skorch net) are theirs; ``tests/test_encoder_decoder.py`` walks the syntax
trees of those modules and fails on any other private name or undocumented fitted
attribute of another object.
"""

from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np
from torch import nn


class TrainableDecoder(NamedTuple):
    """What a caller may train further of a fitted encoder/decoder, in place, before it
    calls ``_refresh``: the whole network (``encode``, ``decode``), the ``(name,
    parameter)`` pairs of its decoder, and the ``OutputBlocks`` its outputs follow."""

    module: nn.Module
    parameters: list
    blocks: object


@runtime_checkable
class Reconstructs(Protocol):
    """A model whose reconstructions ``skae.metrics`` scores: every encoder/decoder
    estimator, and ``AEGANFusion`` through its autoencoder."""

    def _validate_input(self, X, owner=None):
        """``X`` checked against what ``fit`` saw, as validated rows; errors name
        ``owner`` (default: this model)."""

    def _row_errors(self, A):
        """Per-row reconstruction loss in the model's units, averaged over columns."""

    def _column_errors(self, A):
        """Per-row, per-column reconstruction loss, ``(n, n_features_in_)``."""


@runtime_checkable
class EncoderDecoder(Reconstructs, Protocol):
    """An encoder/decoder estimator as ``AEGANFusion`` and ``skae.onnx`` use it
    (``skae._base.encoder_decoder.BaseAutoencoder`` implements it)."""

    def _encode_rows(self, A):
        """The codes of the rows, in their dtype."""

    def _row_scores(self, A):
        """``score_samples`` of the rows."""

    def _decode(self, Z, dtype=None, rng=None):
        """Rows decoded from codes, in the user's form; a sample's with ``rng``."""

    def _model_matrix(self, A, dtype=np.float32):
        """The rows as the network sees them."""

    def _trainable_decoder(self) -> TrainableDecoder:
        """The network and its decoder's parameters, to train further in place."""

    def _refresh(self, A, rng):
        """Refit what depends on the decoder on the training rows, after it changed."""

    def _scaling_module(self, owner):
        """Raw rows → the model matrix, as a torch module; a clear error naming ``owner``
        where no graph can compute it."""

    def _inference_network(self):
        """A float32 copy of the fitted network on the CPU, in eval mode."""

    def _batch_scores(self, module, x):
        """Per-row scores of a batch of model-matrix rows, computed with ``module``."""


@runtime_checkable
class CodeSampler(Protocol):
    """A GAN as ``AEGANFusion`` uses it on the codes of its autoencoder
    (``GANSampler`` implements it)."""

    def sample(self, n_samples=1, random_state=None):
        """Generated rows, in the units of the training rows."""

    def _model_matrix(self, A, dtype=np.float32):
        """The rows as the critic sees them (in the scaler's units)."""

    def _generator_in_data_units(self):
        """The fitted generator itself, its outputs mapped back to the data's units."""

    def _critic_copy(self):
        """A copy of the fitted critic, which judges rows in the scaler's units."""

    def _scaling_module(self, owner):
        """Raw rows → the scaler's units, as a torch module."""


@runtime_checkable
class FusedScores(Protocol):
    """A model whose ``score_samples`` combines score terms, as ``skae.onnx`` exports it
    (``AEGANFusion``: its autoencoder's score and its code critic's logit)."""

    def _score_combination(self):
        """The torch module that turns the ``(n, 2)`` score terms into scores."""


@runtime_checkable
class TrainingRecord(Protocol):
    """A model whose training ``skae.plotting.TrainingHistoryDisplay`` draws: its
    ``history_``, and the epoch early stopping kept."""

    def _kept_epoch(self):
        """The epoch whose weights the model kept (0: the untrained start), or None."""
