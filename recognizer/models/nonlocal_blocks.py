"""Embedded-Gaussian non-local modules over the time, joint or time×joint axes (TMM 2020 §III-C1).

A non-local module lets every position of a feature map ``(B, C, T, V)`` look at every
other position along one axis set, instead of only at its kernel neighbours:

    y_i = sum_j softmax_j(theta(x_i) . phi(x_j)) g(x_j),     z_i = W y_i

with theta, phi, g and W 1×1 convolutions (Eqs. 6-11). ``W`` starts at zero, so a new
module adds nothing and can be dropped into a trained local network without changing
what it computes (the paper's remark after Eq. 11). The SLnL block adds ``z`` to the
output of the local convolution it runs beside, which is why the module returns ``W y``
only and not ``x + W y``.

The softmax is not scaled by ``1/sqrt(L)``: the embedded Gaussian of Eq. 8 is
``exp(theta^T phi)``. Normally the attention runs through ``scaled_dot_product_attention``
(never materialises the ``P×P`` matrix, which matters for the dense spatio-temporal
module: 4096² entries per sample at NTU size). Only while ``keep_maps`` is on does the
module compute the matrix explicitly and keep batch element 0 of it.
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn

NonLocalAxis = Literal["temporal", "spatial", "spatiotemporal"]
NONLOCAL_AXES: tuple[NonLocalAxis, ...] = ("temporal", "spatial", "spatiotemporal")


class NonLocal(nn.Module):
    """One non-local module; ``axis`` says along which positions attention runs.

    - ``"temporal"``: each joint attends over its T frames (a T×T matrix per joint);
    - ``"spatial"``: each frame attends over its V joints (a V×V matrix per frame);
    - ``"spatiotemporal"``: dense attention over all T·V positions (one TV×TV matrix).

    After a forward with ``keep_maps`` set, ``attention`` holds batch element 0's matrix:
    temporal ``(V, T, T)``, spatial ``(T, V, V)``, spatio-temporal ``(T*V, T*V)`` with
    position index ``t * V + v``. Rows sum to 1 (row = the attending position).
    """

    def __init__(self, in_channels: int, out_channels: int, inner_channels: int, axis: NonLocalAxis):
        super().__init__()
        if axis not in NONLOCAL_AXES:
            raise ValueError(f"unknown non-local axis {axis!r}; expected one of {NONLOCAL_AXES}")
        self.axis = axis
        self.inner_channels = inner_channels
        # theta, phi and g stacked in one 1×1 convolution (one kernel launch instead of three).
        self.theta_phi_g = nn.Conv2d(in_channels, 3 * inner_channels, 1)
        self.w = nn.Conv2d(inner_channels, out_channels, 1)
        nn.init.zeros_(self.w.weight)
        nn.init.zeros_(self.w.bias)
        self.keep_maps = False
        self.attention: torch.Tensor | None = None
        self.map_size: tuple[int, int] | None = None  # (T, V) of the input the map belongs to

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, _, T, V = x.shape
        L = self.inner_channels
        theta, phi, g = self._to_sequences(self.theta_phi_g(x)).split(L, dim=-1)  # 3 × (B', P, L)
        if self.keep_maps:
            attention = torch.softmax(theta @ phi.transpose(1, 2), dim=-1)  # (B', P, P)
            y = attention @ g  # (B', P, L)
            per_sample = attention.shape[0] // B  # V (temporal), T (spatial) or 1 (dense)
            first = attention.detach()[:per_sample]  # (V, T, T) | (T, V, V) | (1, T*V, T*V)
            self.attention = first[0] if self.axis == "spatiotemporal" else first
            self.map_size = (T, V)
        else:
            # 4-D (one head) inputs select the fused CPU kernel; 3-D ones fall back to the slow path.
            y = F.scaled_dot_product_attention(theta[:, None], phi[:, None], g[:, None], scale=1.0)  # (B', 1, P, L)
            y = y[:, 0]  # (B', P, L)
        return self.w(self._from_sequences(y, B, T, V))  # (B, C_out, T, V)

    def _to_sequences(self, h: torch.Tensor) -> torch.Tensor:
        """(B, E, T, V) → (B', P, E), contiguous: the fused attention kernel needs unit stride in E."""
        B, E, T, V = h.shape
        if self.axis == "temporal":
            return h.permute(0, 3, 2, 1).contiguous().view(B * V, T, E)  # (B*V, T, E)
        if self.axis == "spatial":
            return h.permute(0, 2, 3, 1).contiguous().view(B * T, V, E)  # (B*T, V, E)
        return h.permute(0, 2, 3, 1).contiguous().view(B, T * V, E)  # (B, T*V, E)

    def _from_sequences(self, y: torch.Tensor, B: int, T: int, V: int) -> torch.Tensor:
        L = y.shape[-1]
        if self.axis == "temporal":
            return y.reshape(B, V, T, L).permute(0, 3, 2, 1)  # (B, L, T, V)
        if self.axis == "spatial":
            return y.reshape(B, T, V, L).permute(0, 3, 1, 2)  # (B, L, T, V)
        return y.transpose(1, 2).reshape(B, L, T, V)  # (B, L, T, V)
