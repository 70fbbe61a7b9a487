"""The baseline local block and the synchronous local and non-local (SLnL) block (TMM 2020 §III-C).

Both work on feature maps ``(B, C, T, V)`` (time × joints as a pseudo-image). The local
block is Fig. 4(b): a k×1 temporal convolution (tLocal), a 1×k spatial convolution
(sLocal) and a k×k spatio-temporal convolution (stLocal), with batch normalisation,
ReLU and a residual path around the whole block. Our reading of the figure: each
convolution is followed by BN, the first two also by ReLU, and the residual joins before
the last ReLU. Where a block widens, the residual is the input padded with zero channels
(ResNet's parameter-free shortcut "A"); a 1×1 projection there would add 43 k parameters
and 25 M multiply-adds that Table XI of the TMM paper does not have room for. Only a
block that narrows (possible with small custom widths) projects its residual (1×1 + BN).

The SLnL block (Fig. 4(c)) runs a non-local module *in parallel* with each of the three
local convolutions, on the same input, and adds the two: temporal non-local beside
tLocal, spatial non-local beside sLocal, spatio-temporal non-local beside stLocal. So
local details and non-local context are fused in the same layer. Non-local modules start
at zero output, so a fresh SLnL block computes exactly what its local block computes.
Their inner (embedding) width is half the block's output width.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from recognizer.models.nonlocal_blocks import NONLOCAL_AXES, NonLocal, NonLocalAxis


def _conv_bn(in_channels: int, out_channels: int, kernel: tuple[int, int]) -> tuple[nn.Conv2d, nn.BatchNorm2d]:
    padding = (kernel[0] // 2, kernel[1] // 2)
    conv = nn.Conv2d(in_channels, out_channels, kernel, padding=padding, bias=False)
    return conv, nn.BatchNorm2d(out_channels)


class LocalBlock(nn.Module):
    """tLocal (k×1) → sLocal (1×k) → stLocal (k×k), residual, dropout; keeps T and V."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dropout: float = 0.0):
        super().__init__()
        k = kernel_size
        self.conv_t, self.bn_t = _conv_bn(in_channels, out_channels, (k, 1))
        self.conv_s, self.bn_s = _conv_bn(out_channels, out_channels, (1, k))
        self.conv_st, self.bn_st = _conv_bn(out_channels, out_channels, (k, k))
        self.widen = max(0, out_channels - in_channels)  # zero channels appended on the residual path
        # A narrowing block (only when K·d exceeds the first width) projects the residual instead.
        self.project = None
        if out_channels < in_channels:
            self.project = nn.Sequential(*_conv_bn(in_channels, out_channels, (1, 1)))
        self.relu = nn.ReLU(inplace=True)
        self.dropout = nn.Dropout(dropout)
        # Filled by SLnLBlock: the non-local module that runs beside each local convolution.
        self.nonlocals = nn.ModuleDict()

    def forward(self, x: Tensor) -> Tensor:  # (B, C_in, T, V) -> (B, C_out, T, V)
        h = self.relu(self.bn_t(self._mix("temporal", self.conv_t, x)))
        h = self.relu(self.bn_s(self._mix("spatial", self.conv_s, h)))
        h = self.bn_st(self._mix("spatiotemporal", self.conv_st, h))
        if self.project is not None:
            residual = self.project(x)  # (B, C_out, T, V)
        else:
            residual = F.pad(x, (0, 0, 0, 0, 0, self.widen)) if self.widen else x  # (B, C_out, T, V)
        return self.dropout(self.relu(h + residual))

    def _mix(self, axis: NonLocalAxis, conv: nn.Conv2d, h: Tensor) -> Tensor:
        """The local convolution, plus the non-local module of the same axis when there is one."""
        out = conv(h)
        if axis in self.nonlocals:
            out = out + self.nonlocals[axis](h)
        return out


class SLnLBlock(LocalBlock):
    """A local block with non-local modules merged in parallel (all three axes by default).

    ``axes`` picks a subset, which gives the tSLnL / sSLnL ablations of Table IX.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dropout: float = 0.0,
        axes: tuple[NonLocalAxis, ...] = NONLOCAL_AXES,
    ):
        super().__init__(in_channels, out_channels, kernel_size, dropout)
        inner = max(1, out_channels // 2)
        for axis in axes:
            # tLocal maps C_in -> C_out, so the temporal module does too; the others see C_out.
            module_in = in_channels if axis == "temporal" else out_channels
            self.nonlocals[axis] = NonLocal(module_in, out_channels, inner, axis)
