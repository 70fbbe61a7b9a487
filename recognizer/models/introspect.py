"""What the network looks at, on demand: frequency spectra, attention masks, non-local maps.

Nothing is kept unless asked, so inference pays nothing for this module:

    with keep_maps(model):
        logits = model(x)
    spectra = frequency_maps(model)      # one per stream (SLnL-rFA)
    attention = attention_maps(model)    # one per SLnL block per stream
    projections = joint_projections(model)

Every map is for batch element 0, person 0 (persons run as separate batch items, and
sample 0's person 0 comes first), from the last forward inside the ``with`` block; maps
stay readable after the block until the next ``keep_maps`` starts. Models without
frequency attention or SLnL blocks (TS-SAN) give empty lists.

Maps over joints are over the N' *virtual* joints of the skeleton transform (further
halved by each 2×2 max-pool before a block). ``JointProjection`` sends them back to the
input joints; see its docstring for the math.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from torch import nn

from recognizer.models.blocks import LocalBlock
from recognizer.models.frequency import FrequencyAttention
from recognizer.models.nonlocal_blocks import NonLocal
from recognizer.models.transform import SkeletonTransform


@dataclass(frozen=True)
class FrequencyMap:
    """One stream's frequency attention for the last input (all arrays ``(T, N')``).

    ``magnitude``: |FFT2(X')| of the transformed input, averaged over its K·d channels;
    index ``[u, v]`` = temporal frequency u, joint frequency v, zero frequency at
    ``[0, 0]`` (``np.fft.fftshift`` centres it). ``mask_cos`` / ``mask_sin``: the weights
    in [0, 1] applied to the cosine / sine part, or None where the variant does not
    weight that part.
    """

    stream: str  # "position" or "velocity"
    kind: str  # frequency-attention variant, e.g. "rfa"
    magnitude: np.ndarray
    mask_cos: np.ndarray | None
    mask_sin: np.ndarray | None


@dataclass(frozen=True)
class AttentionMap:
    """The non-local attention of one SLnL block for the last input; rows sum to 1.

    With T', V' the block's frames and (virtual) joints: ``temporal`` ``(V', T', T')``
    (per joint, frame i attends frame j); ``spatial`` ``(T', V', V')`` (per frame, joint
    i attends joint j); ``spatiotemporal`` ``(T'·V', T'·V')`` with position index
    ``t * V' + v``. A module the block does not have is None. One map frame covers
    ``frame_stride`` input frames, one map joint ``joint_stride`` virtual joints.
    """

    stream: str
    block: int  # index of the block in its stream, counting local and SLnL blocks from 0
    frames: int  # T'
    joints: int  # V'
    frame_stride: int
    joint_stride: int
    temporal: np.ndarray | None
    spatial: np.ndarray | None
    spatiotemporal: np.ndarray | None


@dataclass(frozen=True)
class JointProjection:
    """The learned skeleton transform of one stream, and the way back to input joints.

    ``weight`` is W_s, ``(N', N)``: virtual joint j' = sum_n W_s[j', n] · input joint n.
    ``contribution`` is R = |W_s| normalised so each row sums to 1: R[j', n] is the share
    of virtual joint j' that comes from input joint n.

    ``to_input_joints`` maps values a' over (possibly pooled) virtual joints to the input
    joints: each pooled joint's value is first spread evenly over the ``stride`` virtual
    joints it covers (a'[j'] / stride), then a[n] = sum_j' a'[j'] R[j', n]. Total mass is
    preserved (sum_n a[n] = sum_j' a'[j']), so an attention row stays a distribution;
    applied to both axes of a ``(V', V')`` matrix it gives an ``(N, N)`` one.
    """

    stream: str
    weight: np.ndarray
    contribution: np.ndarray

    def to_input_joints(self, values: np.ndarray, axis: int = -1, stride: int = 1) -> np.ndarray:
        num_virtual = self.contribution.shape[0]
        values = np.moveaxis(np.asarray(values, dtype=np.float64), axis, -1)  # (..., V')
        covered = values.shape[-1] * stride
        if covered > num_virtual:
            raise ValueError(f"{values.shape[-1]} joints × stride {stride} exceed the {num_virtual} virtual joints")
        spread = np.zeros(values.shape[:-1] + (num_virtual,))  # (..., N')
        spread[..., :covered] = np.repeat(values, stride, axis=-1) / stride
        out = spread @ self.contribution  # (..., N)
        return np.moveaxis(out, -1, axis).astype(np.float32)


def _map_modules(model: nn.Module) -> Iterator[FrequencyAttention | NonLocal]:
    for module in model.modules():
        if isinstance(module, (FrequencyAttention, NonLocal)):
            yield module


@contextmanager
def keep_maps(model: nn.Module) -> Iterator[nn.Module]:
    """Inside the block, forwards keep the maps of their batch element 0 (see module doc)."""
    modules = list(_map_modules(model))
    for module in modules:
        module.keep_maps = True
        if isinstance(module, NonLocal):
            module.attention = module.map_size = None
        else:
            module.magnitude = module.mask_cos = module.mask_sin = None
    try:
        yield model
    finally:
        for module in modules:
            module.keep_maps = False


def _numpy(t) -> np.ndarray | None:
    return None if t is None else t.float().cpu().numpy()


def _streams(model: nn.Module) -> dict[str, nn.Module]:
    streams = getattr(model, "streams", None)
    return dict(streams.items()) if streams is not None else {}


def frequency_maps(model: nn.Module) -> list[FrequencyMap]:
    """One FrequencyMap per stream whose frequency attention ran inside ``keep_maps``."""
    maps = []
    for name, stream in _streams(model).items():
        for module in stream.modules():
            if isinstance(module, FrequencyAttention) and module.magnitude is not None:
                maps.append(
                    FrequencyMap(
                        name, module.kind, _numpy(module.magnitude), _numpy(module.mask_cos), _numpy(module.mask_sin)
                    )
                )
    return maps


def attention_maps(model: nn.Module) -> list[AttentionMap]:
    """One AttentionMap per SLnL block per stream, in stream then block order."""
    maps = []
    for name, stream in _streams(model).items():
        index, stride = 0, 1
        for layer in getattr(stream, "blocks", ()):
            if isinstance(layer, nn.MaxPool2d):
                stride *= 2
                continue
            if not isinstance(layer, LocalBlock):
                continue
            kept = {axis: _numpy(m.attention) for axis, m in layer.nonlocals.items() if m.attention is not None}
            if kept:
                frames, joints = next(m.map_size for m in layer.nonlocals.values() if m.attention is not None)
                maps.append(
                    AttentionMap(
                        stream=name,
                        block=index,
                        frames=frames,
                        joints=joints,
                        frame_stride=stride,
                        joint_stride=stride,
                        temporal=kept.get("temporal"),
                        spatial=kept.get("spatial"),
                        spatiotemporal=kept.get("spatiotemporal"),
                    )
                )
            index += 1
    return maps


def joint_projections(model: nn.Module) -> list[JointProjection]:
    """One JointProjection per stream with a skeleton transform."""
    projections = []
    for name, stream in _streams(model).items():
        for module in stream.modules():
            if isinstance(module, SkeletonTransform):
                weight = module.weight.detach().float().cpu().numpy()  # (N', N)
                magnitude = np.abs(weight)
                contribution = magnitude / np.maximum(magnitude.sum(axis=1, keepdims=True), 1e-12)
                projections.append(JointProjection(name, weight, contribution))
    return projections
