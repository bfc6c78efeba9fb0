"""skorch callbacks of skae's training loops: weight averaging, progress, per-epoch
records (the KL, active units, generator losses and diversity) and ``history_`` made of
them. The callbacks that stop training are in ``skae._training.stopping``."""

from contextlib import contextmanager

import numpy as np
import torch
from skorch.callbacks import Callback
from tqdm.auto import tqdm

from .._nn.losses import kl_to_standard_normal
from .stopping import StopOnDivergence

#: Per-step decay of the moving average of the weights (:class:`WeightAverage`; about the
#: last 100 steps) that autoencoders validate with and keep, and GANs sample with.
WEIGHT_AVERAGE_DECAY = 0.99


class WeightAverage(Callback):
    """Validate with, and keep, an exponential moving average of the weights.

    After every training step the average moves towards the weights by ``1 - decay_t``
    (Polyak averaging), where ``decay_t = min(decay, (1 + t) / (10 + t))`` after ``t``
    steps: a short memory at first, so the average follows the early progress of small
    tables with few steps per epoch, then about the last ``1 / (1 - decay)`` steps.

    While the validation rows are scored the averaged weights are in the module, so the
    validation loss, early stopping and the weights it keeps are the averaged ones; the
    next epoch trains on from the raw weights. Training therefore ends with averaged
    weights: the last epoch's, or the best epoch's that early stopping loads. A net with
    no validation rows (a GAN's generator) gets the average when training ends.

    With ``across_calls`` (``partial_fit``), training ends with the average in the module
    and the raw weights kept (``raw_weights_``): the next call trains on from those and
    moves the same average on, as one long training would.
    """

    def __init__(self, decay, across_calls=False):
        self.decay = decay
        self.across_calls = across_calls

    def on_train_begin(self, net, **kwargs):
        self.weights_ = [p for p in net.module_.parameters() if p.requires_grad]
        self.average_ = [p.detach().clone() for p in self.weights_]
        self.raw_ = None
        if self.across_calls and hasattr(self, "raw_weights_"):
            self._load(self.raw_weights_)  # the module held the average
        else:
            self.steps_ = 0

    def on_epoch_begin(self, net, **kwargs):
        if self.raw_ is not None:
            self._load(self.raw_)
            self.raw_ = None

    @torch.no_grad()
    def on_batch_end(self, net, training=False, **kwargs):
        if not training:
            return
        self.steps_ += 1
        decay = min(self.decay, (1 + self.steps_) / (10 + self.steps_))
        torch._foreach_lerp_(self.average_, self.weights_, 1 - decay)

    def on_batch_begin(self, net, training=False, **kwargs):
        if not training and self.raw_ is None:
            self.raw_ = [p.detach().clone() for p in self.weights_]
            self._load(self.average_)

    @torch.no_grad()
    def _load(self, values):
        for weight, value in zip(self.weights_, values, strict=True):
            weight.copy_(value)

    def on_train_end(self, net, **kwargs):
        if self.across_calls:
            self.raw_weights_ = self.raw_ or [p.detach().clone() for p in self.weights_]
        if self.raw_ is None:  # no validation step has loaded the average
            self._load(self.average_)
        del self.weights_, self.average_, self.raw_

    @property
    def keeps_raw_weights(self):
        """Whether raw weights are kept between calls (not before the first call ends, nor
        in a net made again for a loaded model)."""
        return hasattr(self, "raw_weights_")

    @contextmanager
    def holding_raw_weights(self, module):
        """``module`` holding the raw weights kept between calls inside the block (what it
        does to them is kept), and the average again after it."""
        self.weights_ = [p for p in module.parameters() if p.requires_grad]
        average = [p.detach().clone() for p in self.weights_]
        self._load(self.raw_weights_)
        try:
            yield
        finally:
            self.raw_weights_ = [p.detach().clone() for p in self.weights_]
            self._load(average)
            del self.weights_


class EpochProgressBar(Callback):
    """A tqdm bar over epochs that shows the latest losses.

    It counts the epochs of this fit in the net's history, so it ends where ``n_iter_``
    and ``history_`` do: an early-stopping callback ends the last epoch before this one's
    ``on_epoch_end`` runs, and ``on_train_end`` counts that epoch then.
    """

    SHOWN = ("train_loss", "valid_loss", "generator_loss", "diversity")

    def __init__(self, total, desc):
        self.total = total
        self.desc = desc

    def on_train_begin(self, net, **kwargs):
        self.bar_ = tqdm(total=self.total, desc=self.desc, unit="epoch", leave=True)
        self.first_epoch_ = len(net.history)

    def on_epoch_end(self, net, **kwargs):
        self._show(net)

    def on_train_end(self, net, **kwargs):
        self._show(net)
        self.bar_.close()
        del self.bar_

    def _show(self, net):
        """Bring the bar to the epochs recorded so far, with the latest losses."""
        n_epochs = len(net.history) - self.first_epoch_
        if n_epochs == self.bar_.n:
            return
        row = net.history[-1]
        self.bar_.set_postfix(
            {k: f"{row[k]:.4g}" for k in self.SHOWN if k in row},
            refresh=False,
        )
        self.bar_.update(n_epochs - self.bar_.n)


