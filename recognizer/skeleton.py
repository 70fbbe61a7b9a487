"""Joint layouts as data, and the mappings of other layouts into OpenPose/Kinetics-18.

A layout is joint names + bones + a centre joint; everything derived from it (adjacency,
the left/right swap used by mirroring) comes from the pure functions below, so a new
layout is one table, not new code.

"Left" and "right" are always the person's own (anatomical) sides. For a person facing an
ordinary, unflipped camera the person's right shoulder therefore appears on the *image
left*, as in OpenPose, Kinetics-skeleton and MediaPipe output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Layout:
    """A skeleton layout: joint names in index order, bones, and the joint used as centre."""

    name: str
    joints: tuple[str, ...]
    bones: tuple[tuple[int, int], ...]
    center: int  # index of the joint that best marks the body centre (origin for centring)

    @property
    def num_joints(self) -> int:
        return len(self.joints)

    def index(self, joint: str) -> int:
        return self.joints.index(joint)


def _bones(joints: tuple[str, ...], pairs: list[tuple[str, str]]) -> tuple[tuple[int, int], ...]:
    return tuple((joints.index(a), joints.index(b)) for a, b in pairs)


_OPENPOSE18_JOINTS = (
    "nose", "neck",
    "right_shoulder", "right_elbow", "right_wrist",
    "left_shoulder", "left_elbow", "left_wrist",
    "right_hip", "right_knee", "right_ankle",
    "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
)
OPENPOSE18 = Layout(
    name="openpose18",
    joints=_OPENPOSE18_JOINTS,
    bones=_bones(_OPENPOSE18_JOINTS, [
        ("neck", "nose"),
        ("neck", "right_shoulder"), ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
        ("neck", "left_shoulder"), ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
        ("neck", "right_hip"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
        ("neck", "left_hip"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
        ("nose", "right_eye"), ("right_eye", "right_ear"),
        ("nose", "left_eye"), ("left_eye", "left_ear"),
    ]),
    center=1,  # the neck: the one torso joint OpenPose-18 has
)

_MEDIAPIPE33_JOINTS = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer", "left_ear", "right_ear",
    "mouth_left", "mouth_right", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
MEDIAPIPE33 = Layout(
    name="mediapipe33",
    joints=_MEDIAPIPE33_JOINTS,
    bones=_bones(_MEDIAPIPE33_JOINTS, [
        ("nose", "left_eye_inner"), ("left_eye_inner", "left_eye"), ("left_eye", "left_eye_outer"),
        ("left_eye_outer", "left_ear"), ("nose", "right_eye_inner"), ("right_eye_inner", "right_eye"),
        ("right_eye", "right_eye_outer"), ("right_eye_outer", "right_ear"), ("mouth_left", "mouth_right"),
        ("left_shoulder", "right_shoulder"), ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
        ("left_wrist", "left_pinky"), ("left_wrist", "left_index"), ("left_wrist", "left_thumb"),
        ("left_pinky", "left_index"), ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
        ("right_wrist", "right_pinky"), ("right_wrist", "right_index"), ("right_wrist", "right_thumb"),
        ("right_pinky", "right_index"), ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
        ("left_hip", "right_hip"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
        ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"), ("left_ankle", "left_foot_index"),
        ("right_hip", "right_knee"), ("right_knee", "right_ankle"), ("right_ankle", "right_heel"),
        ("right_heel", "right_foot_index"), ("right_ankle", "right_foot_index"),
    ]),
    center=23,  # left hip; the true centre (mid-hips) is not a landmark
)

_NTU25_JOINTS = (
    "spine_base", "spine_mid", "neck", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
    "spine_shoulder", "left_hand_tip", "left_thumb", "right_hand_tip", "right_thumb",
)
NTU25 = Layout(
    name="ntu25",
    joints=_NTU25_JOINTS,
    bones=_bones(_NTU25_JOINTS, [
        ("spine_base", "spine_mid"), ("spine_mid", "spine_shoulder"), ("spine_shoulder", "neck"),
        ("neck", "head"),
        ("spine_shoulder", "left_shoulder"), ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
        ("left_wrist", "left_hand"), ("left_hand", "left_hand_tip"), ("left_wrist", "left_thumb"),
        ("spine_shoulder", "right_shoulder"), ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"), ("right_wrist", "right_hand"), ("right_hand", "right_hand_tip"),
        ("right_wrist", "right_thumb"),
        ("spine_base", "left_hip"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
        ("left_ankle", "left_foot"),
        ("spine_base", "right_hip"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
        ("right_ankle", "right_foot"),
    ]),
    center=1,  # middle of the spine, the centre the NTU papers use
)

# Kinect SDK v1 order, as used by MSR Action3D after reordering (see shared/data README).
_KINECT20_JOINTS = (
    "hip_center", "spine", "shoulder_center", "head",
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",
    "left_hip", "left_knee", "left_ankle", "left_foot",
    "right_hip", "right_knee", "right_ankle", "right_foot",
)
KINECT20 = Layout(
    name="kinect20",
    joints=_KINECT20_JOINTS,
    bones=_bones(_KINECT20_JOINTS, [
        ("hip_center", "spine"), ("spine", "shoulder_center"), ("shoulder_center", "head"),
        ("shoulder_center", "left_shoulder"), ("left_shoulder", "left_elbow"),
        ("left_elbow", "left_wrist"), ("left_wrist", "left_hand"),
        ("shoulder_center", "right_shoulder"), ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"), ("right_wrist", "right_hand"),
        ("hip_center", "left_hip"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
        ("left_ankle", "left_foot"),
        ("hip_center", "right_hip"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
        ("right_ankle", "right_foot"),
    ]),
    center=1,  # spine (mid torso)
)

LAYOUTS = {layout.name: layout for layout in (OPENPOSE18, MEDIAPIPE33, NTU25, KINECT20)}


@dataclass(frozen=True)
class JointMapping:
    """How to build each OpenPose-18 joint from joints of a source layout.

    `sources[i]` lists the source joints whose mean gives OpenPose-18 joint i (one joint for
    a direct match, two for a midpoint such as the neck). `score_scale[i]` multiplies the
    resulting score: joints that a layout lacks (eyes and ears of a Kinect skeleton) are
    approximated by the head and marked less certain.
    """

    source: Layout
    sources: tuple[tuple[int, ...], ...]
    score_scale: tuple[float, ...]


def _mapping(source: Layout, table: list[tuple[str, ...] | tuple[tuple[str, ...], float]]) -> JointMapping:
    sources, scales = [], []
    for entry in table:
        names, scale = entry if isinstance(entry[-1], float) else (entry, 1.0)
        sources.append(tuple(source.index(n) for n in names))
        scales.append(scale)
    assert len(sources) == OPENPOSE18.num_joints
    return JointMapping(source, tuple(sources), tuple(scales))


# MediaPipe → OpenPose-18: nose 0, neck = mid-shoulders, arms 12 14 16 / 11 13 15,
# legs 24 26 28 / 23 25 27, eyes 5 / 2, ears 8 / 7. MediaPipe's "left"/"right" are the
# person's sides, like OpenPose's, so no swap is needed.
MEDIAPIPE33_TO_OPENPOSE18 = _mapping(MEDIAPIPE33, [
    ("nose",), ("left_shoulder", "right_shoulder"),
    ("right_shoulder",), ("right_elbow",), ("right_wrist",),
    ("left_shoulder",), ("left_elbow",), ("left_wrist",),
    ("right_hip",), ("right_knee",), ("right_ankle",),
    ("left_hip",), ("left_knee",), ("left_ankle",),
    ("right_eye",), ("left_eye",), ("right_ear",), ("left_ear",),
])

# Depth-sensor layouts have no face joints: nose, eyes and ears all come from the head
# joint (the centre of the head), at half confidence so the model can tell them apart.
_HEAD_ONLY = 0.5
NTU25_TO_OPENPOSE18 = _mapping(NTU25, [
    (("head",), _HEAD_ONLY), ("spine_shoulder",),
    ("right_shoulder",), ("right_elbow",), ("right_wrist",),
    ("left_shoulder",), ("left_elbow",), ("left_wrist",),
    ("right_hip",), ("right_knee",), ("right_ankle",),
    ("left_hip",), ("left_knee",), ("left_ankle",),
    (("head",), _HEAD_ONLY), (("head",), _HEAD_ONLY), (("head",), _HEAD_ONLY), (("head",), _HEAD_ONLY),
])
KINECT20_TO_OPENPOSE18 = _mapping(KINECT20, [
    (("head",), _HEAD_ONLY), ("shoulder_center",),
    ("right_shoulder",), ("right_elbow",), ("right_wrist",),
    ("left_shoulder",), ("left_elbow",), ("left_wrist",),
    ("right_hip",), ("right_knee",), ("right_ankle",),
    ("left_hip",), ("left_knee",), ("left_ankle",),
    (("head",), _HEAD_ONLY), (("head",), _HEAD_ONLY), (("head",), _HEAD_ONLY), (("head",), _HEAD_ONLY),
])


def map_to_openpose18(joints: np.ndarray, mapping: JointMapping) -> np.ndarray:
    """Map `(..., V_src, C)` joints (last channel = score) to `(..., 18, C)`.

    Coordinates of a multi-joint source are averaged; the score is the *minimum* of the
    sources' scores (a midpoint is only as certain as its least certain end) times the
    mapping's score scale.
    """
    if joints.shape[-2] != mapping.source.num_joints:
        raise ValueError(
            f"expected {mapping.source.num_joints} {mapping.source.name} joints, got {joints.shape[-2]}")
    out = np.empty(joints.shape[:-2] + (OPENPOSE18.num_joints, joints.shape[-1]), dtype=np.float32)
    for target, (src, scale) in enumerate(zip(mapping.sources, mapping.score_scale)):
        picked = joints[..., list(src), :]  # (..., len(src), C)
        out[..., target, :-1] = picked[..., :-1].mean(axis=-2)
        out[..., target, -1] = picked[..., -1].min(axis=-1) * scale
    return out


def adjacency(layout: Layout, self_loops: bool = True) -> np.ndarray:
    """Symmetric `(V, V)` float32 adjacency matrix of the layout's bones."""
    a = np.zeros((layout.num_joints, layout.num_joints), dtype=np.float32)
    for i, j in layout.bones:
        a[i, j] = a[j, i] = 1.0
    if self_loops:
        np.fill_diagonal(a, 1.0)
    return a


def mirror_permutation(layout: Layout) -> np.ndarray:
    """Index array that swaps every left joint with its right twin (others stay put).

    Applied to the joint axis together with x → 1 − x, it turns a skeleton into its mirror
    image with correct anatomical names.
    """
    perm = np.arange(layout.num_joints)
    for i, name in enumerate(layout.joints):
        for a, b in (("left_", "right_"), ("right_", "left_")):
            if name.startswith(a):
                perm[i] = layout.index(b + name[len(a):])
    return perm
