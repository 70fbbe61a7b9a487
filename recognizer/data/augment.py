"""Training augmentation of one clip, for what a webcam sees that public data sets rarely show.

NumPy, on `float32 (C=3, T, V, M)` clips in the file convention (x, y normalized to [0, 1]
by frame width and height, score; missing joint = all zeros), *before* `recognizer.preprocess`
centres and crops them: mirroring (x → 1 − x) and partial framing are only meaningful in
picture coordinates. Runs in DataLoader workers on the CPU, so NumPy is the natural choice;
every function returns a new array and leaves its input (possibly a cached sample) alone.

Randomness comes only from the `numpy.random.Generator` passed in, so a seeded generator
replays an augmentation exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from recognizer.skeleton import LAYOUTS, mirror_permutation


def mirror(data: np.ndarray, permutation: np.ndarray) -> np.ndarray:
    """Left-right mirror image: x → 1 − x and every left joint swapped with its right twin.

    With the joint names kept anatomical, the mirrored clip is what a person doing the
    action with the other hand looks like. Applying it twice gives the clip back.
    """
    out = data[:, :, permutation].copy()  # (C, T, V, M), joints swapped
    present = out[2] > 0
    out[0] = np.where(present, 1.0 - out[0], 0.0)
    return out


def mirror_label(label: str | None, pairs: Iterable[tuple[str, str]]) -> str | None:
    """The label of the mirrored clip: each pair (a, b) swaps a ↔ b; other labels stay."""
    for a, b in pairs:
        if label == a:
            return b
        if label == b:
            return a
    return label


def affine(data: np.ndarray, rotate_deg: float, scale: float, shear: tuple[float, float]) -> np.ndarray:
    """Rotate, scale and shear x, y about the clip's median joint position (one transform per clip).

    Angles are in normalized coordinates, so on a non-square frame a rotation also shears a
    little in pixels — harmless at the small angles used for augmentation.
    """
    out = data.copy()
    present = out[2] > 0  # (T, V, M)
    if not present.any():
        return out
    center = np.array([np.median(out[0][present]), np.median(out[1][present])], dtype=np.float32)
    theta = np.deg2rad(rotate_deg)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    matrix = (scale * rotation @ np.array([[1.0, shear[0]], [shear[1], 1.0]])).astype(np.float32)
    xy = out[:2][:, present] - center[:, None]  # (2, P) present joints
    out[:2][:, present] = matrix @ xy + center[:, None]
    return out


def joint_dropout(data: np.ndarray, p: float, rng: np.random.Generator) -> np.ndarray:
    """Each present joint of each frame goes missing (score and coordinates 0) with probability p."""
    keep = rng.random(data.shape[1:]) >= p  # (T, V, M)
    return data * keep[None].astype(data.dtype)


def jitter(data: np.ndarray, std: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of `std` (in frame units) on the coordinates of present joints."""
    out = data.copy()
    present = out[2] > 0
    noise = rng.normal(0.0, std, size=(2,) + present.shape).astype(data.dtype)
    out[:2] += noise * present
    return out


def partial_framing(data: np.ndarray, cut: float) -> np.ndarray:
    """Frame the person as a desk webcam does: joints below the image row `cut` are not seen.

    `cut` is a fraction of the body's height over the clip (0 = its highest joint, 1 = its
    lowest); joints below that line get score 0 and coordinates 0.
    """
    present = data[2] > 0
    if not present.any():
        return data.copy()
    top, bottom = data[1][present].min(), data[1][present].max()
    visible = data[1] <= top + cut * (bottom - top)  # (T, V, M)
    return data * visible[None].astype(data.dtype)


@dataclass(frozen=True)
class Augment:
    """Which augmentations a training dataset applies, and how strongly. `Augment()` is the webcam set."""

    mirror_p: float = 0.5  # probability of the left-right mirror
    mirror_label_pairs: tuple[tuple[str, str], ...] = ()  # L/R-specific labels swapped by the mirror
    rotate_deg: float = 10.0  # rotation drawn from U(−rotate_deg, rotate_deg)
    scale: tuple[float, float] = (0.9, 1.1)  # scale factor range
    shear: float = 0.1  # shear factors drawn from U(−shear, shear), x and y independently
    framing_p: float = 0.2  # probability of cutting the body off at a desk-like frame edge
    framing_cut: tuple[float, float] = (0.4, 0.75)  # cut line range, fraction of body height from the top
    dropout_p: float = 0.02  # per-frame, per-joint probability of a missed detection
    jitter_std: float = 0.002  # coordinate noise, in frame units
    layout: str = "openpose18"  # joint layout, for the mirror's left/right swap

    def __post_init__(self):
        for name in ("mirror_p", "framing_p", "dropout_p"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be a probability, got {getattr(self, name)!r}")
        if not 0 < self.scale[0] <= self.scale[1]:
            raise ValueError(f"scale must be a range 0 < low <= high, got {self.scale!r}")
        if not 0 <= self.framing_cut[0] <= self.framing_cut[1] <= 1:
            raise ValueError(f"framing_cut must be a range within [0, 1], got {self.framing_cut!r}")
        if self.rotate_deg < 0 or self.shear < 0 or self.jitter_std < 0:
            raise ValueError("rotate_deg, shear and jitter_std must not be negative")
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown layout {self.layout!r}")

    def __call__(self, data: np.ndarray, label: str | None,
                 rng: np.random.Generator) -> tuple[np.ndarray, str | None]:
        """Augment one clip `(3, T, V, M)`; returns the new clip and its (possibly mirrored) label."""
        out = np.asarray(data, dtype=np.float32)
        if rng.random() < self.mirror_p:
            out = mirror(out, mirror_permutation(LAYOUTS[self.layout]))
            label = mirror_label(label, self.mirror_label_pairs)
        out = affine(out, rng.uniform(-self.rotate_deg, self.rotate_deg), rng.uniform(*self.scale),
                     tuple(rng.uniform(-self.shear, self.shear, size=2)))
        if rng.random() < self.framing_p:
            out = partial_framing(out, rng.uniform(*self.framing_cut))
        if self.dropout_p > 0:
            out = joint_dropout(out, self.dropout_p, rng)
        if self.jitter_std > 0:
            out = jitter(out, self.jitter_std, rng)
        return out, label
