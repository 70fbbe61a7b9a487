"""What the network looks at, shaped for people: the app's frequency and attention views.

`recognizer.models.introspect` hands out raw maps over the model's own axes: spectra over
(temporal frequency, virtual-joint frequency), attention over the N' virtual joints of the
skeleton transform. This module turns them into what a user can read:

* `FrequencyMaps`: the non-negative temporal frequencies only (the spectrum of a real
  signal is symmetric), labelled in Hz at the model's fps, with the joint-frequency axis
  centred (`fftshift`), for each stream;
* `AttentionMaps`: the first SLnL block's attention for one query — an input joint at one
  frame of the window — mapped back to the 18 input joints. A query joint n is a mix of
  virtual joints (the share R[j', n] each virtual joint takes from it, normalized); its
  attention row is the same mix of the virtual joints' rows, and the result is sent back
  to input joints with `JointProjection.to_input_joints`, which preserves the total, so
  every map still sums to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import nn

from recognizer.models.introspect import (
    AttentionMap, FrequencyMap, JointProjection, attention_maps, frequency_maps, joint_projections,
)


@dataclass(frozen=True)
class FrequencyMaps:
    """One stream's frequency view of a window (what the rFA module saw and weighed).

    The rFA works on the transformed skeleton (after the N → N' skeleton transform), so
    the joint-frequency axis counts frequencies over the virtual joints.
    """

    stream: str  # "position" or "velocity"
    magnitude: np.ndarray  # (F_t, F_v) spectrum magnitude, averaged over channels
    cos_mask: np.ndarray  # (F_t, F_v) learned weights on the cos (real) part, in [0, 1] (1: not weighted)
    sin_mask: np.ndarray  # (F_t, F_v) learned weights on the sin (imaginary) part, in [0, 1]
    temporal_hz: np.ndarray  # (F_t,) temporal frequency of each row, 0 … fps/2
    joint_frequency: np.ndarray  # (F_v,) joint-frequency index of each column, centred on 0


@dataclass(frozen=True)
class AttentionQuery:
    joint: int  # OpenPose-18 joint index of the query
    time: int  # frame index within the model's window (0 … T-1)


@dataclass(frozen=True)
class AttentionMaps:
    """Non-local attention of one query (joint, moment) of a window, over the 18 input
    joints and the window's frames. Each map sums to 1."""

    query: AttentionQuery
    spatial: np.ndarray  # (18,) attention over the joints at the query moment
    temporal: np.ndarray  # (T,) attention over the window's frames, for the query joint
    spatiotemporal: np.ndarray  # (T, 18) attention over every (frame, joint)
    window: np.ndarray  # (C, T, 18) the preprocessed skeleton the maps refer to


def readable_frequency(raw: FrequencyMap, fps: float) -> FrequencyMaps:
    frames = raw.magnitude.shape[0]
    rows = frames // 2 + 1  # 0 … Nyquist

    def view(a: np.ndarray | None) -> np.ndarray:
        a = np.ones_like(raw.magnitude) if a is None else a
        return np.fft.fftshift(a[:rows], axes=1).astype(np.float32)  # (F_t, F_v)

    joint_frequency = np.fft.fftshift(np.fft.fftfreq(raw.magnitude.shape[1]) * raw.magnitude.shape[1])
    return FrequencyMaps(raw.stream, view(raw.magnitude), view(raw.mask_cos), view(raw.mask_sin),
                         np.fft.rfftfreq(frames, d=1.0 / fps)[:rows].astype(np.float32),
                         joint_frequency.astype(np.float32))


def query_weights(projection: JointProjection, joint: int, stride: int = 1) -> np.ndarray:
    """How much each (pooled) virtual joint stands for input joint `joint`; sums to 1."""
    share = projection.contribution[:, joint]  # (N',)
    pooled = share[: len(share) // stride * stride].reshape(-1, stride).sum(axis=1)  # (V',)
    return pooled / max(pooled.sum(), 1e-12)


def readable_attention(raw: AttentionMap, projection: JointProjection, query: AttentionQuery,
                       window: np.ndarray) -> AttentionMaps:
    """One SLnL block's maps for `query`, over input joints and window frames."""
    T, V = raw.frames, raw.joints
    t = min(query.time // raw.frame_stride, T - 1)
    w = query_weights(projection, query.joint, raw.joint_stride)  # (V',)

    def to_joints(values: np.ndarray) -> np.ndarray:
        return projection.to_input_joints(values, axis=-1, stride=raw.joint_stride)

    def to_frames(values: np.ndarray, axis: int) -> np.ndarray:  # spread each map frame over its input frames
        return np.repeat(values, raw.frame_stride, axis=axis) / raw.frame_stride

    spatial = to_joints(w @ raw.spatial[t]) if raw.spatial is not None else np.full(18, 1 / 18)
    temporal = to_frames(np.einsum("v,vs->s", w, raw.temporal[:, t, :]), 0) if raw.temporal is not None \
        else np.full(T * raw.frame_stride, 1 / (T * raw.frame_stride))
    if raw.spatiotemporal is not None:
        rows = raw.spatiotemporal.reshape(T, V, T * V)[t]  # (V', T'·V') the query frame's rows
        st = (w @ rows).reshape(T, V)  # (T', V')
        spatiotemporal = to_frames(to_joints(st), 0)  # (T, 18)
    else:
        spatiotemporal = np.outer(temporal, spatial)
    return AttentionMaps(query, spatial.astype(np.float32), temporal.astype(np.float32),
                         spatiotemporal.astype(np.float32), window.astype(np.float32))


def window_maps(model: nn.Module, fps: float, query: AttentionQuery | None, window: np.ndarray,
                want_frequency: bool) -> tuple[tuple[FrequencyMaps, ...] | None, AttentionMaps | None]:
    """Read the maps a forward inside `keep_maps(model)` left behind."""
    frequency = tuple(readable_frequency(m, fps) for m in frequency_maps(model)) if want_frequency else None
    attention = None
    if query is not None:
        blocks = [m for m in attention_maps(model) if m.stream == "position"]
        projections = {p.stream: p for p in joint_projections(model)}
        if blocks and "position" in projections:
            attention = readable_attention(blocks[0], projections["position"], query, window)
    return frequency, attention
