"""NTU RGB+D `.skeleton` files: parser, sample names, benchmark splits and the 18-joint mapping.

The text layout (Kinect v2 SDK dump, as read by ST-GCN's `ntu_read_skeleton.py`):

    frame count
    per frame:  body count
       per body:  10 values  bodyID clippedEdges handLeftConfidence handLeftState
                             handRightConfidence handRightState isRestricted leanX leanY trackingState
                  joint count (25)
                  25 lines of 12 values  x y z (metres, camera space) depthX depthY (512×424 px)
                                         colorX colorY (1920×1080 px) orientationW X Y Z trackingState

A joint's trackingState is 2 (tracked), 1 (inferred) or 0 (not tracked).

Which bodies are kept. Within a frame a body is known by its position in the frame's list,
as in ST-GCN (Kinect body ids change when tracking is lost, list positions mostly do not).
When more than `max_bodies` positions occur, the ones with the most motion energy (the summed
standard deviation of x, y, z over the frames the position is filled, 2s-AGCN's rule) are
kept, most energetic first: spurious "bodies" the Kinect finds in furniture hardly move.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recognizer.data.formats import SkeletonClip, read_ascii_text
from recognizer.errors import BadFileError
from recognizer.skeleton import NTU25, NTU25_TO_OPENPOSE18, map_to_openpose18

NUM_JOINTS = NTU25.num_joints
COLOR_SIZE = (1920, 1080)  # (width, height) of the Kinect v2 colour camera
FPS = 30.0
# Cross-subject training performers and cross-view training cameras (Shahroudy et al. 2016).
XSUB_TRAIN_SUBJECTS = frozenset({1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38})
XVIEW_TRAIN_CAMERAS = frozenset({2, 3})
BENCHMARKS = ("xsub", "xview")
SPLITS = ("train", "val")
_TRACKING_SCORE = np.array([0.0, 0.5, 1.0], dtype=np.float32)  # trackingState 0, 1, 2 → score
_NAME = re.compile(r"S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})", re.ASCII)


@dataclass(frozen=True)
class NtuName:
    """The fields of a sample name `SsssCcccPpppRrrrAaaa` (all 1-based)."""

    setup: int
    camera: int
    performer: int
    replication: int
    action: int

    def __str__(self) -> str:
        return (f"S{self.setup:03d}C{self.camera:03d}P{self.performer:03d}"
                f"R{self.replication:03d}A{self.action:03d}")


@dataclass
class NtuSample:
    """One parsed `.skeleton` file; bodies beyond the kept ones are dropped, absent ones are zeros."""

    name: NtuName
    xyz: np.ndarray  # float32 (3, T, 25, M): camera-space metres
    color: np.ndarray  # float32 (2, T, 25, M): colour-image pixels (1920×1080)
    tracking: np.ndarray  # int8 (T, 25, M): 2 tracked, 1 inferred, 0 not tracked or absent
    present: np.ndarray  # bool (T, M): the body is in the frame


def parse_ntu_name(name: str | os.PathLike) -> NtuName:
    """Fields of an NTU sample name or file name (`S001C002P003R004A005.skeleton`)."""
    match = _NAME.fullmatch(Path(name).name.removesuffix(".skeleton"))
    if match is None:
        raise BadFileError(name, "is not an NTU RGB+D sample name (SsssCcccPpppRrrrAaaa)")
    return NtuName(*(int(g) for g in match.groups()))


def in_split(name: NtuName, benchmark: str, split: str) -> bool:
    """Whether a sample belongs to `split` ("train" or "val") of `benchmark` ("xsub" or "xview")."""
    if benchmark not in BENCHMARKS:
        raise ValueError(f"benchmark must be one of {BENCHMARKS}, got {benchmark!r}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    train = (name.performer in XSUB_TRAIN_SUBJECTS if benchmark == "xsub"
             else name.camera in XVIEW_TRAIN_CAMERAS)
    return train == (split == "train")


def read_sample_list(path: str | os.PathLike) -> frozenset[str]:
    """Sample names listed one per line, e.g. `samples_with_missing_skeletons.txt`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadFileError(path, f"cannot be read ({getattr(error, 'strerror', None) or error})") from None
    names = frozenset(line.strip() for line in text.splitlines() if line.strip())
    for line in names:
        parse_ntu_name(line)
    return names


