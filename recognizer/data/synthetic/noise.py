"""Turn clean projected joints into what a pose detector reports: MediaPipe-shaped noise.

What MediaPipe does to a skeleton, and what this module imitates (amounts measured on
MediaPipe runs over the shared videos, see docs/generator.md):
- temporal smoothing (it filters landmarks, so fast motion lags a little);
- jitter, small on the torso and face, larger at wrists and ankles and much larger for
  joints it cannot see; now and then an outlier;
- visibility near 1 for seen joints, falling for hidden ones (0.3–0.7 is typical for the
  far arm in a side view);
- joints that drop out for a few frames, brief left/right confusions, whole frames
  without a person.

Absent joints follow the project's pose code (`recognizer.pose.to_openpose18`): a joint
outside the picture, or dropped, is `(0, 0, 0)`; a hidden joint keeps its guessed
position with a low score. Clips filmed by a depth sensor (see motion.py) come out like
MSR Action3D through `KINECT20_TO_OPENPOSE18` instead: no smoothing or swaps, even
jitter rounded to the whole pixels of a 320×240 depth image, scores 1, every face joint
at the head with score 0.5, and a trunk folded towards the sensor (a deep bend) makes
its tracker lose the body or slide the legs (measured on MSR Action3D's bends).
"""

from __future__ import annotations

import numpy as np

from recognizer.data.synthetic.timing import wander
from recognizer.skeleton import OPENPOSE18, mirror_permutation

_FACE = [OPENPOSE18.index(n) for n in ("nose", "right_eye", "left_eye", "right_ear", "left_ear")]
# Jitter per joint relative to the torso's: face and trunk steadier, hands and feet worse.
_JITTER = np.array([0.6, 0.6, 0.8, 1.0, 1.5, 0.8, 1.0, 1.5, 0.8, 1.0, 1.3, 0.8, 1.0, 1.3, 0.6, 0.6, 0.6, 0.6])
_MIRROR = mirror_permutation(OPENPOSE18)
_ARMS = np.array([2, 3, 4, 5, 6, 7])
_LEGS = np.array([8, 9, 10, 11, 12, 13])
_DEPTH_IMAGE = np.array([320.0, 240.0])  # MSR Action3D's skeleton20 coordinates are its whole pixels


def _bursts(rng: np.random.Generator, rate: np.ndarray, mean_length: float) -> np.ndarray:
    """Boolean mask shaped like `rate` `(T, …)`: random bursts along T with `rate` starts per
    frame and geometric lengths of mean `mean_length` frames."""
    frames = rate.shape[0]
    starts = np.nonzero(rng.random(rate.shape) < rate)
    stops = np.minimum(starts[0] + rng.geometric(1.0 / mean_length, starts[0].shape[0]), frames)
    edges = np.zeros((frames + 1,) + rate.shape[1:], dtype=np.int32)
    np.add.at(edges, starts, 1)
    np.add.at(edges, (stops,) + starts[1:], -1)
    return np.cumsum(edges, axis=0)[:frames] > 0


def _smooth(xy: np.ndarray, alpha: float) -> np.ndarray:
    """Exponential smoothing along T, `y[i] = y[i-1] + alpha·(x[i] − y[i-1])`, as a truncated FIR
    (a Python loop over frames would cost more than the rest of the clip)."""
    taps = int(np.ceil(np.log(1e-3) / np.log(max(1.0 - alpha, 1e-6)))) if alpha < 1.0 else 1
    taps = max(min(taps, xy.shape[0]), 1)
    weights = alpha * (1.0 - alpha) ** np.arange(taps)
    weights /= weights.sum()
    padded = np.concatenate([np.repeat(xy[:1], taps - 1, axis=0), xy])  # (T + taps - 1, 18, 2)
    out = np.zeros_like(xy)
    for k, w in enumerate(weights):
        out += w * padded[taps - 1 - k: taps - 1 - k + xy.shape[0]]
    return out


def _swap(rng: np.random.Generator, xy: np.ndarray, frames: int) -> None:
    """Brief left/right confusions in place: the legs, the arms or the whole body, for a few frames."""
    for _ in range(rng.integers(1, 5)):
        start = int(rng.integers(frames))
        stop = start + int(rng.integers(1, 7))
        part = rng.choice(3, p=[0.5, 0.2, 0.3])
        joints = [_LEGS, _ARMS, np.arange(OPENPOSE18.num_joints)][part]
        xy[start:stop, joints] = xy[start:stop, _MIRROR[joints]]


