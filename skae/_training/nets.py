"""The skorch nets that train the estimators' networks.

Each net is a skorch ``NeuralNet`` whose criterion (``skae._nn.losses``) is its real loss; the
nets override skorch's documented hooks (``train_step``, ``get_loss``, ``initialize_*``,
``run_single_epoch``), never ``fit``. They train on the fast data path of
``skae._training.data``, read the batch losses from the device once per epoch
(:meth:`BaseNet.run_single_epoch`), not after every step, and train with as many torch
threads as their steps keep busy. The fusion's nets and loops are in
``skae._training.fusion``.
"""

import torch
from skorch import NeuralNet

from .compute import STEP_COST, compute_threads, forward_multiply_adds, multiply_adds
from .parallel import DataParallelNet
from .stopping import training_interrupts

#: Temperature of the Gumbel-softmax through which a GAN's generator emits categories
#: (CTGAN's value).
GUMBEL_TEMPERATURE = 0.2
#: Adam's betas in adversarial training (WGAN-GP's): a short memory of the gradients, whose
#: target moves as the other network trains.
ADVERSARIAL_BETAS = (0.5, 0.9)
#: Default weight of the critic's gradient penalty.
GP_WEIGHT = 1.0
#: Passes through a WGAN-GP critic per step: real, generated and interpolated rows.
CRITIC_PASSES = 3


class BaseNet(DataParallelNet, NeuralNet):
    """skorch's ``NeuralNet`` for modules whose outputs follow ``blocks`` (an
    :class:`~skae._nn.output_blocks.OutputBlocks`: numbers, then logits per categorical
    column), switching train/eval mode only when it changes, letting Ctrl-C stop a fit
    (``skae._training.stopping``) and training data-parallel inside
    ``skae.parallel.data_parallel()`` (:class:`~skae._training.parallel.DataParallelNet`).

    skorch sets the mode on every batch, which walks every submodule: a cost a small
    network's step notices.
    """

    def __init__(self, *args, blocks, **kwargs):
        super().__init__(*args, **kwargs)
        self.blocks = blocks

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """skorch's ``partial_fit`` (training on from the weights the net has), with
        :func:`~skae._training.compute.compute_threads` for this net's steps."""
        with compute_threads(self.multiply_adds_per_step()):
            return super().partial_fit(X, y, classes=classes, **fit_params)

    def multiply_adds_per_step(self):
        """Multiply-adds of a training step: forward and backward passes of a batch
        through the module."""
        per_row = forward_multiply_adds(self.module_, self.blocks.n_columns)
        return STEP_COST * per_row * self.batch_size

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch (pinned by ``tests/test_skorch_contract.py``), except that the
        batch losses, and any value a step recorded as a tensor with
        ``history.record_batch``, are read from the device in one transfer at the end of
        the epoch: reading each after its step would make the host wait for the device
        every step. Steps record clones (``.detach().clone()``): a loss may be a view of a
        batch-sized buffer, which a stored view would keep alive."""
        if iterator is None:
            return
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            self.history.record_batch(prefix + "_loss", step["loss"].detach().clone())
            self.history.record_batch(prefix + "_batch_size", len(batch[0]))
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
        if training:
            self.average_over_processes(self.history[-1]["batches"], prefix)
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
        with training_interrupts():
            return super().fit_loop(X, y, epochs=epochs, **fit_params)

    def _set_training(self, training=True):
        """skorch's (private) mode switch, skipped when the module is in that mode already:
        walking every submodule each batch costs a small network's step (pinned by
        ``tests/test_skorch_contract.py``)."""
        if self.module_.training != training:
            super()._set_training(training)

    def _optimizer_for(self, named_parameters, **overrides):
        """An ``optimizer`` over these parameters, from the net's optimizer parameters."""
        args, kwargs = self.get_params_for_optimizer("optimizer", named_parameters)
        return self.optimizer(*args, **{**kwargs, **overrides})


