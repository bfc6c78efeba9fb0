"""Export a fitted model's ``transform`` and ``score_samples`` to ONNX.

The exported graph takes the raw rows, as ``transform`` does: the internal scaling is part
of it. Exporting needs the ``onnx`` and ``onnxscript`` packages and running the graph an
ONNX runtime such as ``onnxruntime``: ``pip install "skae[onnx]"``.
"""

import copy
import logging
import warnings
from contextlib import contextmanager

import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._base.contracts import EncoderDecoder, FusedScores
from ._gan import GANSampler

__all__ = ["to_onnx"]

#: The methods :func:`to_onnx` exports, and the name of each one's output.
OUTPUTS = {"transform": "codes", "score_samples": "scores"}
#: Rows of the example input the graph is traced with (two, so that the batch size is not
#: taken for the constant 1).
_EXAMPLE_ROWS = 2


def to_onnx(estimator, method="transform", *, opset=None):
    """Export a fitted model's ``transform`` or ``score_samples`` as an ONNX graph.

    The graph takes the raw rows, as the method does: the internal scaling of the numeric
    columns is part of it. It computes in float32, as the method does on float32 rows.

    Parameters
    ----------
    estimator : AutoencoderTransformer, VAETransformer or AEGANFusion
        A model fitted on numbers only (no categorical columns), with ``scaler="standard"``
        or ``None`` (``"auto"`` is one of them).

    method : {"transform", "score_samples"}, default="transform"
        The method to export.

    opset : int, default=None
        The ONNX opset version of the graph; ``None`` uses the exporter's default. A version
        below 18 is converted from 18.

    Returns
    -------
    model : onnx.ModelProto
        The graph, with one input ``"X"``: float32 rows of shape (batch, n_features_in),
        any number of them. Its output is ``"codes"``, float32 of shape
        (batch, n_components) for ``transform``, or ``"scores"``, float32 of shape
        (batch,) for ``score_samples``. Save it with ``onnx.save(model, path)``.

    Raises
    ------
    TypeError
        If ``estimator`` is not one of the models above (a ``GANSampler`` has neither
        method).
    ValueError
        If ``method`` is not one of the two, or the model cannot be exported: it was
        fitted with categorical columns, which are encoded in Python, or with the
        quantile scaler, which is not an affine map.
    sklearn.exceptions.NotFittedError
        If ``estimator`` is not fitted.
    ImportError
        If ``onnx`` or ``onnxscript`` is not installed.

    See Also
    --------
    onnx.save : Write the model to a file.

    Notes
    -----
    The graph computes what the method computes on float32 rows, so pass it float32 rows
    (``X.astype(np.float32)``), and the two agree to float32 rounding. A score is a sum of
    terms, so its rounding is relative to the terms rather than to the score: a score near
    0 that sums terms of tens may differ by a few times 1e-5.

    The graph is a copy: refitting the estimator does not change it.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.onnx import to_onnx
    >>> X, _ = load_wine(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> ae = AutoencoderTransformer(n_components=2, max_epochs=2, random_state=0).fit(X)
    >>> model = to_onnx(ae, "transform")
    >>> session = ort.InferenceSession(
    ...     model.SerializeToString(), providers=["CPUExecutionProvider"]
    ... )
    >>> codes = session.run(["codes"], {"X": X})[0]
    >>> codes.shape
    (178, 2)
    >>> np.allclose(codes, ae.transform(X), rtol=1e-5, atol=1e-5)
    True
    """
    _check_exportable(estimator, method)
    check_is_fitted(estimator)
    graph = _graph(estimator, method)
    return _export(graph, estimator.n_features_in_, OUTPUTS[method], opset)


