"""The training losses, as the skorch criteria of the nets (``criterion_``)."""

import torch
import torch.nn.functional as F
from torch import nn


def kl_to_standard_normal(z_mean, z_logvar):
    """Per-row ``KL(N(z_mean, exp(z_logvar)) || N(0, I))``."""
    return 0.5 * (z_mean**2 + torch.exp(z_logvar) - 1.0 - z_logvar).sum(dim=1)


class ReconstructionLoss(nn.Module):
    """The mean over rows of the blocks' reconstruction loss (an
    :class:`~skae._nn.output_blocks.OutputBlocks`): squared error for numbers, cross-entropy
    for categories (binary cross-entropy for values in [0, 1])."""

    def __init__(self, blocks):
        super().__init__()
        self.blocks = blocks

    def forward(self, y_pred, y_true):
        return self.blocks.mean_reconstruction_loss(y_pred, y_true)


class NegativeELBO(nn.Module):
    """The mean over rows of a VAE's negative evidence lower bound, with weight ``beta``
    on the KL term: ``-log p(x | z_mean) + beta * KL(q(z | x) || N(0, I))``, the
    likelihood the blocks' (independent normals of scales ``exp(log_scale)`` for numbers,
    categorical distributions for categories)."""

    def __init__(self, blocks):
        super().__init__()
        self.blocks = blocks

    def forward(self, y_pred, y_true, log_scale, beta):
        x_mean, z_mean, z_logvar = y_pred
        nll = -self.blocks.log_likelihood(x_mean, y_true, log_scale)
        return (nll + beta * kl_to_standard_normal(z_mean, z_logvar)).mean()


class AdversarialLoss(nn.Module):
    """The losses of a critic and a generator: ``objective="wgan-gp"`` is the Wasserstein
    loss with a gradient penalty of weight ``gp_weight`` (Gulrajani et al., 2017);
    ``"gan"`` the classic non-saturating GAN loss (logistic)."""

    def __init__(self, objective="wgan-gp", gp_weight=1.0):
        super().__init__()
        self.objective = objective
        self.gp_weight = gp_weight

    def forward(self, critic, real, fake):
        """The critic's loss on a batch of ``real`` and one of ``fake`` rows."""
        if self.objective == "gan":
            real_scores, fake_scores = critic(torch.cat([real, fake])).split(len(real))
            return (F.softplus(-real_scores) + F.softplus(fake_scores)).mean()
        # The penalty's points go through the critic in the same pass as the real and fake
        # rows: one forward and one backward instead of three small ones.
        t = torch.rand(len(real), 1, device=real.device)
        between = (t * real + (1 - t) * fake).requires_grad_(True)
        scores = critic(torch.cat([real, fake, between]))
        real_scores, fake_scores, between_scores = scores.split(len(real))
        (grad,) = torch.autograd.grad(between_scores.sum(), between, create_graph=True)
        penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
        return fake_scores.mean() - real_scores.mean() + self.gp_weight * penalty

    def generator_loss(self, critic, fake):
        """The generator's loss: how real the critic finds the generated rows ``fake``."""
        scores = critic(fake)
        return F.softplus(-scores).mean() if self.objective == "gan" else -scores.mean()


class ContrastLoss(nn.Module):
    """Logistic regression of a critic's logits: ``real`` rows are the positive class,
    ``reference`` rows the negative one (noise-contrastive estimation)."""

    def forward(self, real_scores, reference_scores):
        return F.softplus(-real_scores).mean() + F.softplus(reference_scores).mean()


class FlowMatchingLoss(nn.Module):
    """The flow-matching loss: the mean squared error between a velocity field's outputs
    and the velocities of the straight paths from noise to data (``x_1 - x_0``)."""

    def forward(self, velocity, target):
        return F.mse_loss(velocity, target)