class ReconstructionNet(BaseNet):
    """Trains a module whose forward pass reconstructs its input, on its criterion (a
    :class:`~skae._nn.losses.ReconstructionLoss`).

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


class VariationalNet(BaseNet):
    """Trains a :class:`~skae._nn.autoencoder.VAEModule` on its criterion (a
    :class:`~skae._nn.losses.NegativeELBO`) with weight ``beta`` on the KL term, ramped up
    linearly over the first ``kl_warmup`` epochs of training.

    Validation always uses the full ``beta``, so early stopping sees the true objective.
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
        y_true = y_true.to(self.device)
        return self.criterion_(y_pred, y_true, self.module_.log_scale, self.current_beta(training))


class AdversarialNet(BaseNet):
    """Trains a generator (``module_``) against a critic (``critic_``), skorch's pattern for
    several modules: an extra module (its parameters routed with ``critic__``) and
    optimiser named with a trailing ``_``, and a custom ``train_step``.

    Each training batch of real rows makes one critic step; every ``n_critic``-th step is
    followed by one generator step. The losses are the criterion's (a
    :class:`~skae._nn.losses.AdversarialLoss`). ``train_loss`` is the critic's loss; the
    generator's is recorded per batch as ``generator_loss``.
    """

    def __init__(self, *args, critic, latent_dim, n_critic, **kwargs):
        self.critic = critic
        super().__init__(*args, **kwargs)
        self.latent_dim = latent_dim
        self.n_critic = n_critic

    def initialize_module(self):
        super().initialize_module()
        self.critic_ = self.initialized_instance(self.critic, self.get_params_for("critic"))
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

    def train_step(self, batch, **fit_params):
        self._set_training(True)
        real = batch[0].to(self.device)
        with torch.no_grad():
            fake = self.generate(len(real))
        loss = self.criterion_(self.critic_, real, fake)
        self.critic_optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.critic_optimizer_.step()
        self.critic_steps_ += 1
        if self.critic_steps_ % self.n_critic == 0:
            self.generator_step(real)
        return {"loss": loss.detach(), "y_pred": fake}

    def multiply_adds_per_step(self):
        """A critic step's (its three passes) and a generator pass's, for a batch."""
        critic = forward_multiply_adds(self.critic_, self.blocks.n_columns)
        return (
            STEP_COST * (self.generator_multiply_adds() + CRITIC_PASSES * critic) * self.batch_size
        )

    def generator_multiply_adds(self):
        """Multiply-adds of the generator's forward pass of one row."""
        return forward_multiply_adds(self.module_, self.latent_dim)

    def generator_step(self, real):
        """One step of ``module_`` against the critic; ``real`` is the critic's last batch."""
        fake = self.generate(self.batch_size)
        generator_loss = self.criterion_.generator_loss(self.critic_, fake)
        self.optimizer_.zero_grad(set_to_none=True)
        generator_loss.backward()
        self.optimizer_.step()
        self.history.record_batch("generator_loss", generator_loss.detach().clone())


class FlowMatchingNet(BaseNet):
    """Trains a :class:`~skae._nn.flow.FlowModule` by flow matching: each step draws, for
    each row ``x_1`` of the batch (in flow space), standard normal noise ``x_0`` and a time
    ``t`` uniform in [0, 1], and regresses the velocity field at ``(1 - t) x_0 + t x_1`` on
    ``x_1 - x_0`` with its criterion (a :class:`~skae._nn.losses.FlowMatchingLoss`)."""

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        x1 = self.module_.to_flow_space(batch[0].to(self.device))
        x0 = torch.randn_like(x1)
        t = torch.rand(len(x1), device=x1.device, dtype=x1.dtype)
        xt = torch.lerp(x0, x1, t[:, None])
        velocity = self.module_(xt, t)
        loss = self.get_loss(velocity, x1 - x0, X=xt, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": velocity}

    def multiply_adds_per_step(self):
        module = self.module_
        parameter = next(module.parameters())
        row = torch.zeros(1, self.blocks.n_columns, dtype=parameter.dtype, device=parameter.device)
        time = torch.zeros(1, dtype=parameter.dtype, device=parameter.device)
        per_row = multiply_adds(module, lambda: module(row, time))
        return STEP_COST * per_row * self.batch_size
