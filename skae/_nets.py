"""skorch nets, their fast data path, losses and training callbacks.

skorch's default path indexes a ``Dataset`` row by row and collates the rows into a batch,
which costs more than the forward pass of a small network. Here the training matrix is one
tensor, on the training device, and every batch is gathered from it by index
(:class:`TensorBatches`): the train/validation split and each epoch's shuffle are
permutations of row numbers, never copies of the matrix. They plug into skorch through its
documented ``dataset``, ``train_split`` and ``iterator_train`` hooks, so skorch still runs
the loop, the callbacks and the history; the nets read the batch losses from the device
once per epoch (:meth:`BaseNet.run_single_epoch`), not after every step.
"""

import math
from copy import deepcopy

import numpy as np
import torch
import torch.nn.functional as F
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from tqdm.auto import tqdm

from ._modules import kl_to_standard_normal
from .exceptions import TrainingDivergedError
from .parallel import current_group

#: Temperature of the Gumbel-softmax through which a GAN's generator emits categories
#: (CTGAN's value).
GUMBEL_TEMPERATURE = 0.2


class TensorRows(torch.utils.data.Dataset):
    """Rows of one tensor ``X``: all of them, or those numbered ``index`` (a subset that
    shares ``X`` instead of copying it). Each row is its own reconstruction target."""

    def __init__(self, X, index=None):
        self.X = X
        self.index = index

    def __len__(self):
        return len(self.X) if self.index is None else len(self.index)

    def __getitem__(self, i):
        row = self.X[i if self.index is None else self.index[i]]
        return row, row

    def subset(self, positions):
        """The rows at ``positions`` (a tensor of positions in this dataset)."""
        return TensorRows(self.X, positions if self.index is None else self.index[positions])

    def take(self, positions):
        """A tensor of the rows at ``positions`` (a slice or a tensor of positions)."""
        if self.index is None:
            return self.X[positions]
        return self.X[self.index[positions].to(self.X.device)]


class TensorBatches:
    """Yield ``(X_batch, X_batch)`` batches of a :class:`TensorRows`, in a new random order
    each pass when ``shuffle``: each batch is gathered from the one matrix by index.

    ``seed`` fixes the sequence of shuffles; a new iterator is made per ``fit``.
    """

    def __init__(self, dataset, batch_size, shuffle=False, seed=0):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(int(seed))

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        rows, n = self.dataset, len(self.dataset)
        if self.shuffle:
            rows = rows.subset(torch.randperm(n, generator=self.generator))
        if rows.index is not None:
            rows = TensorRows(rows.X, rows.index.to(rows.X.device))  # one transfer a pass
        for start in range(0, n, self.batch_size):
            batch = rows.take(slice(start, start + self.batch_size))
            yield batch, batch


class HoldOut:
    """skorch ``train_split``: a random validation fraction, or none when too few rows."""

    def __init__(self, fraction, seed):
        self.fraction = fraction
        self.seed = seed

    def n_valid(self, n_samples):
        n_valid = int(round(n_samples * self.fraction))
        return n_valid if n_valid >= 1 and n_samples - n_valid >= 2 else 0

    def __call__(self, dataset, y=None):
        n = len(dataset)
        n_valid = self.n_valid(n)
        if n_valid == 0:
            return dataset, None
        order = torch.as_tensor(np.random.RandomState(self.seed).permutation(n))
        return dataset.subset(order[n_valid:]), dataset.subset(order[:n_valid])


class StopOnDivergence(Callback):
    """Raise :class:`TrainingDivergedError` at the end of an epoch in which a batch loss
    was NaN or infinite (the losses are read from the device once per epoch)."""

    def on_epoch_end(self, net, **kwargs):
        for batch in net.history[-1]["batches"]:
            for key in ("train_loss", "valid_loss"):
                value = batch.get(key, 0.0)
                if not math.isfinite(value):
                    raise TrainingDivergedError(
                        f"Training diverged in epoch {len(net.history)}: the "
                        f"{'training' if key == 'train_loss' else 'validation'} loss became "
                        f"{value}. Lower the learning rate (lr={net.lr:g} now), or check the "
                        "input for extreme values or columns on very different scales."
                    )