class BatchKL(Callback):
    """Record per batch a VAE's mean KL divergence of the posterior from the prior, from
    the step's output ``(x_mean, z_mean, z_logvar)``, as ``train_kl`` or ``valid_kl``
    (skorch's ``PassthroughScoring`` then records their epoch means)."""

    @torch.no_grad()
    def on_batch_end(self, net, training=False, y_pred=None, **kwargs):
        _, z_mean, z_logvar = y_pred
        kl = kl_to_standard_normal(z_mean, z_logvar).mean()
        net.history.record_batch("train_kl" if training else "valid_kl", kl)


class ActiveUnits(Callback):
    """Record per epoch how many code units are active: the variance of their posterior
    mean across rows exceeds 0.01 (Burda et al., 2016). Units that collapse onto the prior
    stop varying, so a falling count shows posterior collapse."""

    def __init__(self, max_rows=1000, threshold=0.01):
        self.max_rows = max_rows
        self.threshold = threshold

    def on_train_begin(self, net, X=None, **kwargs):
        self.rows_ = X.take(slice(0, self.max_rows))

    def on_epoch_end(self, net, **kwargs):
        net.module_.eval()  # the next training step switches the net back
        with torch.no_grad():
            z_mean = net.module_.encode(self.rows_.to(net.device))
        variance = z_mean.var(dim=0) if len(z_mean) > 1 else torch.zeros(z_mean.shape[1])
        net.history.record("active_units", int((variance > self.threshold).sum()))

    def on_train_end(self, net, **kwargs):
        del self.rows_


class EpochMeans(Callback):
    """Per epoch, record the mean of each of ``keys`` over the batches that recorded it
    (losses of steps that not every batch makes, such as a generator's)."""

    def __init__(self, *keys):
        self.keys = keys

    def on_epoch_end(self, net, **kwargs):
        batches = net.history[-1]["batches"]
        for key in self.keys:
            values = [batch[key] for batch in batches if key in batch]
            if values:
                net.history.record(key, float(np.mean(values)))


class GeneratorMonitor(Callback):
    """Per epoch, record the ``diversity`` of generated rows: their mean pairwise distance
    over that of real rows.

    A diversity near 1 means generated rows are as spread out as real ones; a fall towards
    0 is mode collapse. It is measured on a fixed batch of latent draws, so its changes come
    from the generator alone. Small tables run an epoch per step or two, so this is kept
    cheap: 128 rows, and the generator (which has no dropout) stays in training mode.
    """

    def __init__(self, n_rows=128, seed=0):
        self.n_rows = n_rows
        self.seed = seed

    def on_train_begin(self, net, X=None, **kwargs):
        generator = torch.Generator().manual_seed(int(self.seed))
        rows = X.take(torch.randperm(len(X), generator=generator)[: self.n_rows]).cpu()
        self.real_spread_ = torch.pdist(rows.double()).mean().item() if len(rows) > 1 else 0.0
        noise = torch.randn(self.n_rows, net.latent_dim, generator=generator)
        self.noise_ = noise.to(net.device)

    def on_epoch_end(self, net, **kwargs):
        with torch.no_grad():
            generated = net.blocks.activate(net.module_(self.noise_))
            spread = torch.pdist(generated).mean().item()
        net.history.record("diversity", spread / self.real_spread_ if self.real_spread_ else 1.0)

    def on_train_end(self, net, **kwargs):
        del self.noise_


def training_callbacks(extra, verbose, n_epochs, description):
    """A training loop's callbacks: stop on a NaN loss, then ``extra`` (name, callback)
    pairs, then a progress bar over ``n_epochs`` when ``verbose``."""
    callbacks = [("stop_on_divergence", StopOnDivergence()), *extra]
    if verbose:
        callbacks.append(("progress", EpochProgressBar(n_epochs, description)))
    return callbacks


def epoch_history(history):
    """A skorch history (or some of its epochs) as ``history_`` holds it: one dict per
    epoch, without the per-batch rows."""
    return [{k: v for k, v in row.items() if k != "batches"} for row in history]


class WarmupLinearDecay:
    """A learning-rate factor per step (for ``torch.optim.lr_scheduler.LambdaLR``, through
    skorch's ``LRScheduler`` stepped every batch): rising linearly over the first
    ``warmup_steps`` steps, then falling linearly to 0 at ``total_steps``."""

    def __init__(self, total_steps, warmup_steps):
        self.total_steps = total_steps
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        warmup = min(1.0, (step + 1) / self.warmup_steps)
        return warmup * max(0.0, 1.0 - step / self.total_steps)
