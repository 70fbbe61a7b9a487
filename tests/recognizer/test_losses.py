"""The losses equal their formulas, reduce to each other at the right γ and m, and compose."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from recognizer.losses import (
    LossConfig,
    MultiHeadLoss,
    cross_entropy,
    focal_loss,
    jensen_shannon,
    smce_loss,
    smfl_loss,
    soft_margin_term,
    symmetric_kl,
)

torch.manual_seed(0)
LOGITS = torch.randn(8, 5) * 3
TARGET = torch.tensor([0, 1, 2, 3, 4, 0, 1, 2])
P_T = torch.softmax(LOGITS.double(), 1).gather(1, TARGET[:, None]).squeeze(1)


def test_smfl_equals_its_formula():
    m, gamma = 0.4, 2.0
    expected = (torch.log(math.exp(m) + (1 - math.exp(m)) * P_T) - (1 - P_T) ** gamma * torch.log(P_T)).mean()
    torch.testing.assert_close(smfl_loss(LOGITS.double(), TARGET, gamma, m), expected)


def test_smfl_reduces_to_ce_focal_and_smce():
    torch.testing.assert_close(smfl_loss(LOGITS, TARGET, gamma=0.0, margin=0.0), F.cross_entropy(LOGITS, TARGET))
    torch.testing.assert_close(smfl_loss(LOGITS, TARGET, gamma=2.0, margin=0.0), focal_loss(LOGITS, TARGET, 2.0))
    torch.testing.assert_close(smfl_loss(LOGITS, TARGET, gamma=0.0, margin=0.6), smce_loss(LOGITS, TARGET, 0.6))
    torch.testing.assert_close(focal_loss(LOGITS, TARGET, 0.0), cross_entropy(LOGITS, TARGET))


def test_focal_loss_equals_its_formula():
    expected = (-(1 - P_T) ** 3 * torch.log(P_T)).mean()
    torch.testing.assert_close(focal_loss(LOGITS.double(), TARGET, 3.0), expected)


def test_smce_is_cross_entropy_with_the_true_logit_lowered_by_m():
    """TMM 2020 Eq. 15."""
    shifted = LOGITS - 0.4 * F.one_hot(TARGET, 5)
    torch.testing.assert_close(smce_loss(LOGITS, TARGET, 0.4), F.cross_entropy(shifted, TARGET))


def test_soft_margin_term_lies_between_zero_and_m():
    p = torch.linspace(0, 1, 11)
    sm = soft_margin_term(p, 0.6)
    assert sm[0] == pytest.approx(0.6) and sm[-1] == pytest.approx(0.0, abs=1e-7)
    assert torch.all(sm[1:] <= sm[:-1])


def test_losses_are_stable_for_extreme_logits():
    logits = torch.tensor([[80.0, -80.0, 0.0], [-80.0, 80.0, 0.0]], requires_grad=True)
    target = torch.tensor([1, 1])  # one badly wrong, one certain
    loss = smfl_loss(logits, target, 2.0, 0.4)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(logits.grad).all()


@pytest.mark.parametrize("divergence", [symmetric_kl, jensen_shannon])
def test_divergences_are_symmetric_and_zero_only_for_equal_inputs(divergence):
    a, b = torch.randn(6, 5), torch.randn(6, 5)
    torch.testing.assert_close(divergence(a, b), divergence(b, a))
    assert divergence(a, b) > 0
    torch.testing.assert_close(divergence(a, a), torch.tensor(0.0))
    torch.testing.assert_close(divergence(a, a + 3.0), torch.tensor(0.0))  # same softmax


def test_symmetric_kl_is_half_the_two_kls_and_js_uses_the_mixture():
    a, b = torch.randn(6, 5).double(), torch.randn(6, 5).double()
    p, q = torch.softmax(a, 1), torch.softmax(b, 1)
    kl = lambda x, y: (x * (x / y).log()).sum(1)  # noqa: E731
    torch.testing.assert_close(symmetric_kl(a, b), (0.5 * (kl(p, q) + kl(q, p))).mean())
    m = (p + q) / 2
    torch.testing.assert_close(jensen_shannon(a, b), (0.5 * (kl(p, m) + kl(q, m))).mean())
    assert jensen_shannon(a * 50, -b * 50) <= math.log(2) + 1e-9


def test_two_stream_loss_is_supervised_sum_plus_lambda_times_three_pairs():
    heads = {name: torch.randn(8, 5) for name in ("position", "velocity", "concat")}
    loss = MultiHeadLoss(LossConfig(kind="smfl", gamma=2.0, margin=0.4, mutual=0.1))
    supervised = sum(smfl_loss(h, TARGET, 2.0, 0.4) for h in heads.values())
    mimicry = (
        symmetric_kl(heads["position"], heads["concat"])
        + symmetric_kl(heads["concat"], heads["velocity"])
        + symmetric_kl(heads["velocity"], heads["position"])
    )
    torch.testing.assert_close(loss(heads, TARGET), supervised + 0.1 * mimicry)
    assert set(loss.parts(heads, TARGET)) == {"position", "velocity", "concat", "mutual"}


def test_single_head_loss_is_just_the_head_loss():
    loss = MultiHeadLoss(LossConfig(kind="ce"))
    torch.testing.assert_close(loss({"concat": LOGITS}, TARGET), F.cross_entropy(LOGITS, TARGET))


def test_mutual_learning_can_be_switched_off_and_to_js():
    heads = {"position": torch.randn(8, 5), "concat": torch.randn(8, 5)}
    off = MultiHeadLoss(LossConfig(kind="focal", mutual=0.0))
    assert set(off.parts(heads, TARGET)) == {"position", "concat"}
    js = MultiHeadLoss(LossConfig(kind="ce", mutual=1.0, divergence="js"))
    torch.testing.assert_close(js.parts(heads, TARGET)["mutual"], jensen_shannon(heads["concat"], heads["position"]))


def test_mutual_term_pulls_both_heads():
    a, b = torch.randn(4, 3, requires_grad=True), torch.randn(4, 3, requires_grad=True)
    parts = MultiHeadLoss(LossConfig(kind="ce", mutual=0.1)).parts({"position": a, "concat": b}, TARGET[:4] % 3)
    parts["mutual"].backward()
    assert a.grad.abs().sum() > 0 and b.grad.abs().sum() > 0


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="unknown loss"):
        LossConfig(kind="hinge")
    with pytest.raises(ValueError, match="unknown divergence"):
        LossConfig(divergence="wasserstein")
    with pytest.raises(ValueError, match="no heads"):
        MultiHeadLoss()({}, TARGET)
