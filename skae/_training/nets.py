"""The skorch nets that train skae's networks, and the fusion's training loops.

Each net is a skorch ``NeuralNet`` whose criterion (``skae._nn.losses``) is its real loss; the
nets override skorch's documented hooks (``train_step``, ``get_loss``, ``initialize_*``,
``run_single_epoch``), never ``fit``. They train on the fast data path of ``skae._training.data``
and read the batch losses from the device once per epoch
(:meth:`BaseNet.run_single_epoch`), not after every step. :func:`fine_tune_decoder` and
:func:`train_code_critic` are the loops ``AEGANFusion`` runs on its fitted parts.
"""

import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from skorch import NeuralNet

from .._nn.adversarial import CriticModule
from .._nn.losses import AdversarialLoss, ContrastLoss
from .._utils.random import MAX_SEED
from .callbacks import (
    EpochMeans,
    StopTraining,
    TrainingInterrupted,
    epoch_history,
    training_callbacks,
)
from .compute import compute_threads, forward_multiply_adds, training_rows
from .data import tensor_loop_params
from .inference import predict_in_batches
from .parallel import current_group
from .seeding import seeded_torch

#: Temperature of the Gumbel-softmax through which a GAN's generator emits categories
#: (CTGAN's value).
GUMBEL_TEMPERATURE = 0.2
#: Adam's betas in adversarial training (WGAN-GP's): a short memory of the gradients, whose
#: target moves as the other network trains.
ADVERSARIAL_BETAS = (0.5, 0.9)
#: Default weight of the critic's gradient penalty.
GP_WEIGHT = 1.0
#: Critic steps per decoder step in the fusion's fine-tuning (as in WGAN-GP).
N_CRITIC = 5
#: Rows per step of the fusion's loops (all of them when there are fewer).
STEP_LOOP_BATCH_SIZE = 128


class BaseNet(NeuralNet):
    """skorch's ``NeuralNet`` for modules whose outputs follow ``blocks`` (an
    :class:`~skae._nn.output_blocks.OutputBlocks`: numbers, then logits per categorical column),
    switching train/eval mode only when it changes, and letting Ctrl-C stop a fit.

    skorch sets the mode on every batch, which walks every submodule: a cost a small
    network's step notices.
    """

    def __init__(self, *args, blocks, **kwargs):
        super().__init__(*args, **kwargs)
        self.blocks = blocks

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch, except that the batch losses, and any value a step recorded as
        a tensor with ``history.record_batch``, are read from the device in one transfer
        at the end of the epoch: reading each after its step would make the host wait for
        the device every step. Steps record clones (``.detach().clone()``): a loss may be a
        view of a batch-sized buffer, which a stored view would keep alive."""
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

    def generator_step(self, real):
        """One step of ``module_`` against the critic; ``real`` is the critic's last batch."""
        fake = self.generate(self.batch_size)
        generator_loss = self.criterion_.generator_loss(self.critic_, fake)
        self.optimizer_.zero_grad(set_to_none=True)
        generator_loss.backward()
        self.optimizer_.step()
        self.history.record_batch("generator_loss", generator_loss.detach().clone())


class FusionNet(AdversarialNet):
    """Fine-tunes an autoencoder's decoder (``module_``, of which only
    ``decoder_parameters`` train) together with the generator of a GAN on its codes
    (``generator_``, which outputs codes, its parameters routed with ``generator__``), so
    that decoded generated codes look like data to a data-space critic (``critic_``), as in
    VAE-GAN (Larsen et al., 2016). The encoder stays as it is, so the codes the GAN learned
    stay valid.

    The critic learns, WGAN-GP, to tell training rows from decoded generated codes, alone
    for its first ``warmup_steps`` steps; then every ``n_critic``-th step also makes one
    step of the decoder and the generator on

    ``reconstruction(x) + adversarial_weight * adversarial + cycle_weight * cycle``

    where ``adversarial`` is the critic's judgement of decoded generated codes and
    ``cycle`` the squared error between a generated code and the code of its decoded row
    (the reconstruction through the generated path), recorded per batch as
    ``decoder_loss``. The critic has its own learning rate, ``critic_lr``.
    """

    def __init__(
        self,
        *args,
        generator,
        decoder_parameters,
        warmup_steps,
        adversarial_weight,
        cycle_weight,
        critic_lr,
        **kwargs,
    ):
        self.generator = generator  # before skorch's __init__, which refuses later modules
        super().__init__(*args, **kwargs)
        self.decoder_parameters = decoder_parameters
        self.warmup_steps = warmup_steps
        self.adversarial_weight = adversarial_weight
        self.cycle_weight = cycle_weight
        self.critic_lr = critic_lr

    def initialize_module(self):
        super().initialize_module()
        self.generator_ = self.initialized_instance(
            self.generator, self.get_params_for("generator")
        )
        return self

    def initialize_optimizer(self, triggered_directly=None):
        generator = [
            (f"generator.{name}", parameter)
            for name, parameter in self.generator_.named_parameters()
        ]
        self.optimizer_ = self._optimizer_for(list(self.decoder_parameters) + generator)
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
        adversarial = self.criterion_.generator_loss(
            self.critic_, self.blocks.activate(decoded, tau=GUMBEL_TEMPERATURE)
        )
        cycle = F.mse_loss(module.encode(self.blocks.activate(decoded)), codes.detach().clone())
        loss = reconstruction + self.adversarial_weight * adversarial + self.cycle_weight * cycle
        self.optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer_.step()
        self.history.record_batch("decoder_loss", loss.detach().clone())