def read_action_names(path: str | os.PathLike) -> list[str]:
    """Action names, line n = action A(n) (e.g. mmaction2's `label_map_ntu60.txt`)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadFileError(path, f"cannot be read ({getattr(error, 'strerror', None) or error})") from None
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if not names:
        raise BadFileError(path, "lists no action names")
    return names


def read_ntu_skeleton(path: str | os.PathLike, max_bodies: int = 2) -> NtuSample:
    """Parse an NTU RGB+D `.skeleton` file (see the module docstring for the layout)."""
    name = parse_ntu_name(path)
    text = read_ascii_text(path, ".skeleton file")
    frames = _parse(path, text.split("\n"))
    if not any(frames):
        raise BadFileError(path, "contains no skeletons" if frames else "contains no frames")
    return _to_sample(name, frames, max_bodies)


def ntu_to_openpose18(sample: NtuSample) -> np.ndarray:
    """`float32 (3, T, 18, M)` in our 2-D convention from the colour-camera coordinates.

    x = colorX / 1920, y = colorY / 1080, score from trackingState (2 → 1.0, 1 → 0.5,
    0 → 0); face joints come from the head joint at half score (`NTU25_TO_OPENPOSE18`).
    """
    width, height = COLOR_SIZE
    score = _TRACKING_SCORE[sample.tracking]  # (T, 25, M)
    joints = np.stack([sample.color[0] / width, sample.color[1] / height, score])  # (3, T, 25, M)
    mapped = map_to_openpose18(joints.transpose(3, 1, 2, 0), NTU25_TO_OPENPOSE18)  # (M, T, 18, 3)
    out = np.ascontiguousarray(mapped.transpose(3, 1, 2, 0))  # (3, T, 18, M)
    out[:2] *= out[2:3] > 0  # missing joints are exactly zero
    return out


def ntu_clip(sample: NtuSample, action_names: list[str] | None = None) -> SkeletonClip:
    """The sample as an 18-joint 2-D clip labelled with its action (index = action − 1)."""
    index = sample.name.action - 1
    label = action_names[index] if action_names and index < len(action_names) else f"A{sample.name.action:03d}"
    return SkeletonClip(data=ntu_to_openpose18(sample), label=label, label_index=index, fps=FPS,
                        meta={"source": "ntu-rgb+d", "name": str(sample.name)})


# One body as parsed: its joint block (25, 12) float64.
_Body = np.ndarray


def _parse(path, lines: list[str]) -> list[list[_Body]]:
    """Lines → per frame, the list of bodies. Strict: every count and width is checked."""
    cursor = 0

    def next_line(what: str) -> str:
        nonlocal cursor
        if cursor >= len(lines):
            raise BadFileError(path, f"is truncated: expected {what} at line {cursor + 1}")
        cursor += 1
        return lines[cursor - 1]

    def count(what: str, limit: int) -> int:
        line = next_line(what)
        token = line.strip()
        if not (token.isdigit() and len(token) <= 7 and int(token) <= limit):
            raise BadFileError(path, f"line {cursor}: expected {what} (0–{limit}), found {line.strip()[:40]!r}")
        return int(token)

    frames = []
    for t in range(count("the frame count", 100_000)):
        bodies = []
        for b in range(count(f"the body count of frame {t + 1}", 32)):
            where = f"frame {t + 1}, body {b + 1}"
            if len(next_line(f"the body line of {where}").split()) != 10:
                raise BadFileError(path, f"line {cursor}: the body line of {where} must have 10 values")
            joints = count(f"the joint count of {where}", 1000)
            if joints != NUM_JOINTS:
                raise BadFileError(path, f"line {cursor}: {where} has {joints} joints, expected {NUM_JOINTS}")
            start = cursor
            block = [next_line(f"joint {j + 1} of {where}").split() for j in range(NUM_JOINTS)]
            if any(len(row) != 12 for row in block):
                raise BadFileError(path, f"lines {start + 1}–{cursor}: every joint line of {where} "
                                         "must have 12 values")
            try:
                values = np.array(block, dtype=np.float64)  # (25, 12)
            except ValueError:
                raise BadFileError(path, f"lines {start + 1}–{cursor}: {where} has a joint value "
                                         "that is not a number") from None
            if not np.isfinite(values).all() or (np.abs(values[:, :7]) > 1e6).any():
                raise BadFileError(path, f"lines {start + 1}–{cursor}: {where} has a joint value "
                                         "that is NaN, infinite or out of range")
            if not np.isin(values[:, 11], (0, 1, 2)).all():
                raise BadFileError(path, f"lines {start + 1}–{cursor}: {where} has a trackingState "
                                         "other than 0, 1 or 2")
            bodies.append(values)
        frames.append(bodies)
    if any(line.strip() for line in lines[cursor:]):
        raise BadFileError(path, f"line {cursor + 1}: unexpected text after the last frame")
    return frames


def _to_sample(name: NtuName, frames: list[list[_Body]], max_bodies: int) -> NtuSample:
    slots = max(len(bodies) for bodies in frames)
    T = len(frames)
    full = np.zeros((slots, T, NUM_JOINTS, 12), dtype=np.float64)
    present = np.zeros((T, slots), dtype=bool)
    for t, bodies in enumerate(frames):
        for m, values in enumerate(bodies):
            full[m, t] = values
            present[t, m] = True
    energy = [full[m, present[:, m], :, :3].reshape(-1, 3).std(axis=0).sum() for m in range(slots)]
    order = np.argsort(-np.asarray(energy), kind="stable")[:max_bodies]
    kept = np.zeros((max_bodies, T, NUM_JOINTS, 12), dtype=np.float64)
    kept[:len(order)] = full[order]
    kept_present = np.zeros((T, max_bodies), dtype=bool)
    kept_present[:, :len(order)] = present[:, order]
    channels = kept.transpose(3, 1, 2, 0)  # (12, T, 25, M)
    return NtuSample(
        name=name,
        xyz=channels[0:3].astype(np.float32),
        color=channels[5:7].astype(np.float32),
        tracking=channels[11].astype(np.int8),
        present=kept_present,
    )