class StopTraining(KeyboardInterrupt):
    """How early stopping ends skorch's training loop (skorch's own ``EarlyStopping``
    raises a plain ``KeyboardInterrupt``), told apart from Ctrl-C."""


class TrainingInterrupted(Exception):
    """A ``KeyboardInterrupt`` during training, carried past skorch, which would swallow
    it and return a half-trained net (see :func:`skae._base.interruptible`)."""


class EarlyStoppingFromStart(EarlyStopping):
    """skorch's ``EarlyStopping`` with the untrained weights as the first candidate.

    Training then never returns weights whose monitored loss is worse than the initial
    ones: a PCA-initialised autoencoder ends no worse than PCA on the validation rows.
    The relative threshold is taken of ``|loss|``, so it also holds for negative losses
    (a negative log-likelihood can be below zero).

    Until an epoch first beats the untrained weights, ``START_PATIENCE_FACTOR`` times
    ``patience`` epochs may pass without improvement: from a PCA start the loss first
    rises for a few epochs as the non-linear part wakes up, and counting those as misses
    would stop training at the PCA solution.
    """

    START_PATIENCE_FACTOR = 3

    def on_epoch_end(self, net, **kwargs):
        patience = self.patience
        if self.best_epoch_ == 0:  # nothing has beaten the untrained weights yet
            self.patience = patience * self.START_PATIENCE_FACTOR
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            if self.misses_ != self.patience:
                raise  # Ctrl-C, not a decision to stop
            raise StopTraining from None
        finally:
            self.patience = patience

    def _calc_new_threshold(self, score):
        return score - self.threshold * abs(score)

    def on_train_begin(self, net, X=None, **kwargs):
        super().on_train_begin(net, X=X, **kwargs)
        train, valid = net.get_split_datasets(X)
        rows = valid if self.monitor == "valid_loss" else train
        total = sum(
            net.validation_step(batch)["loss"].item() * len(batch[0])
            for batch in net.get_iterator(rows)
        )
        self.dynamic_threshold_ = self._calc_new_threshold(total / len(rows))
        self.best_model_weights_ = deepcopy(net.module_.state_dict())


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
    """

    def __init__(self, decay):
        self.decay = decay

    def on_train_begin(self, net, **kwargs):
        self.weights_ = [p for p in net.module_.parameters() if p.requires_grad]
        self.average_ = [p.detach().clone() for p in self.weights_]
        self.steps_ = 0
        self.raw_ = None

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
        if self.raw_ is None:  # no validation step has loaded the average
            self._load(self.average_)
        del self.weights_, self.average_, self.raw_


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


class BaseNet(NeuralNet):
    """skorch's ``NeuralNet`` for modules whose outputs follow ``blocks`` (an
    :class:`~skae._modules.OutputBlocks`: numbers, then logits per categorical column),
    switching train/eval mode only when it changes, and letting Ctrl-C stop a fit.

    skorch sets the mode on every batch, which walks every submodule: a cost a small
    network's step notices.
    """

    def __init__(self, *args, blocks, **kwargs):
        super().__init__(*args, **kwargs)
        self.blocks = blocks
        #: Whether an epoch's batches are running (steps may record batch values then).
        self.in_epoch = False

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch, except that the batch losses, and any value a step recorded as
        a tensor with ``history.record_batch``, are read from the device in one transfer
        at the end of the epoch: reading each after its step would make the host wait for
        the device every step. Steps record clones (``.detach().clone()``): a loss may be a
        view of a batch-sized buffer, which a stored view would keep alive."""
        if iterator is None:
            return
        batch_count = 0
        self.in_epoch = True
        try:
            for batch in iterator:
                self.notify("on_batch_begin", batch=batch, training=training)
                step = step_fn(batch, **fit_params)
                self.history.record_batch(prefix + "_loss", step["loss"].detach().clone())
                self.history.record_batch(prefix + "_batch_size", len(batch[0]))
                self.notify("on_batch_end", batch=batch, training=training, **step)
                batch_count += 1
        finally:
            self.in_epoch = False
        group = current_group()
        if training and group is not None:
            group.average_batch_values(self.history[-1]["batches"], prefix)
        self._read_batch_tensors(self.history[-1]["batches"])
        self.history.record(prefix + "_batch_count", batch_count)

    @staticmethod
    def _read_batch_tensors(batches):
        """Replace the tensors recorded in ``batches`` by their values, in one transfer."""
        places = [(row, key) for row in batches for key, v in row.items() if torch.is_tensor(v)]
        if places:
            values = torch.stack([row[key].float() for row, key in places]).tolist()
            for (row, key), value in zip(places, values, strict=True):
                row[key] = value

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        group = current_group()
        # Inside skae.parallel.data_parallel() the training steps run the module wrapped in
        # DistributedDataParallel. The wrapper lives only while training: it is set past
        # skorch's registry of components, which would save it with the net.
        object.__setattr__(
            self, "parallel_module_", None if group is None else group.wrap(self.module_)
        )
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except StopTraining:
            raise  # skorch ends the loop and keeps the net
        except KeyboardInterrupt as interrupt:
            raise TrainingInterrupted from interrupt
        finally:
            object.__delattr__(self, "parallel_module_")

    def get_iterator(self, dataset, training=False):
        """skorch's iterator; in a data-parallel fit, training batches are cut to this
        process's part of each."""
        iterator = super().get_iterator(dataset, training=training)
        group = current_group()
        return group.share(iterator) if training and group is not None else iterator

    def infer(self, x, **fit_params):
        """The module's forward pass; through ``DistributedDataParallel`` in the training
        steps of a data-parallel fit, so that backward averages the gradients."""
        parallel_module = getattr(self, "parallel_module_", None)
        if parallel_module is not None and torch.is_grad_enabled():
            return parallel_module(x.to(self.device), **fit_params)
        return super().infer(x, **fit_params)

    def _set_training(self, training=True):
        if self.module_.training != training:
            super()._set_training(training)

    def _optimizer_for(self, named_parameters, **overrides):
        """An ``optimizer`` over these parameters, from the net's optimizer parameters."""
        args, kwargs = self.get_params_for_optimizer("optimizer", named_parameters)
        return self.optimizer(*args, **{**kwargs, **overrides})