class ContrastNet(BaseNet):
    """Trains a critic (``module_``) to tell training rows from a broad reference
    distribution by logistic regression (its criterion, a
    :class:`~skae._nn.losses.ContrastLoss`). Its logit then estimates ``log p_data(x) - log
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
        loss = self.criterion_(real_scores, reference_scores)
        self.optimizer_.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer_.step()
        return {"loss": loss.detach(), "y_pred": real_scores}


def step_loop_params(n_rows, steps, rng, verbose, description, epoch_means=()):
    """skorch parameters of a training loop of about ``steps`` batches of up to
    ``STEP_LOOP_BATCH_SIZE`` rows, each epoch a pass over the ``n_rows`` training rows."""
    batch_size = min(STEP_LOOP_BATCH_SIZE, n_rows)
    n_epochs = math.ceil(steps / math.ceil(n_rows / batch_size))
    return {
        "max_epochs": n_epochs,
        "batch_size": batch_size,
        "train_split": None,
        **tensor_loop_params(rng),
        "callbacks": training_callbacks(
            [("epoch_means", EpochMeans(*epoch_means))], verbose, n_epochs, description
        ),
    }


def mean_reconstruction_error(module, blocks, M, device):
    """The mean over the rows of the model matrix ``M`` of the blocks' reconstruction loss
    through ``module`` (``encode``, then ``decode``), computed in float32."""
    errors = predict_in_batches(
        module,
        M,
        lambda m, x: blocks.reconstruction_loss(m.decode(m.encode(x)), x)[:, None],
        1,
        np.float32,
        device,
    )
    return float(errors.mean())


def fine_tune_decoder(
    module,
    decoder_parameters,
    generator,
    critic_params,
    blocks,
    M,
    *,
    steps,
    lr,
    critic_lr,
    adversarial_weight,
    cycle_weight,
    latent_dim,
    max_error_increase,
    error_slack,
    device,
    rng,
    verbose,
):
    """Fine-tune an autoencoder's decoder and a code generator together against a
    data-space critic (:class:`FusionNet`) on the model matrix ``M``, in place.

    ``module`` is the autoencoder's network (``encode``, ``decode``), of which only
    ``decoder_parameters`` (``(name, parameter)`` pairs) change; ``generator`` maps
    ``latent_dim`` noise to codes; the critic is a ``CriticModule(**critic_params)``. The
    critic first trains alone for ``steps`` steps, so that the decoder's first gradients
    come from a critic that already tells decoded codes from data; then ``steps`` decoder
    steps follow, each after ``N_CRITIC`` critic steps.
    The result is kept only if the mean reconstruction error on ``M`` grows by at most
    ``max_error_increase`` times its value before plus ``error_slack``; otherwise the
    decoder and the generator are restored.

    Returns the fine-tuning's epoch history and whether the result was kept.
    """
    decoder_ids = {id(parameter) for _, parameter in decoder_parameters}
    frozen = [p for p in module.parameters() if id(p) not in decoder_ids and p.requires_grad]
    generator_device = next(generator.parameters()).device
    before = [copy.deepcopy(m.state_dict()) for m in (module, generator)]
    error_before = mean_reconstruction_error(module, blocks, M, device)
    for parameter in frozen:
        parameter.requires_grad_(False)
    try:
        with seeded_torch(rng.randint(MAX_SEED), device):
            net = FusionNet(
                module=module,
                generator=generator,
                critic=CriticModule,
                **{f"critic__{name}": value for name, value in critic_params.items()},
                decoder_parameters=decoder_parameters,
                criterion=AdversarialLoss,
                criterion__objective="wgan-gp",
                criterion__gp_weight=GP_WEIGHT,
                blocks=blocks,
                latent_dim=latent_dim,
                warmup_steps=steps,
                adversarial_weight=adversarial_weight,
                cycle_weight=cycle_weight,
                critic_lr=critic_lr,
                n_critic=N_CRITIC,
                optimizer=torch.optim.Adam,
                optimizer__betas=ADVERSARIAL_BETAS,
                lr=lr,
                device=device,
                **step_loop_params(
                    len(M), steps + N_CRITIC * steps, rng, verbose, "fine-tuning", ["decoder_loss"]
                ),
            )
            net.initialize()
            n_outputs = blocks.n_columns
            decoder_and_critic = forward_multiply_adds(module, n_outputs) + 3 * (
                forward_multiply_adds(net.critic_, n_outputs)
            )
            with compute_threads(3 * decoder_and_critic * net.batch_size):
                net.partial_fit(training_rows(M, device))
    finally:
        for parameter in frozen:
            parameter.requires_grad_(True)
        module.eval()
        generator.to(generator_device)
    increase = mean_reconstruction_error(module, blocks, M, device) - error_before
    kept = increase <= max_error_increase * error_before + error_slack
    if not kept:
        for part, state in zip((module, generator), before, strict=True):
            part.load_state_dict(state)
    return epoch_history(net.history), kept


def train_code_critic(critic, blocks, Z, *, steps, lr, weight_decay, device, rng, verbose):
    """``critic`` trained further by logistic regression to tell the rows of ``Z`` from a
    broad reference (:class:`ContrastNet`) for about ``steps`` steps with AdamW; returned
    on the CPU, in eval mode."""
    net = ContrastNet(
        module=critic,
        criterion=ContrastLoss,
        blocks=blocks,
        optimizer=torch.optim.AdamW,
        optimizer__weight_decay=weight_decay,
        lr=lr,
        device=device,
        **step_loop_params(len(Z), steps, rng, verbose, "code critic"),
    )
    with seeded_torch(rng.randint(MAX_SEED), device):
        net.initialize()
        per_row = forward_multiply_adds(net.module_, blocks.n_columns)
        with compute_threads(3 * 2 * per_row * net.batch_size):  # training and reference rows
            net.partial_fit(training_rows(Z, device))
    # Kept on the CPU: it is small, and the fitted estimator pickles anywhere.
    return net.module_.cpu().eval()