def _folded_tracking(rng: np.random.Generator, xy: np.ndarray, fold: np.ndarray, torso: float) -> np.ndarray:
    """A depth sensor's tracker failing while the trunk folds towards it; returns the lost frames `(T,)`.

    In MSR Action3D's bends (a13), once the trunk points at the sensor the skeleton's legs
    slide: hips, knees and ankles move (mostly down) together by one to two torso lengths
    while the feet stay put in reality; in half of the sequences the skeleton then
    vanishes for a few frames. `fold (T,)` is the sine of the trunk's tilt towards the
    sensor. Changes `xy` in place.
    """
    failing = np.clip((fold - rng.uniform(0.5, 0.85)) / 0.15, 0.0, 1.0)  # (T,)
    if rng.random() < 0.1:
        return np.zeros(len(fold), bool)  # the tracker held on
    offset = rng.uniform(-0.8, 2.5) * torso  # picture heights, down +
    share = np.ones(len(_LEGS))  # hips, knees, ankles
    share[[0, 3]] = rng.uniform(0.5, 1.0)  # the hips slide less than the legs
    xy[:, _LEGS, 1] += failing[:, None] * offset * share
    if rng.random() < 0.5:
        return failing > rng.uniform(0.6, 1.0)
    return np.zeros(len(fold), bool)


def detect(rng: np.random.Generator, xy: np.ndarray, hidden: np.ndarray, fps: float, aspect: float,
           depth_sensor: bool, fold: np.ndarray | None = None) -> np.ndarray:
    """Clean normalized `xy (T, 18, 2)` and `hidden (T, 18)` → detector output `float32 (3, T, 18)`.

    `depth_sensor` renders the clip as a Kinect skeleton instead of MediaPipe landmarks;
    `fold (T,)`, the sine of the trunk's tilt towards the camera, drives its tracking
    failures (none without it).
    """
    T, V, _ = xy.shape
    t = np.arange(T) / fps
    unit = np.array([1.0 / aspect, 1.0])  # noise is drawn in picture heights, then scaled per axis
    torso = np.median(np.linalg.norm((xy[:, 1] - xy[:, [8, 11]].mean(axis=1)) / unit, axis=-1))
    torso = max(torso, 0.02)

    if depth_sensor:
        # A Kinect has one head joint (every face joint maps to it), and its shoulder centre
        # sits above the shoulders' midpoint (0.14 torso in MSR Action3D).
        xy = xy.copy()
        xy[:, _FACE] = xy[:, _FACE].mean(axis=1, keepdims=True)
        xy[:, 1] += 0.14 * (xy[:, 1] - xy[:, [8, 11]].mean(axis=1))
    elif rng.random() < 0.6:  # the landmark filter: exponential smoothing
        xy = _smooth(xy, rng.uniform(0.45, 1.0))

    if depth_sensor:  # Kinect skeletons jitter evenly, about twice MediaPipe's trunk jitter
        white = torso * rng.uniform(0.006, 0.015)
        spread = 1.0 + 3.0 * hidden[..., None]  # (T, 18, 1)
    else:
        white = torso * np.exp(rng.uniform(np.log(0.002), np.log(0.02)))
        spread = _JITTER[:, None] * (1.0 + 3.0 * hidden[..., None])
    drift = torso * rng.uniform(0.0, 0.025)
    noise = white * rng.standard_normal((T, V, 2)) + drift * wander(rng, t, rng.uniform(0.15, 0.6), (V, 2))
    outliers = rng.random((T, V)) < rng.uniform(0.0, 0.008)
    noise[outliers] += rng.normal(0.0, 0.3 * torso, (int(outliers.sum()), 2))
    xy = xy + noise * spread * unit
    tracker_lost = np.zeros(T, bool)
    if depth_sensor and fold is not None:
        tracker_lost = _folded_tracking(rng, xy, fold, torso)

    if depth_sensor:
        xy[:, _FACE] = xy[:, _FACE[:1]]  # one head joint, with one joint's jitter
        xy = np.round(xy * _DEPTH_IMAGE) / _DEPTH_IMAGE  # whole pixels of a 320×240 depth image
        score = np.ones((T, V))
        score[:, _FACE] = 0.5
    else:
        base = rng.uniform(0.85, 1.0)
        score = base - np.abs(rng.normal(0.0, 0.03, (T, V)))
        score *= 1.0 - hidden * rng.uniform(0.5, 0.95)
        score += rng.normal(0.0, 0.05, (T, V)) * hidden
        edge = np.minimum(xy, 1.0 - xy).min(axis=-1)  # distance to the picture's border
        score *= np.clip(edge / 0.03, 0.3, 1.0)
        score = np.clip(score, 0.01, 1.0)
        if rng.random() < 0.4:
            _swap(rng, xy, T)

    # Short dropouts, far more likely for hidden joints.
    absent = _bursts(rng, rng.uniform(0.0, 0.01) * (1.0 + 5.0 * hidden), rng.uniform(1.0, 6.0))
    if rng.random() < 0.3:  # frames with nobody found
        lost = _bursts(rng, np.full(T, rng.uniform(0.005, 0.03)), rng.uniform(1.0, 8.0))
        if lost.mean() < 0.25:
            absent |= lost[:, None]
    absent |= tracker_lost[:, None]
    absent |= ((xy < 0.0) | (xy > 1.0)).any(axis=-1)

    out = np.concatenate([xy, score[..., None]], axis=-1)  # (T, 18, 3)
    out[absent] = 0.0
    return np.ascontiguousarray(out.transpose(2, 0, 1), dtype=np.float32)  # (3, T, 18)
