"""An articulated 3-D body: randomized proportions, a pose over time, and its 18 joints.

Actions describe *what the limbs aim for* (a wrist target next to the shoulder, an ankle
target on the floor) rather than joint angles; two-bone inverse kinematics then places
elbows and knees. That keeps every action short to write and every bone exactly as long
in every frame, whatever the action asks for.

World frame: metres, Y up, the person starts facing +Z and +X is the person's *left*
(right-handed, the frame HDM05's ASF files use). Sides are indexed 0 = right, 1 = left,
the order OpenPose lists them in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recognizer.skeleton import OPENPOSE18

SIDE_SIGN = np.array([-1.0, 1.0])  # x of the person's right (0) and left (1) side


@dataclass(frozen=True)
class Body:
    """Segment lengths of one generated person, in metres.

    `torso` runs from the mid-hip point to OpenPose's neck (the midpoint of the shoulders).
    Where a detector puts the hips differs a lot: MediaPipe and mocap put them near the
    hip joints, the Kinect of MSR Action3D 15–20 cm higher (shorter torso, longer
    thighs, hips as wide as the shoulders). `sample_body` covers both; see
    docs/generator.md for the measured ratios.
    """

    torso: float
    shoulder_half: float  # half the distance between the shoulder joints
    hip_half: float  # half the distance between the hip joints
    upper_arm: float
    forearm: float
    thigh: float
    shin: float
    ankle_height: float  # ankle joint above a flat floor
    head: float  # scale of the face offsets (1 = average adult)

    @property
    def arm(self) -> float:
        return self.upper_arm + self.forearm

    @property
    def leg(self) -> float:
        return self.thigh + self.shin

    @property
    def hip_height(self) -> float:
        """Mid-hip height when standing relaxed (knees a little bent, as mocap shows)."""
        return self.ankle_height + 0.985 * self.leg


def sample_body(rng: np.random.Generator, kinect: float) -> Body:
    """A random adult whose hips a detector reports where MediaPipe (`kinect` = 0) or a Kinect (1) would."""
    s = rng.normal(1.0, 0.06)  # stature relative to a 1.70 m adult
    upper_arm = 0.28 * s * rng.uniform(0.9, 1.07)
    hip_shift = 0.19 * s * kinect  # how far above the hip joints the detector puts the hips
    shoulder_half = 0.5 * s * rng.uniform(0.29, 0.42)
    return Body(
        torso=0.54 * s * rng.uniform(0.94, 1.06) - hip_shift,
        shoulder_half=shoulder_half,
        hip_half=shoulder_half * (rng.uniform(0.45, 0.8) + kinect * rng.uniform(0.3, 0.55)),
        upper_arm=upper_arm,
        forearm=upper_arm * (rng.uniform(0.85, 1.05) + 0.08 * kinect),  # a Kinect's wrist sits further out
        thigh=0.39 * s * rng.uniform(0.95, 1.05) + hip_shift,
        shin=0.40 * s * rng.uniform(0.95, 1.07),
        ankle_height=0.08 * s,
        head=s * rng.uniform(0.92, 1.08),
    )


@dataclass
class Pose:
    """A body pose over T frames; every field has T in front.

    Arms are given relative to each shoulder in the chest frame (so they follow the
    torso when it bends), legs as ankle positions in the world (so planted feet stay
    put while the hips move). `elbows`/`knees` are the directions those joints point to.
    """

    pelvis: np.ndarray  # (T, 3) mid-hip point, world
    pelvis_rot: np.ndarray  # (T, 3) yaw (turn left +), pitch (lean forward +), roll (lean right +)
    spine: np.ndarray  # (T, 3) bend forward +, bend right +, twist left +; chest relative to pelvis
    head: np.ndarray  # (T, 2) nod down +, turn left +; head relative to chest
    hands: np.ndarray  # (T, 2, 3) wrist target minus shoulder, chest frame
    elbows: np.ndarray  # (T, 2, 3) elbow pole direction, chest frame
    feet: np.ndarray  # (T, 2, 3) ankle target, world
    knees: np.ndarray  # (T, 2, 3) knee pole direction, pelvis frame

    @property
    def frames(self) -> int:
        return self.pelvis.shape[0]


def blend(a: Pose, b: Pose, weight: np.ndarray) -> Pose:
    """Per-frame linear mix `a + w·(b − a)`, `weight (T,)` in [0, 1] (transitions, idle ↔ action)."""
    fields = {}
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        w = weight.reshape((-1,) + (1,) * (x.ndim - 1))
        fields[name] = x + w * (y - x)
    return Pose(**fields)


def rotation(axis: int, angle: np.ndarray) -> np.ndarray:
    """`(T,)` angles in radians → `(T, 3, 3)` rotations about a coordinate axis (0 x, 1 y, 2 z)."""
    c, s = np.cos(angle), np.sin(angle)
    out = np.zeros(angle.shape + (3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    out[..., axis, axis] = 1.0
    out[..., i, i] = c
    out[..., j, j] = c
    out[..., i, j] = -s
    out[..., j, i] = s
    return out


def pelvis_frame(angles: np.ndarray) -> np.ndarray:
    """`(T, 3)` yaw, pitch, roll → `(T, 3, 3)` pelvis orientation (columns: left, up, forward)."""
    return rotation(1, angles[:, 0]) @ rotation(0, angles[:, 1]) @ rotation(2, angles[:, 2])


def chest_frame(pelvis_rot: np.ndarray, spine: np.ndarray) -> np.ndarray:
    """Chest orientation `(T, 3, 3)` from the pelvis frame and `(T, 3)` spine angles."""
    return pelvis_rot @ rotation(0, spine[:, 0]) @ rotation(2, spine[:, 1]) @ rotation(1, spine[:, 2])


def shoulders(body: Body, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """World shoulder positions `(T, 2, 3)` and the chest frame `(T, 3, 3)` of a pose.

    Actions that must put a hand somewhere in the world (on the floor for a push-up) use
    this to turn that place into the shoulder-relative target a Pose stores.
    """
    chest = chest_frame(pelvis_frame(pose.pelvis_rot), pose.spine)
    neck = pose.pelvis + chest[:, :, 1] * body.torso  # (T, 3)
    lateral = chest[:, None, :, 0] * (SIDE_SIGN[:, None] * body.shoulder_half)  # (T, 2, 3)
    return neck[:, None, :] + lateral, chest


def two_bone_ik(
    root: np.ndarray, target: np.ndarray, pole: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Middle and end joints `(..., 3)` of a two-bone limb reaching from `root` for `target`.

    `a`, `b` are the bone lengths (broadcast against `root[..., 0]`). The middle joint bends
    towards `pole`; an unreachable target is approached along the straight limb.
    """
    reach = target - root
    dist = np.linalg.norm(reach, axis=-1, keepdims=True)
    along = reach / np.maximum(dist, 1e-6)
    a, b = a[..., None], b[..., None]
    dist = np.clip(dist, np.abs(a - b) + 1e-4, (a + b) * 0.9999)
    cos_root = (a * a + dist * dist - b * b) / (2.0 * a * dist)
    sin_root = np.sqrt(np.clip(1.0 - cos_root * cos_root, 0.0, 1.0))
    bend = pole - np.sum(pole * along, axis=-1, keepdims=True) * along
    bend_len = np.linalg.norm(bend, axis=-1, keepdims=True)
    # A pole along the limb gives no bending plane: fall back to any perpendicular.
    fallback = np.cross(along, np.array([0.3, 0.2, 0.9]))
    bend = np.where(bend_len > 1e-4, bend, fallback)
    bend = bend / np.maximum(np.linalg.norm(bend, axis=-1, keepdims=True), 1e-9)
    middle = root + a * (cos_root * along + sin_root * bend)
    end = root + dist * along
    return middle, end