class ReconstructionNet(BaseNet):
    """Trains a module whose forward pass reconstructs its input, on the blocks'
    reconstruction loss (mean squared error for numbers, cross-entropy for categories).

    ``noise > 0`` corrupts each training batch with Gaussian noise of that standard
    deviation (a denoising autoencoder); the target stays the clean batch.
    """

    def __init__(self, *args, noise=0.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.noise = noise

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = batch
        Xi = Xi.to(self.device)
        if self.noise > 0:
            Xi = Xi + self.noise * torch.randn_like(Xi)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return self.blocks.mean_reconstruction_loss(y_pred, y_true.to(y_pred.device))


class VariationalNet(BaseNet):
    """Trains a :class:`~skae._modules.VAEModule` on the negative ELBO with weight ``beta``
    on the KL term, ramped up linearly over the first ``kl_warmup`` epochs of training.

    Validation always uses the full ``beta``, so early stopping sees the true objective.
    The batch KL is recorded as ``train_kl`` / ``valid_kl``.
    """

    def __init__(self, *args, beta=1.0, kl_warmup=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.beta = beta
        self.kl_warmup = kl_warmup

    def current_beta(self, training):
        epoch = len(self.history)
        if training and self.kl_warmup > 0:
            return self.beta * min(1.0, epoch / self.kl_warmup)
        return self.beta

    def get_loss(self, y_pred, y_true, X=None, training=False):
        x_mean, z_mean, z_logvar = y_pred
        y_true = y_true.to(x_mean.device)
        nll = -self.blocks.log_likelihood(x_mean, y_true, self.module_.log_scale)
        kl = kl_to_standard_normal(z_mean, z_logvar)
        if self.in_epoch:  # not in the pre-training evaluation of EarlyStoppingFromStart
            self.history.record_batch(
                "train_kl" if training else "valid_kl", kl.mean().detach().clone()
            )
        return (nll + self.current_beta(training) * kl).mean()


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
        net._set_training(False)
        with torch.no_grad():
            z_mean = net.module_.encode(self.rows_.to(net.device))
        variance = z_mean.var(dim=0) if len(z_mean) > 1 else torch.zeros(z_mean.shape[1])
        net.history.record("active_units", int((variance > self.threshold).sum()))

    def on_train_end(self, net, **kwargs):
        del self.rows_


class AdversarialNet(BaseNet):
    """Trains a generator (``module_``) against a critic (``critic_``), skorch's pattern for
    several modules: an extra module and optimiser named with a trailing ``_`` and a
    custom ``train_step``.

    Each training batch of real rows makes one critic step; every ``n_critic``-th step is
    followed by one generator step. ``objective="wgan-gp"`` is the Wasserstein loss with a
    gradient penalty of weight ``gp_weight`` (Gulrajani et al., 2017); ``"gan"`` is the
    classic non-saturating GAN loss. ``train_loss`` is the critic's loss; the generator's
    is recorded per batch as ``generator_loss``.
    """

    def __init__(
        self,
        *args,
        critic,
        latent_dim,
        objective,
        n_critic,
        gp_weight,
        **kwargs,
    ):
        self.critic = critic
        super().__init__(*args, **kwargs)
        self.latent_dim = latent_dim
        self.objective = objective
        self.n_critic = n_critic
        self.gp_weight = gp_weight

    def initialize_module(self):
        super().initialize_module()
        self.critic_ = self.initialized_instance(self.critic, {})
        return self

    def initialize_optimizer(self, triggered_directly=None):
        """One optimiser per network, both built from the ``optimizer`` parameters."""
        self.optimizer_ = self._optimizer_for(self.module_.named_parameters())
        self.critic_optimizer_ = self._optimizer_for(self.critic_.named_parameters())
        return self

    def initialize(self):
        super().initialize()
        self.critic_steps_ = 0
        return self

    def generate(self, n_rows):
        """Generated rows as the critic sees them: categorical blocks relaxed to nearly
        one-hot Gumbel-softmax samples, as CTGAN does."""
        raw = self.module_(torch.randn(n_rows, self.latent_dim, device=self.device))
        return self.blocks.activate(raw, tau=GUMBEL_TEMPERATURE)

    def critic_loss(self, real, fake):
        if self.objective == "gan":
            real_scores, fake_scores = self.critic_(torch.cat([real, fake])).split(len(real))
            return (F.softplus(-real_scores) + F.softplus(fake_scores)).mean()
        # The penalty's points go through the critic in the same pass as the real and fake
        # rows: one forward and one backward instead of three small ones.
        t = torch.rand(len(real), 1, device=real.device)
        between = (t * real + (1 - t) * fake).requires_grad_(True)
        scores = self.critic_(torch.cat([real, fake, between]))
        real_scores, fake_scores, between_scores = scores.split(len(real))
        (grad,) = torch.autograd.grad(between_scores.sum(), between, create_graph=True)
        penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
        return fake_scores.mean() - real_scores.mean() + self.gp_weight * penalty

    def generator_loss(self, fake):
        scores = self.critic_(fake)
        return F.softplus(-scores).mean() if self.objective == "gan" else -scores.mean()

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        real = batch[0].to(self.device)
        with torch.no_grad():
            fake = self.generate(len(real))
        loss = self.critic_loss(real, fake)
        self.critic_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.critic_optimizer_.step()
        self.critic_steps_ += 1
        if self.critic_steps_ % self.n_critic == 0:
            self.generator_step(real)
        return {"loss": loss.detach(), "y_pred": fake}

    def generator_step(self, real):
        """One step of ``module_`` against the critic; ``real`` is the critic's last batch."""
        generator_loss = self.generator_loss(self.generate(self.batch_size))
        self.optimizer_.zero_grad(set_to_none=True)
        generator_loss.backward()
        self.optimizer_.step()
        self.history.record_batch("generator_loss", generator_loss.detach().clone())


class GeneratorModuleMixin:
    """A skorch net with a second module, ``generator`` (initialised as ``generator_``),
    in skorch's pattern for extra modules. It is set before skorch's ``__init__``, which
    refuses modules set afterwards."""

    def __init__(self, *args, generator, **kwargs):
        self.generator = generator
        super().__init__(*args, **kwargs)

    def initialize_module(self):
        super().initialize_module()
        self.generator_ = self.initialized_instance(self.generator, {})
        return self


class FusionNet(GeneratorModuleMixin, AdversarialNet):
    """Fine-tunes an autoencoder's decoder (``module_``) together with the generator of a
    GAN on its codes (``generator_``, which outputs codes), so that decoded generated codes
    look like data to a data-space critic (``critic_``), as in VAE-GAN (Larsen et al.,
    2016). The encoder stays frozen, so the codes the GAN learned stay valid.

    The critic learns, WGAN-GP, to tell training rows from decoded generated codes, alone
    for its first ``warmup_steps`` steps; then every ``n_critic``-th step also makes one
    step of the decoder and the generator on

    ``reconstruction(x) + adversarial_weight * adversarial + cycle_weight * cycle``

    where ``adversarial`` is the critic's judgement of decoded generated codes and
    ``cycle`` the squared error between a generated code and the code of its decoded row
    (the reconstruction through the generated path), recorded per batch as
    ``decoder_loss``. The critic has its own learning rate, ``critic_lr``.
    """

    def __init__(self, *args, warmup_steps, adversarial_weight, cycle_weight, critic_lr, **kwargs):
        super().__init__(*args, objective="wgan-gp", **kwargs)
        self.warmup_steps = warmup_steps
        self.adversarial_weight = adversarial_weight
        self.cycle_weight = cycle_weight
        self.critic_lr = critic_lr

    def initialize_optimizer(self, triggered_directly=None):
        decoder = [
            (name, parameter)
            for name, parameter in self.module_.named_parameters()
            if name.startswith("decoder_")
        ]
        generator = [
            (f"generator.{name}", parameter)
            for name, parameter in self.generator_.named_parameters()
        ]
        self.optimizer_ = self._optimizer_for(decoder + generator)
        self.critic_optimizer_ = self._optimizer_for(
            self.critic_.named_parameters(), lr=self.critic_lr
        )
        return self

    def generated_codes(self, n_rows):
        return self.generator_(torch.randn(n_rows, self.latent_dim, device=self.device))

    def generate(self, n_rows):
        decoded = self.module_.decode(self.generated_codes(n_rows))
        return self.blocks.activate(decoded, tau=GUMBEL_TEMPERATURE)

    def generator_step(self, real):
        if self.critic_steps_ <= self.warmup_steps:
            return
        module = self.module_
        with torch.no_grad():
            real_codes = module.encode(real)
        reconstruction = self.blocks.mean_reconstruction_loss(module.decode(real_codes), real)
        codes = self.generated_codes(len(real))
        decoded = module.decode(codes)
        adversarial = self.generator_loss(self.blocks.activate(decoded, tau=GUMBEL_TEMPERATURE))
        cycle = F.mse_loss(module.encode(self.blocks.activate(decoded)), codes.detach().clone())
        loss = reconstruction + self.adversarial_weight * adversarial + self.cycle_weight * cycle
        self.optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer_.step()
        self.history.record_batch("decoder_loss", loss.detach().clone())


class ContrastNet(BaseNet):
    """Trains a critic (``module_``) to tell training rows from a broad reference
    distribution by logistic regression. Its logit then estimates ``log p_data(x) - log
    p_reference(x)`` (noise-contrastive estimation, Gutmann & Hyvarinen 2010): a density
    score that keeps falling away from the data, where a WGAN critic at equilibrium is
    flat on the data and arbitrary off it.

    The reference is ``N(0, 4 I)`` in the critic's (standardised) units, fixed rather
    than drawn from the GAN: a generator that starts at a mixture of the codes also
    samples a small far cluster of outliers, and a critic taught against its samples
    learns those outliers as normal.
    """

    def reference(self, n_rows):
        return 2 * torch.randn(n_rows, self.blocks.n_columns, device=self.device)

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        real = batch[0].to(self.device)
        with torch.no_grad():
            reference = self.reference(len(real))
        real_scores, reference_scores = self.module_(torch.cat([real, reference])).split(len(real))
        loss = F.softplus(-real_scores).mean() + F.softplus(reference_scores).mean()
        self.optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer_.step()
        return {"loss": loss.detach(), "y_pred": real_scores}


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
