"""The training and validation losses of a fitted model, epoch by epoch."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import _axes, _name


class TrainingHistoryDisplay:
    """The losses of a fitted model, epoch by epoch.

    Build it with :meth:`from_estimator`; the constructor only stores what it is given.

    Parameters
    ----------
    epochs : ndarray of shape (n_epochs,)
        Epoch numbers, from 1.
    losses : dict of str to ndarray of shape (n_epochs,)
        One curve per entry, labelled by its key (e.g. ``"training loss"``,
        ``"validation loss"``).
    kept_epoch : int, default=None
        The epoch whose weights the model kept (early stopping); ``0`` is the untrained
        (PCA-initialised) start. ``None`` marks nothing.
    estimator_name : str, default=None
        Title of the plot.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The curve of each loss.
    kept_line_ : matplotlib Line2D or None
        The vertical line at ``kept_epoch``.
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        The figure of ``ax_``.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : scores against training-set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_wine
    >>> from skae import AutoencoderTransformer
    >>> from skae.plotting import TrainingHistoryDisplay
    >>> X, _ = load_wine(return_X_y=True)
    >>> ae = AutoencoderTransformer(max_epochs=5, random_state=0).fit(X)
    >>> display = TrainingHistoryDisplay.from_estimator(ae)
    >>> sorted(display.lines_), display.ax_.get_xlabel()
    (['training loss', 'validation loss'], 'epoch')
    """

    def __init__(self, *, epochs, losses, kept_epoch=None, estimator_name=None):
        self.epochs = epochs
        self.losses = losses
        self.kept_epoch = kept_epoch
        self.estimator_name = estimator_name

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, log_scale=False):
        """Plot the losses a fitted estimator recorded in ``history_``.

        An autoencoder or a VAE shows its training and validation losses (the training loss
        alone when nothing was held out) and the epoch early stopping kept; a
        ``GANSampler`` its critic's and its generator's losses; an ``AEGANFusion`` its
        autoencoder's (``autoencoder_``), whose training decides the codes.

        Parameters
        ----------
        estimator : fitted AutoencoderTransformer, VAETransformer, GANSampler or AEGANFusion
            The model whose training to show.
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Title of the plot; ``None`` uses the estimator's class name.
        log_scale : bool, default=False
            Draw the losses on a logarithmic axis (they must then be positive).

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        model = getattr(estimator, "autoencoder_", estimator)
        check_is_fitted(model, "history_")
        history = model.history_
        epochs = np.array([row["epoch"] for row in history])
        keys = {"train_loss": "training loss", "valid_loss": "validation loss"}
        if any("generator_loss" in row for row in history):
            keys = {"train_loss": "critic loss", "generator_loss": "generator loss"}
        losses = {
            label: np.array([row[key] for row in history], dtype=float)
            for key, label in keys.items()
            if all(key in row for row in history)
        }
        kept = model._kept_epoch()
        if model is not estimator:
            name = name or f"{type(estimator).__name__}: its autoencoder_"
        display = cls(
            epochs=epochs,
            losses=losses,
            kept_epoch=kept,
            estimator_name=_name(estimator, name),
        )
        return display.plot(ax=ax, log_scale=log_scale)

    def plot(self, ax=None, *, name=None, log_scale=False):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; ``None`` makes a new figure.
        name : str, default=None
            Title; ``None`` uses ``estimator_name``.
        log_scale : bool, default=False
            Draw the losses on a logarithmic axis.

        Returns
        -------
        display : TrainingHistoryDisplay
            ``self``, with ``ax_``, ``figure_``, ``lines_`` and ``kept_line_`` set.
        """
        self.ax_, self.figure_ = _axes(ax, figsize=(6, 4))
        marker = "." if len(self.epochs) <= 60 else None  # dots only where they stay apart
        self.lines_ = {
            label: self.ax_.plot(self.epochs, values, marker=marker, label=label)[0]
            for label, values in self.losses.items()
        }
        self.kept_line_ = None
        if self.kept_epoch is not None:
            where = (
                "the untrained start (epoch 0)"
                if self.kept_epoch == 0
                else f"epoch {self.kept_epoch}"
            )
            self.kept_line_ = self.ax_.axvline(
                self.kept_epoch, color="k", linestyle="--", label=f"weights kept: {where}"
            )
        if log_scale:
            self.ax_.set_yscale("log")
        self.ax_.set_xlabel("epoch")
        self.ax_.set_ylabel("loss (lower is better)")
        title = name or self.estimator_name
        if title:
            self.ax_.set_title(title)
        self.ax_.legend()
        return self
