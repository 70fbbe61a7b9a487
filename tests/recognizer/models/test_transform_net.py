"""The transform network: K coordinate systems, then N -> N' virtual joints."""

from __future__ import annotations

import torch

from recognizer.models.transform import CoordinateTransform, SkeletonTransform, TransformNet


def test_coordinate_transform_applies_each_systems_matrix_to_every_joint():
    torch.manual_seed(0)
    transform = CoordinateTransform(3, num_systems=4)
    x = torch.randn(2, 3, 5, 7)  # (B, d, T, V)
    out = transform(x)
    C = transform.proj.weight[:, :, 0, 0]  # (K*d, d): the stacked transition matrices
    assert out.shape == (2, 12, 5, 7)
    torch.testing.assert_close(out, torch.einsum("kd,bdtv->bktv", C, x))


def test_coordinate_systems_start_near_the_original_one():
    transform = CoordinateTransform(2, num_systems=3)
    C = transform.proj.weight[:, :, 0, 0].detach()  # (6, 2)
    assert (C - torch.eye(2).repeat(3, 1)).abs().max() < 0.6


def test_skeleton_transform_mixes_joints_with_its_matrix():
    torch.manual_seed(0)
    transform = SkeletonTransform(num_joints=5, num_virtual_joints=9)
    x = torch.randn(2, 3, 4, 5)  # (B, C, T, N)
    assert transform.weight.shape == (9, 5)
    torch.testing.assert_close(transform(x), torch.einsum("jn,bctn->bctj", transform.weight, x))


def test_transform_net_gives_kd_channels_on_n_prime_joints_and_no_bias():
    net = TransformNet(in_channels=3, num_joints=18, num_systems=10, num_virtual_joints=64)
    assert net(torch.randn(2, 3, 16, 18)).shape == (2, 30, 16, 64)
    assert net(torch.zeros(1, 3, 16, 18)).abs().max() == 0
    assert sum(p.numel() for p in net.parameters()) == 3 * 30 + 18 * 64
