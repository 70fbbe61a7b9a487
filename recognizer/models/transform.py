"""The transform network (TMM 2020 §III-A): K oblique coordinate systems, then N → N' joints.

Coordinate transform: each joint's d coordinates J_0 are re-expressed in K learned
coordinate systems, J_i = C_i^T J_0, and the K results are stacked, so a d-channel
skeleton becomes a K·d-channel one. It is one bias-free linear map d → K·d over the
channel axis (a 1×1 convolution).

Skeleton transform: the N input joints (in the layout's arbitrary order) become N'
virtual joints, each a learned linear combination of the inputs, S' = W_s S with
W_s ∈ R^{N'×N} (Li et al. 2017). Neighbouring virtual joints are what the later k×1,
1×k and k×k convolutions see as neighbours, so the network learns its own joint order.

Both maps are linear and bias-free, so ``SkeletonTransform.weight`` is exactly the matrix
the app needs to send attention over virtual joints back to the input joints
(see ``recognizer.models.introspect.JointProjection``).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class CoordinateTransform(nn.Module):
    """(B, d, T, V) → (B, K·d, T, V); starts as K noisy copies of the original coordinates."""

    def __init__(self, in_channels: int, num_systems: int):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, in_channels * num_systems, 1, bias=False)
        with torch.no_grad():
            eye = torch.eye(in_channels).repeat(num_systems, 1)  # (K*d, d)
            noise = 0.1 * torch.randn_like(eye)
            self.proj.weight.copy_((eye + noise)[:, :, None, None])  # (K*d, d, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(x)


class SkeletonTransform(nn.Module):
    """(B, C, T, N) → (B, C, T, N'): every virtual joint is a learned mix of the input joints."""

    def __init__(self, num_joints: int, num_virtual_joints: int):
        super().__init__()
        self.linear = nn.Linear(num_joints, num_virtual_joints, bias=False)

    @property
    def weight(self) -> Tensor:
        """W_s, shape (N', N): virtual joint j' = sum_n W_s[j', n] * joint n."""
        return self.linear.weight

    def forward(self, x: Tensor) -> Tensor:
        return self.linear(x)  # (B, C, T, N')


class TransformNet(nn.Module):
    """Coordinate transform then skeleton transform: (B, d, T, N) → (B, K·d, T, N')."""

    def __init__(self, in_channels: int, num_joints: int, num_systems: int, num_virtual_joints: int):
        super().__init__()
        self.coordinates = CoordinateTransform(in_channels, num_systems)
        self.skeleton = SkeletonTransform(num_joints, num_virtual_joints)
        self.out_channels = in_channels * num_systems

    def forward(self, x: Tensor) -> Tensor:
        return self.skeleton(self.coordinates(x))  # (B, K*d, T, N')
