"""Classification losses of the SLnL-rFA papers, and one entry point for every model.

With p_t the softmax probability of the true class (TMM 2020 §III-D):

    CE    = -log p_t
    FL    = -(1 - p_t)^γ log p_t                          focal loss (Lin et al.)
    SM    = log(e^m + (1 - e^m) p_t)                      soft-margin term, in [0, m]
    SMCE  = SM + CE   (= CE with the true logit lowered by m, Eq. 15)
    SMFL  = SM + FL   (Eq. 17; γ = 2, m = 0.4 NTU / 0.6 Kinetics)

SMFL is SMCE at γ = 0, focal loss at m = 0 and CE at both.

Pseudo multi-task learning with mutual learning (§III-E): every head k of a model gets
its own loss, L_sup = Σ_k L_k (Eq. 19), and every pair of heads is pulled together,
L = L_sup + λ Σ_pairs D(p_a, p_b) (Eqs. 20-22, λ = 0.1). The paper defines the pair term
through Eq. 20, D_k = ½ Σ_{j≠k} KL(p_j‖p_k), whose sum over k is
Σ_pairs ½ (KL(p_a‖p_b) + KL(p_b‖p_a)) — the symmetrised KL, which the paper calls "JSD".
That is the default (``divergence="sym_kl"``); ``"js"`` uses the textbook Jensen-Shannon
divergence (KL to the mixture) instead. Gradients flow into both heads of a pair: the
mimicry loss is part of one joint objective.

``MultiHeadLoss(config)(heads, target)`` takes a model's ``forward_heads`` dict, so the
same call trains a one-stream model (``{"concat"}``: no pairs, no mimicry term) and a
two-stream one (position, velocity, concat: three pairs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import torch
import torch.nn.functional as F
from torch import Tensor

LOSS_KINDS = ("ce", "focal", "smce", "smfl")
DIVERGENCES = ("sym_kl", "js")


def _log_p_true(logits: Tensor, target: Tensor) -> Tensor:
    """log p_t per sample, (N,), computed stably from logits (N, K) and class indices (N,)."""
    return F.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)


def soft_margin_term(p_t: Tensor, margin: float) -> Tensor:
    """SM = log(e^m + (1 - e^m) p_t), per sample; 0 at p_t = 1, m at p_t = 0."""
    e_m = math.exp(margin)
    return torch.log(e_m + (1.0 - e_m) * p_t)


def cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    return -_log_p_true(logits, target).mean()


def focal_loss(logits: Tensor, target: Tensor, gamma: float = 2.0) -> Tensor:
    log_p = _log_p_true(logits, target)
    return (-((1.0 - log_p.exp()) ** gamma) * log_p).mean()


def smce_loss(logits: Tensor, target: Tensor, margin: float = 0.4) -> Tensor:
    log_p = _log_p_true(logits, target)
    return (soft_margin_term(log_p.exp(), margin) - log_p).mean()


def smfl_loss(logits: Tensor, target: Tensor, gamma: float = 2.0, margin: float = 0.4) -> Tensor:
    log_p = _log_p_true(logits, target)
    p_t = log_p.exp()
    return (soft_margin_term(p_t, margin) - (1.0 - p_t) ** gamma * log_p).mean()


def _kl(log_p: Tensor, log_q: Tensor) -> Tensor:
    """KL(p‖q) per sample from log-probabilities (N, K)."""
    return (log_p.exp() * (log_p - log_q)).sum(dim=1)


def symmetric_kl(logits_a: Tensor, logits_b: Tensor) -> Tensor:
    """½ (KL(p_a‖p_b) + KL(p_b‖p_a)), batch mean: the pair term of TMM 2020 Eqs. 20-21."""
    log_a, log_b = F.log_softmax(logits_a, dim=1), F.log_softmax(logits_b, dim=1)
    return (0.5 * (_kl(log_a, log_b) + _kl(log_b, log_a))).mean()


def jensen_shannon(logits_a: Tensor, logits_b: Tensor) -> Tensor:
    """½ KL(p_a‖m) + ½ KL(p_b‖m) with m = (p_a + p_b) / 2, batch mean; at most log 2."""
    log_a, log_b = F.log_softmax(logits_a, dim=1), F.log_softmax(logits_b, dim=1)
    log_m = torch.logsumexp(torch.stack([log_a, log_b]), dim=0) - math.log(2.0)  # (N, K)
    return (0.5 * (_kl(log_a, log_m) + _kl(log_b, log_m))).mean()


@dataclass(frozen=True)
class LossConfig:
    """How a model's heads are trained (defaults: SMFL + mutual learning, NTU margin)."""

    kind: str = "smfl"  # per-head loss: "ce", "focal", "smce" or "smfl"
    gamma: float = 2.0  # γ, focusing parameter (focal, smfl)
    margin: float = 0.4  # m, soft margin (smce, smfl): 0.4 for NTU, 0.6 for Kinetics
    mutual: float = 0.1  # λ, weight of the mutual-learning term; 0 switches it off
    divergence: str = "sym_kl"  # pair term: "sym_kl" (the paper's Eq. 20) or "js"

    def __post_init__(self) -> None:
        if self.kind not in LOSS_KINDS:
            raise ValueError(f"unknown loss {self.kind!r}; expected one of {LOSS_KINDS}")
        if self.divergence not in DIVERGENCES:
            raise ValueError(f"unknown divergence {self.divergence!r}; expected one of {DIVERGENCES}")


class MultiHeadLoss:
    """``loss(heads, target)``: Σ_k L_k over the heads + λ · Σ_pairs D, as a scalar tensor."""

    def __init__(self, config: LossConfig = LossConfig()):
        self.config = config

    def __call__(self, heads: dict[str, Tensor], target: Tensor) -> Tensor:
        return sum(self.parts(heads, target).values())

    def parts(self, heads: dict[str, Tensor], target: Tensor) -> dict[str, Tensor]:
        """The terms of the loss by name ("<head>" and "mutual" when there are pairs), for logging."""
        if not heads:
            raise ValueError("no heads to compute a loss on")
        parts = {name: self.head_loss(logits, target) for name, logits in heads.items()}
        pairs = list(combinations(sorted(heads), 2))
        if self.config.mutual and pairs:
            divergence = symmetric_kl if self.config.divergence == "sym_kl" else jensen_shannon
            parts["mutual"] = self.config.mutual * sum(divergence(heads[a], heads[b]) for a, b in pairs)
        return parts

    def head_loss(self, logits: Tensor, target: Tensor) -> Tensor:
        c = self.config
        if c.kind == "ce":
            return cross_entropy(logits, target)
        if c.kind == "focal":
            return focal_loss(logits, target, c.gamma)
        if c.kind == "smce":
            return smce_loss(logits, target, c.margin)
        return smfl_loss(logits, target, c.gamma, c.margin)
