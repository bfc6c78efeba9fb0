"""The fusion's training procedures, on the parts of a fitted ``AEGANFusion``:
fine-tuning its autoencoder's decoder with its code GAN's generator against a data-space
critic (:func:`fine_tune_decoder`, :class:`FusionNet`), and training the code critic behind
its ``score_samples`` (:func:`train_code_critic`, :class:`ContrastNet`)."""

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from .._nn.adversarial import CriticModule
from .._nn.losses import AdversarialLoss, ContrastLoss
from .._nn.output_blocks import OutputBlocks
from .._utils.random import MAX_SEED
from .callbacks import EpochMeans, epoch_history, training_callbacks
from .compute import STEP_COST, forward_multiply_adds, training_rows
from .data import tensor_loop_params
from .inference import predict_in_batches
from .nets import ADVERSARIAL_BETAS, GP_WEIGHT, GUMBEL_TEMPERATURE, AdversarialNet, BaseNet
from .seeding import seeded_torch

#: Critic steps per decoder step in the fusion's fine-tuning (as in WGAN-GP).
N_CRITIC = 5

#: Rows per step of the fusion's loops (all of them when there are fewer).
STEP_LOOP_BATCH_SIZE = 128


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

    def generator_multiply_adds(self):
        """The generated path's: a pass through the autoencoder's network, encoder and
        decoder, as the cycle term makes one."""
        return forward_multiply_adds(self.module_, self.blocks.n_columns)

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

    def multiply_adds_per_step(self):
        """A step passes a batch of training rows and one of reference rows."""
        per_row = forward_multiply_adds(self.module_, self.blocks.n_columns)
        return STEP_COST * 2 * per_row * self.batch_size

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


@dataclass(frozen=True)
class FineTuning:
    """How :func:`fine_tune_decoder` trains, and when it keeps the result.

    ``steps`` decoder steps (after as many steps of the critic alone) at learning rate
    ``lr``, the critic's at ``critic_lr``; the loss weights of :class:`FusionNet`; the
    result is kept only if the mean reconstruction error grows by at most
    ``max_error_increase`` times its value before plus ``error_slack``.
    """

    steps: int
    lr: float
    critic_lr: float
    adversarial_weight: float
    cycle_weight: float
    max_error_increase: float
    error_slack: float


def fine_tune_decoder(
    decoder, generator, latent_dim, critic_params, M, settings, *, device, rng, verbose
):
    """Fine-tune an autoencoder's decoder and a code generator together against a
    data-space critic (:class:`FusionNet`) on the model matrix ``M``, in place, as
    ``settings`` (a :class:`FineTuning`) says.

    ``decoder`` is a ``TrainableDecoder`` (``skae._base.contracts``): the autoencoder's
    network (``encode``, ``decode``), of which only its decoder's parameters change, and
    its output blocks; ``generator`` maps ``latent_dim`` noise to codes; the critic is a
    ``CriticModule(**critic_params)``. The critic first trains alone for
    ``settings.steps`` steps, so that the decoder's first gradients come from a critic
    that already tells decoded codes from data; then as many decoder steps follow, each
    after ``N_CRITIC`` critic steps. If the mean reconstruction error on ``M`` grows by
    more than the settings allow, the decoder and the generator are restored.

    Returns the fine-tuning's epoch history and whether the result was kept.
    """
    module, decoder_parameters, blocks = decoder
    steps = settings.steps
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
                adversarial_weight=settings.adversarial_weight,
                cycle_weight=settings.cycle_weight,
                critic_lr=settings.critic_lr,
                n_critic=N_CRITIC,
                optimizer=torch.optim.Adam,
                optimizer__betas=ADVERSARIAL_BETAS,
                lr=settings.lr,
                device=device,
                **step_loop_params(
                    len(M), steps + N_CRITIC * steps, rng, verbose, "fine-tuning", ["decoder_loss"]
                ),
            )
            net.initialize()
            net.partial_fit(training_rows(M, device))
    finally:
        for parameter in frozen:
            parameter.requires_grad_(True)
        module.eval()
        generator.to(generator_device)
    increase = mean_reconstruction_error(module, blocks, M, device) - error_before
    kept = increase <= settings.max_error_increase * error_before + settings.error_slack
    if not kept:
        for part, state in zip((module, generator), before, strict=True):
            part.load_state_dict(state)
    return epoch_history(net.history), kept


def train_code_critic(critic, Z, *, steps, lr, weight_decay, device, rng, verbose):
    """``critic`` trained further by logistic regression to tell the rows of ``Z`` (codes,
    all numbers) from a broad reference (:class:`ContrastNet`) for about ``steps`` steps
    with AdamW; returned on the CPU, in eval mode."""
    net = ContrastNet(
        module=critic,
        criterion=ContrastLoss,
        blocks=OutputBlocks(Z.shape[1]),
        optimizer=torch.optim.AdamW,
        optimizer__weight_decay=weight_decay,
        lr=lr,
        device=device,
        **step_loop_params(len(Z), steps, rng, verbose, "code critic"),
    )
    with seeded_torch(rng.randint(MAX_SEED), device):
        net.initialize()
        net.partial_fit(training_rows(Z, device))
    # Kept on the CPU: it is small, and the fitted estimator pickles anywhere.
    return net.module_.cpu().eval()
