"""Each model family learns a small separable problem: joints oscillating at a class's frequency."""

from __future__ import annotations

import math

import pytest
import torch

from recognizer.losses import LossConfig, MultiHeadLoss
from recognizer.models import create_model


def oscillations(n: int, generator: torch.Generator, T: int = 16, V: int = 6) -> tuple[torch.Tensor, torch.Tensor]:
    """Class k moves the wrists (joints 2, 3) at k + 1 cycles per window; noise everywhere."""
    labels = torch.randint(0, 3, (n,), generator=generator)
    t = torch.arange(T) / T
    phase = 2 * math.pi * torch.rand(n, 1, generator=generator)
    wave = torch.sin(2 * math.pi * (labels[:, None] + 1) * t + phase)  # (n, T)
    x = 0.1 * torch.randn(n, 3, T, V, 1, generator=generator)
    x[:, 0, :, 2:4, 0] += wave[:, :, None]
    x[:, 1, :, 2:4, 0] += 0.5 * wave[:, :, None]
    return x, labels


FAMILIES = {
    "slnl_rfa": ("slnl_rfa_lite", dict(T=16, num_joints=6, coordinate_systems=2, virtual_joints=8,
                                       attention_reduction=4, channels=(8, 16), kernel_sizes=(3, 3),
                                       num_slnl=1, dropout=0.0)),
    "ts_san": ("ts_san_ntu", dict(T=15, segments=3, num_joints=6, num_persons=1, cnn_channels=(8, 8, 8, 8),
                                  layers=1, heads=2, dropout=0.0, attention_dropout=0.0)),
}


@pytest.mark.parametrize("family", FAMILIES)
def test_a_few_hundred_steps_drive_the_loss_down(family):
    name, overrides = FAMILIES[family]
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = create_model(name, 3, two_stream=True, **overrides)
    T = model.config.T
    x_test, y_test = oscillations(96, generator, T=T)
    loss_fn = MultiHeadLoss(LossConfig())
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(200):
        x, y = oscillations(16, generator, T=T)
        loss = loss_fn(model.forward_heads(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    first, last = sum(losses[:20]) / 20, sum(losses[-20:]) / 20
    assert last < 0.3 * first, (first, last)
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    assert accuracy > 0.9
