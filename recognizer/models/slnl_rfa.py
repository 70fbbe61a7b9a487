"""SLnL-rFA (ICME 2019) and SLnL-rFA+ML (TMM 2020): one stream, and the two-stream model.

One stream, in the order of Fig. 2 of the TMM paper:

    input BN  →  transform net (K coordinate systems, N → N' joints)
              →  frequency attention (rFA by default) on the transformed X'
              →  M1 SLnL blocks, then M2 local blocks (max-pool 2×2 after every 2nd block)
              →  global average over (T', V')  →  max over persons  →  (N, C_last)

The two-stream model runs one such stream on positions and another (own weights) on
velocities, with the three heads (position, velocity, concat) trained as pseudo
multi-task learning plus mutual learning (``recognizer.losses``); inference uses the
concat head.

Persons: the papers do not say how the (up to two) persons of a sample are combined. We
follow the authors' own earlier code base (HCN, whose reproduction Table XI cites): every
person runs through the same stream weights as its own batch item, and the per-person
feature vectors are merged by an element-wise maximum, the "strongest signal" among the
persons. A model therefore accepts any M, a person-less slot (all zeros) costs compute
but is usually dominated by the real person, and the order of persons does not matter.
Under this reading Table XI's figures (4.723 M parameters, 3.889 G multiply-adds for the
position stream) are those of one 64-frame skeleton; see ``docs/models.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from recognizer.models.blocks import LocalBlock, SLnLBlock
from recognizer.models.classifier import SkeletonClassifier
from recognizer.models.frequency import FREQUENCY_ATTENTION_KINDS, FrequencyAttention
from recognizer.models.nonlocal_blocks import NONLOCAL_AXES
from recognizer.models.transform import TransformNet


@dataclass(frozen=True)
class SLnLrFAConfig:
    """Everything that fixes an SLnL-rFA architecture (defaults: the NTU model of the papers)."""

    in_channels: int = 3  # d: values per joint, (x, y, z) or (x, y, score)
    num_joints: int = 25  # N: joints per person in the input layout
    T: int = 64  # frames per input window; the frequency attention's FCs are sized by it
    coordinate_systems: int = 10  # K learned oblique coordinate systems
    virtual_joints: int = 64  # N': joints after the skeleton transform
    frequency_attention: str = "rfa"  # variant, see recognizer.models.frequency
    attention_reduction: int = 32  # λ: bottleneck ratio of the attention FC pair
    channels: tuple[int, ...] = (64, 64, 128, 128, 256, 256)  # output width of each block
    kernel_sizes: tuple[int, ...] = (3, 3, 3, 3, 3, 3)  # k of each block's local convolutions
    num_slnl: int = 3  # M1: how many of the first blocks are SLnL blocks; the rest are local
    nonlocal_axes: tuple[str, ...] = NONLOCAL_AXES  # non-local modules inside an SLnL block
    pool_every: int = 2  # a 2×2 max-pool over (T, V) after every this many blocks (not the last)
    dropout: float = 0.2  # after every block and before the heads

    def __post_init__(self) -> None:
        if len(self.kernel_sizes) != len(self.channels):
            raise ValueError(f"{len(self.channels)} channels but {len(self.kernel_sizes)} kernel sizes")
        if not 0 <= self.num_slnl <= len(self.channels):
            raise ValueError(f"num_slnl={self.num_slnl} must be within 0..{len(self.channels)}")
        if self.frequency_attention not in FREQUENCY_ATTENTION_KINDS:
            raise ValueError(
                f"unknown frequency_attention {self.frequency_attention!r}; expected one of {FREQUENCY_ATTENTION_KINDS}"
            )
        bad_axes = set(self.nonlocal_axes) - set(NONLOCAL_AXES)
        if bad_axes:
            raise ValueError(f"unknown non-local axes {sorted(bad_axes)}; expected a subset of {NONLOCAL_AXES}")


class SLnLrFAStream(nn.Module):
    """One stream: ``(N, C, T, V, M)`` → ``(N, channels[-1])``."""

    def __init__(self, config: SLnLrFAConfig):
        super().__init__()
        c = config
        self.input_bn = nn.BatchNorm1d(c.in_channels * c.num_joints)
        self.transform = TransformNet(c.in_channels, c.num_joints, c.coordinate_systems, c.virtual_joints)
        self.frequency = FrequencyAttention(c.frequency_attention, c.T, c.virtual_joints, c.attention_reduction)
        layers: list[nn.Module] = []
        width = self.transform.out_channels
        for i, (out_width, kernel) in enumerate(zip(c.channels, c.kernel_sizes)):
            if i < c.num_slnl:
                layers.append(SLnLBlock(width, out_width, kernel, c.dropout, c.nonlocal_axes))
            else:
                layers.append(LocalBlock(width, out_width, kernel, c.dropout))
            if (i + 1) % c.pool_every == 0 and i + 1 < len(c.channels):
                layers.append(nn.MaxPool2d(2))
            width = out_width
        self.blocks = nn.Sequential(*layers)
        self.out_features = width

    def forward(self, x: Tensor) -> Tensor:
        N, C, T, V, M = x.shape
        h = x.permute(0, 4, 1, 3, 2).reshape(N * M, C * V, T)  # (N*M, C*V, T)
        h = self.input_bn(h)
        h = h.reshape(N * M, C, V, T).transpose(2, 3)  # (N*M, C, T, V)
        h = self.frequency(self.transform(h))  # (N*M, K*C, T, N')
        h = self.blocks(h)  # (N*M, C_last, T', V')
        h = h.mean(dim=(2, 3))  # (N*M, C_last)
        return h.reshape(N, M, -1).amax(dim=1)  # (N, C_last)


def build_slnl_rfa(preset: str, config: SLnLrFAConfig, num_classes: int, two_stream: bool) -> SkeletonClassifier:
    """The position stream alone, or position + velocity streams with the three heads."""
    names = ("position", "velocity") if two_stream else ("position",)
    streams = {name: SLnLrFAStream(config) for name in names}
    return SkeletonClassifier(preset, config, num_classes, two_stream, streams, config.dropout)
