"""The surface every model shares: streams → features → heads (one class for all families).

A model is one or two *streams* plus linear heads. A stream maps the batch
``(N, C, T, V, M)`` to a feature vector ``(N, D)``; which tensor it reads is its key:

- ``"position"``: the joint positions as given;
- ``"velocity"``: their frame difference along T (the last frame gets zeros), computed
  here, so every caller passes positions only;
- ``"position_velocity"``: both concatenated along C (early fusion, TS-SAN V1/V2).

With two streams (position + velocity) the model has the three heads of the papers'
pseudo multi-task learning: ``"position"``, ``"velocity"`` and ``"concat"`` on the
concatenated features; inference uses ``"concat"``. With one stream there is only
``"concat"`` (its features *are* the concatenation of one), so one loss function
handles both.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

STREAM_INPUTS = ("position", "velocity", "position_velocity")


def velocity(x: Tensor) -> Tensor:
    """Frame difference along T of ``(N, C, T, V, M)``; the last frame's velocity is zero."""
    diff = x[:, :, 1:] - x[:, :, :-1]  # (N, C, T-1, V, M)
    return F.pad(diff, (0, 0, 0, 0, 0, 1))  # (N, C, T, V, M)


def _stream_input(name: str, x: Tensor) -> Tensor:
    if name == "position":
        return x
    v = velocity(x)
    return v if name == "velocity" else torch.cat([x, v], dim=1)  # (N, 2C, T, V, M)


class SkeletonClassifier(nn.Module):
    """Streams keyed by their input, a dropout, and the heads; see the module docstring.

    Attributes every caller may rely on: ``preset`` (registry name), ``config`` (the
    frozen config it was built from), ``num_classes``, ``two_stream``.
    """

    def __init__(
        self,
        preset: str,
        config: Any,
        num_classes: int,
        two_stream: bool,
        streams: dict[str, nn.Module],
        dropout: float,
    ):
        super().__init__()
        unknown = set(streams) - set(STREAM_INPUTS)
        if unknown:
            raise ValueError(f"unknown stream inputs {sorted(unknown)}; expected {STREAM_INPUTS}")
        self.preset = preset
        self.config = config
        self.two_stream = two_stream
        self.streams = nn.ModuleDict(streams)
        self.dropout = nn.Dropout(dropout)
        self.feature_dim = sum(stream.out_features for stream in self.streams.values())
        self.reset_classifier(num_classes)

    def reset_classifier(self, num_classes: int) -> None:
        """Replace every head by a fresh one with ``num_classes`` outputs (fine-tuning)."""
        self.num_classes = num_classes
        heads = {"concat": nn.Linear(self.feature_dim, num_classes)}
        if len(self.streams) > 1:
            for name, stream in self.streams.items():
                heads[name] = nn.Linear(stream.out_features, num_classes)
        self.heads = nn.ModuleDict(heads)

    def forward(self, x: Tensor) -> Tensor:
        """Logits of the concat head, ``(N, num_classes)``: what inference uses."""
        return self.forward_head(self.forward_features(x))

    def forward_features(self, x: Tensor) -> Tensor:
        """The embedding before the concat head, ``(N, D)`` (few-shot prototypes use it)."""
        return torch.cat(list(self._stream_features(x).values()), dim=1)  # (N, D)

    def forward_head(self, features: Tensor) -> Tensor:
        return self.heads["concat"](self.dropout(features))

    def forward_heads(self, x: Tensor) -> dict[str, Tensor]:
        """Every head's logits for training: position/velocity/concat, or concat alone."""
        features = self._stream_features(x)
        logits = {"concat": self.forward_head(torch.cat(list(features.values()), dim=1))}
        if len(self.streams) > 1:
            for name, f in features.items():
                logits[name] = self.heads[name](self.dropout(f))
        return logits

    def _stream_features(self, x: Tensor) -> dict[str, Tensor]:
        self._check_input(x)
        return {name: stream(_stream_input(name, x)) for name, stream in self.streams.items()}

    def _check_input(self, x: Tensor) -> None:
        c = self.config
        if x.ndim != 5 or x.shape[1] != c.in_channels or x.shape[2] != c.T or x.shape[3] != c.num_joints:
            raise ValueError(
                f"{self.preset} expects input (N, {c.in_channels}, {c.T}, {c.num_joints}, M), got {tuple(x.shape)}"
            )