# Face points relative to the head pivot (top of the neck), head frame, metres at head = 1.
# Heights match MediaPipe and OpenPose output (nose ≈ 0.20 m, eyes ≈ 0.23 m, ears ≈ 0.21 m
# above the shoulder line; see docs/generator.md).
_HEAD_PIVOT = np.array([0.0, 0.09, -0.01])
FACE_FROM_HEAD_PIVOT = np.array([
    [0.0, 0.11, 0.11],  # nose
    [-0.033, 0.14, 0.09],  # right eye
    [0.033, 0.14, 0.09],  # left eye
    [-0.075, 0.12, 0.0],  # right ear
    [0.075, 0.12, 0.0],  # left ear
])
_FACE_JOINTS = [OPENPOSE18.index(n) for n in ("nose", "right_eye", "left_eye", "right_ear", "left_ear")]
_ARM_JOINTS = [[OPENPOSE18.index(f"{s}_{j}") for j in ("shoulder", "elbow", "wrist")] for s in ("right", "left")]
_LEG_JOINTS = [[OPENPOSE18.index(f"{s}_{j}") for j in ("hip", "knee", "ankle")] for s in ("right", "left")]


def joints(body: Body, pose: Pose) -> np.ndarray:
    """World positions `(T, 18, 3)` of the OpenPose-18 joints of `body` in `pose`."""
    T = pose.frames
    pelvis = pelvis_frame(pose.pelvis_rot)
    shoulder, chest = shoulders(body, pose)  # (T, 2, 3), (T, 3, 3)
    neck = shoulder.mean(axis=1)  # (T, 3)
    head = chest @ rotation(0, pose.head[:, 0]) @ rotation(1, pose.head[:, 1])
    hip = pose.pelvis[:, None, :] + pelvis[:, None, :, 0] * (SIDE_SIGN[:, None] * body.hip_half)  # (T, 2, 3)

    roots = np.concatenate([shoulder, hip], axis=1)  # (T, 4, 3): right arm, left arm, right leg, left leg
    targets = np.concatenate([shoulder + np.einsum("tij,tsj->tsi", chest, pose.hands), pose.feet], axis=1)
    poles = np.concatenate([
        np.einsum("tij,tsj->tsi", chest, pose.elbows),
        np.einsum("tij,tsj->tsi", pelvis, pose.knees),
    ], axis=1)  # (T, 4, 3)
    first = np.array([body.upper_arm] * 2 + [body.thigh] * 2)
    second = np.array([body.forearm] * 2 + [body.shin] * 2)
    middle, end = two_bone_ik(roots, targets, poles, np.broadcast_to(first, (T, 4)),
                              np.broadcast_to(second, (T, 4)))

    out = np.empty((T, OPENPOSE18.num_joints, 3))
    out[:, 1] = neck
    for limb, (a, b, c) in enumerate(_ARM_JOINTS + _LEG_JOINTS):
        out[:, a] = roots[:, limb]
        out[:, b] = middle[:, limb]
        out[:, c] = end[:, limb]
    pivot = neck + chest @ (_HEAD_PIVOT * body.head)  # (T, 3)
    out[:, _FACE_JOINTS] = pivot[:, None, :] + np.einsum("tij,fj->tfi", head, FACE_FROM_HEAD_PIVOT * body.head)
    return out