def _check_exportable(estimator, method):
    if isinstance(estimator, GANSampler):
        raise TypeError(
            "GANSampler has neither transform nor score_samples, so there is nothing to "
            "export: it only samples. to_onnx exports an AutoencoderTransformer, a "
            "VAETransformer or an AEGANFusion."
        )
    if not isinstance(estimator, EncoderDecoder | FusedScores):
        raise TypeError(
            "to_onnx exports an AutoencoderTransformer, a VAETransformer or an "
            f"AEGANFusion; got {type(estimator).__name__}."
        )
    if method not in OUTPUTS:
        raise ValueError(f"method must be one of {sorted(OUTPUTS)}; got {method!r}.")


def _graph(estimator, method):
    """The torch module computing ``method`` of the fitted ``estimator`` from raw rows,
    made of what its contract (``skae._base.contracts``) hands out."""
    if isinstance(estimator, FusedScores):
        if method == "transform":
            return _Codes(estimator.autoencoder_, estimator)
        return _FusionScores(estimator)
    if method == "transform":
        return _Codes(estimator, estimator)
    return _RowScores(estimator, estimator)


class _Codes(nn.Module):
    """An autoencoder's ``transform``: the codes of raw rows. Errors name ``owner``, the
    model exported."""

    def __init__(self, autoencoder, owner):
        super().__init__()
        self.scaling = autoencoder._scaling_module(owner)
        self.module = autoencoder._inference_network()

    def forward(self, X):
        return self.module.encode(self.scaling(X))


class _RowScores(_Codes):
    """An autoencoder's ``score_samples``: its own per-row score (``_batch_scores``) of raw
    rows."""

    def __init__(self, autoencoder, owner):
        super().__init__(autoencoder, owner)
        self.row_scores = autoencoder._batch_scores

    def forward(self, X):
        return self.row_scores(self.module, self.scaling(X))


class _FusionScores(_RowScores):
    """An ``AEGANFusion``'s ``score_samples``: its autoencoder's score and its code critic's
    logit of the (scaled) codes, combined by the fusion's own score combination."""

    def __init__(self, fusion):
        super().__init__(fusion.autoencoder_, fusion)
        self.code_scaling = fusion.gan_._scaling_module(fusion)
        self.critic = copy.deepcopy(fusion.code_critic_).to("cpu", torch.float32).eval()
        self.combination = fusion._score_combination()

    def forward(self, X):
        x = self.scaling(X)
        critic = self.critic(self.code_scaling(self.module.encode(x)))
        terms = torch.stack([self.row_scores(self.module, x), critic], dim=1)
        return self.combination(terms).float()


def _export(graph, n_features, output, opset):
    """``graph`` exported with a dynamic batch, input ``"X"`` and output ``output``."""
    example = torch.zeros(_EXAMPLE_ROWS, n_features)
    with _quiet():
        _require_onnx()
        program = torch.onnx.export(
            graph,
            (example,),
            input_names=["X"],
            output_names=[output],
            opset_version=opset,
            dynamic_shapes={"X": {0: torch.export.Dim("batch")}},
            dynamo=True,
            verbose=False,
            custom_translation_table=_translations(),
        )
    return program.model_proto


def _translations():
    """ONNX for the torch ops whose default translation loses precision in onnxruntime:
    ``log_sigmoid`` (in the Bernoulli log-likelihood of values in [0, 1]) becomes
    ``-softplus(-x)``. onnxruntime's ``Sigmoid`` is accurate to about 1e-7 in absolute
    terms only, so ``log(sigmoid(x))`` drifts below ``x = -10`` and is ``-inf`` below -17."""
    from onnxscript import opset18 as op

    def log_sigmoid(x):
        return op.Neg(op.Softplus(op.Neg(x)))

    return {torch.ops.aten.log_sigmoid.default: log_sigmoid}


def _require_onnx():
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError as error:
        raise ImportError(
            'skae.onnx needs the onnx and onnxscript packages: pip install "skae[onnx]".'
        ) from error


@contextmanager
def _quiet():
    """Silence the exporter's warnings and log messages inside the block."""
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "onnxscript")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
