"""TS-SAN: temporal-segment self-attention networks (Cho et al., "Self-Attention Network for
Skeleton-based Human Action Recognition", ``papers/ts-san.txt``).

Pipeline (Fig. 2): the window of T frames is cut into ``segments`` consecutive clips
(TSN); one SAN variant, with the same weights for every clip, turns each clip into a
feature vector; the clips are combined by averaging (the paper's best consensus, Table
5). Averaging features before a linear head equals averaging the clips' logits, so the
consensus happens on features and ``forward_features`` stays one vector per sample.

A SAN variant is an encoder per frame followed by a SAN block (§4.2-4.3):

- encoder ``"ff"``: one FC + ReLU from each frame's joint vector to ``ff_dim``;
- encoder ``"cnn"`` (Fig. 4, HCN-like): 1×1 conv → 3×1 conv over frames → swap joints and
  coordinates → 3×3 conv + max-pool → 3×3 conv + max-pool. Pooling runs only over the
  feature axis ("T remains the same"), so each frame becomes a ``c4 · c2/4`` vector;
- SAN block: learned position embedding, ``layers`` self-attention layers (multi-head
  attention + FFN, residuals, post-LayerNorm as in Vaswani et al.), the outputs of all
  layers concatenated, a global average over frames, FC + ReLU back to the input width.

Variants differ in where persons and modalities meet (Fig. 3):

- ``"v1"``: early fusion; all persons' joints side by side (zero-padded persons), one
  encoder + SAN block;
- ``"v2"``: every person through the shared encoder + SAN block, then an element-wise
  max over persons (the paper's TS-SAN of Tables 1-2);
- ``"v3"``: per modality, every person through the encoder, max over persons, then the
  modality's own SAN block.

For V1/V2 "two-stream" means the position and velocity channels are concatenated at the
input (one stream, one head, ``"concat"``); V3 keeps one stream per modality and the
three heads (position, velocity, concat), trained with summed losses as in the paper.
Unstated in the paper and chosen here: FFN width 4× the model width (Transformer
default), ReLU after conv1 and after each 3×3 conv, dropout after the encoder.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from recognizer.models.classifier import SkeletonClassifier

SAN_VARIANTS = ("v1", "v2", "v3")
SAN_ENCODERS = ("ff", "cnn")


@dataclass(frozen=True)
class TSSANConfig:
    """Everything that fixes a TS-SAN architecture (defaults: the NTU model of the paper)."""

    in_channels: int = 3  # values per joint, (x, y, z) or (x, y, score)
    num_joints: int = 25  # joints per person in the input layout
    num_persons: int = 2  # M; only SAN-V1 depends on it (persons' joints side by side)
    T: int = 96  # frames per input window = segments × frames per clip
    segments: int = 3  # TSN clips per window; their features are averaged
    variant: str = "v2"  # "v1" early fusion, "v2" per person, "v3" per modality
    encoder: str = "cnn"  # "cnn" (4 conv layers) or "ff" (FC + ReLU)
    cnn_channels: tuple[int, ...] = (64, 32, 32, 64)  # widths of the CNN encoder's 4 layers
    ff_dim: int = 512  # output width of the FF encoder
    layers: int = 4  # self-attention layers in the SAN block
    heads: int = 8  # attention heads per layer
    ffn_ratio: int = 4  # FFN width of a layer, as a multiple of the model width
    attention_dropout: float = 0.2  # dropout inside the SAN block
    dropout: float = 0.5  # after the encoder and before the heads

    def __post_init__(self) -> None:
        if self.variant not in SAN_VARIANTS:
            raise ValueError(f"unknown SAN variant {self.variant!r}; expected one of {SAN_VARIANTS}")
        if self.encoder not in SAN_ENCODERS:
            raise ValueError(f"unknown SAN encoder {self.encoder!r}; expected one of {SAN_ENCODERS}")
        if len(self.cnn_channels) != 4 or self.cnn_channels[1] % 4:
            raise ValueError(f"cnn_channels needs 4 widths, the second divisible by 4; got {self.cnn_channels}")
        if self.T % self.segments:
            raise ValueError(f"T={self.T} is not a multiple of segments={self.segments}")
        if self.model_width % self.heads:
            raise ValueError(f"model width {self.model_width} is not divisible by heads={self.heads}")

    @property
    def model_width(self) -> int:
        """Width of the per-frame features the SAN block works on."""
        if self.encoder == "ff":
            return self.ff_dim
        return self.cnn_channels[3] * (self.cnn_channels[1] // 4)


class FFEncoder(nn.Module):
    """(B, C, S, J) → (B, S, D): one FC + ReLU on each frame's flattened joints."""

    def __init__(self, in_channels: int, joints: int, width: int, dropout: float):
        super().__init__()
        self.fc = nn.Linear(in_channels * joints, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        B, C, S, J = x.shape
        h = x.permute(0, 2, 1, 3).reshape(B, S, C * J)  # (B, S, C*J)
        return self.dropout(F.relu(self.fc(h)))  # (B, S, D)


class CNNEncoder(nn.Module):
    """(B, C, S, J) → (B, S, c4 · c2/4): the four-layer encoder of Fig. 4."""

    def __init__(self, in_channels: int, joints: int, channels: tuple[int, ...], dropout: float):
        super().__init__()
        c1, c2, c3, c4 = channels
        self.conv1 = nn.Conv2d(in_channels, c1, 1)
        self.conv2 = nn.Conv2d(c1, c2, (3, 1), padding=(1, 0))
        self.conv3 = nn.Conv2d(joints, c3, 3, padding=1)
        self.conv4 = nn.Conv2d(c3, c4, 3, padding=1)
        self.pool = nn.MaxPool2d((1, 2))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv2(F.relu(self.conv1(x)))  # (B, c2, S, J)
        h = h.permute(0, 3, 2, 1)  # (B, J, S, c2): joints become channels
        h = self.pool(F.relu(self.conv3(h)))  # (B, c3, S, c2/2)
        h = self.pool(F.relu(self.conv4(h)))  # (B, c4, S, c2/4)
        B, C4, S, W = h.shape
        return self.dropout(h.permute(0, 2, 1, 3).reshape(B, S, C4 * W))  # (B, S, c4*c2/4)


class SelfAttentionLayer(nn.Module):
    """Multi-head self-attention + FFN, each with a residual and a post-LayerNorm."""

    def __init__(self, width: int, heads: int, ffn_width: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.out = nn.Linear(width, width)
        self.ffn = nn.Sequential(nn.Linear(width, ffn_width), nn.ReLU(inplace=True), nn.Linear(ffn_width, width))
        self.norm1 = nn.LayerNorm(width)
        self.norm2 = nn.LayerNorm(width)
        self.dropout = nn.Dropout(dropout)
        self.attention_dropout = dropout

    def forward(self, h: Tensor) -> Tensor:
        B, S, D = h.shape
        qkv = self.qkv(h).reshape(B, S, 3, self.heads, D // self.heads)  # (B, S, 3, H, D/H)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # 3 × (B, H, S, D/H)
        p = self.attention_dropout if self.training else 0.0
        a = F.scaled_dot_product_attention(q, k, v, dropout_p=p)  # (B, H, S, D/H)
        a = a.transpose(1, 2).reshape(B, S, D)  # (B, S, D)
        h = self.norm1(h + self.dropout(self.out(a)))
        return self.norm2(h + self.dropout(self.ffn(h)))


class SANBlock(nn.Module):
    """(B, S, D) → (B, D): position embedding, L layers, concat of all layers, mean, FC + ReLU."""

    def __init__(self, width: int, length: int, layers: int, heads: int, ffn_ratio: int, dropout: float):
        super().__init__()
        self.position = nn.Parameter(0.02 * torch.randn(1, length, width))
        self.layers = nn.ModuleList(SelfAttentionLayer(width, heads, ffn_ratio * width, dropout) for _ in range(layers))
        self.project = nn.Linear(layers * width, width)

    def forward(self, h: Tensor) -> Tensor:
        h = h + self.position  # (B, S, D)
        outputs = []
        for layer in self.layers:
            h = layer(h)
            outputs.append(h)
        z = torch.cat(outputs, dim=-1)  # (B, S, L*D)
        return F.relu(self.project(z.mean(dim=1)))  # (B, D)


class TSSANStream(nn.Module):
    """One TS-SAN stream: ``(N, C, T, V, M)`` → ``(N, D)`` for the configured variant."""

    def __init__(self, config: TSSANConfig, in_channels: int):
        super().__init__()
        c = config
        self.variant = c.variant
        self.num_persons = c.num_persons
        self.segments = c.segments
        joints = c.num_joints * c.num_persons if c.variant == "v1" else c.num_joints
        width = c.model_width
        if c.encoder == "cnn":
            self.encoder: nn.Module = CNNEncoder(in_channels, joints, c.cnn_channels, c.dropout)
        else:
            self.encoder = FFEncoder(in_channels, joints, width, c.dropout)
        self.san = SANBlock(width, c.T // c.segments, c.layers, c.heads, c.ffn_ratio, c.attention_dropout)
        self.out_features = width

    def forward(self, x: Tensor) -> Tensor:
        N, C, T, V, M = x.shape
        G = self.segments
        S = T // G
        clips = x.reshape(N, C, G, S, V, M).transpose(1, 2).reshape(N * G, C, S, V, M)  # (N*G, C, S, V, M)
        if self.variant == "v1":
            if M != self.num_persons:
                raise ValueError(f"SAN-V1 was built for {self.num_persons} persons, got M={M}")
            joints = clips.permute(0, 1, 2, 4, 3).reshape(N * G, C, S, M * V)  # (N*G, C, S, M*V)
            f = self.san(self.encoder(joints))  # (N*G, D)
        else:
            persons = clips.permute(0, 4, 1, 2, 3).reshape(N * G * M, C, S, V)  # (N*G*M, C, S, V)
            h = self.encoder(persons)  # (N*G*M, S, D)
            if self.variant == "v2":
                f = self.san(h).reshape(N * G, M, -1).amax(dim=1)  # (N*G, D)
            else:
                f = self.san(h.reshape(N * G, M, S, -1).amax(dim=1))  # (N*G, D)
        return f.reshape(N, G, -1).mean(dim=1)  # (N, D): average consensus over clips


def build_ts_san(preset: str, config: TSSANConfig, num_classes: int, two_stream: bool) -> SkeletonClassifier:
    """TS-SAN on positions only, or on positions + velocities (fused for V1/V2, split for V3)."""
    c = config.in_channels
    if not two_stream:
        streams = {"position": TSSANStream(config, c)}
    elif config.variant == "v3":
        streams = {"position": TSSANStream(config, c), "velocity": TSSANStream(config, c)}
    else:
        streams = {"position_velocity": TSSANStream(config, 2 * c)}
    return SkeletonClassifier(preset, config, num_classes, two_stream, streams, config.dropout)
