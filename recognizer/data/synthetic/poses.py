"""Building blocks every action shares: the idle standing and seated poses, arm postures, helpers.

An action starts from `standing` or `seated` (which already breathe, sway and glance
around, because nobody holds perfectly still) and overrides the fields it moves.
Arm targets are written in *outward* coordinates, (out, up, forward) relative to the
shoulder, so one formula serves both arms; `outward` turns them into chest coordinates.
"""

from __future__ import annotations

import numpy as np

from recognizer.data.synthetic.body import SIDE_SIGN, Body, Pose, shoulders
from recognizer.data.synthetic.timing import Timeline, smoothstep, wander

DEG = np.pi / 180.0


def outward(v: np.ndarray) -> np.ndarray:
    """(…, 2, 3) (out, up, forward) per side → chest/pelvis-frame (x, y, z): x = ±out."""
    return v * np.array([[SIDE_SIGN[0], 1.0, 1.0], [SIDE_SIGN[1], 1.0, 1.0]])


def pair(right: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Two `(T, 3)` per-side arrays → `(T, 2, 3)`."""
    return np.stack([right, left], axis=1)


def vec(t: np.ndarray, x, y, z) -> np.ndarray:
    """`(T, 3)` from components that are scalars or `(T,)` arrays."""
    return np.stack(np.broadcast_arrays(x, y, z, t)[:3], axis=-1).astype(float)


def to_chest(body: Body, pose: Pose, world: np.ndarray) -> np.ndarray:
    """World wrist positions `(T, 2, 3)` → the shoulder-relative chest-frame targets a Pose stores."""
    shoulder, chest = shoulders(body, pose)
    return np.einsum("tji,tsj->tsi", chest, world - shoulder)


def world_down_in_chest(body: Body, pose: Pose) -> np.ndarray:
    """`(T, 3)` unit vector pointing at the floor, in chest coordinates (arms hanging freely)."""
    _, chest = shoulders(body, pose)
    return -chest[:, 1, :]  # row 1 of R is the world-up axis seen from the chest frame


def hanging_arms(body: Body, rng: np.random.Generator, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relaxed hanging arms with a little sway: hand targets and elbow poles `(T, 2, 3)`."""
    T = t.shape[0]
    out = rng.uniform(0.04, 0.12, 2) + 0.015 * wander(rng, t, rng.uniform(1.5, 4.0), (2,))
    fwd = rng.uniform(-0.02, 0.07, 2) + 0.02 * wander(rng, t, rng.uniform(1.5, 4.0), (2,))
    down = -body.arm * rng.uniform(0.96, 0.99, 2) * np.ones((T, 2))
    hands = outward(np.stack([out, down, fwd], axis=-1))
    elbows = outward(np.broadcast_to([0.3, 0.0, -1.0], (T, 2, 3)))
    return hands, elbows


def arm_posture(body: Body, rng: np.random.Generator, t: np.ndarray, style: str) -> tuple[np.ndarray, np.ndarray]:
    """Hand targets and elbow poles `(T, 2, 3)` of a resting arm posture.

    Styles: "hanging", "hips" (hands on hips), "crossed", "clasped" (in front),
    "behind" (hands behind the back), "pockets", "one_hip".
    """
    T = t.shape[0]
    hands, elbows = hanging_arms(body, rng, t)
    waist = -body.torso + rng.uniform(0.05, 0.15)
    sh = body.shoulder_half
    if style == "hips":
        hands = outward(np.broadcast_to([body.hip_half + 0.06 - sh, waist, 0.0], (T, 2, 3)))
        elbows = outward(np.broadcast_to([1.0, 0.0, -0.3], (T, 2, 3)))
    elif style == "one_hip":
        side = rng.integers(2)
        hands[:, side] = outward(np.broadcast_to([body.hip_half + 0.06 - sh, waist, 0.0], (T, 2, 3)))[:, side]
        elbows[:, side] = outward(np.broadcast_to([1.0, 0.0, -0.3], (T, 2, 3)))[:, side]
    elif style == "crossed":
        hands = outward(np.broadcast_to([-sh * rng.uniform(0.8, 1.1), -rng.uniform(0.2, 0.3), 0.2], (T, 2, 3)))
        elbows = outward(np.broadcast_to([0.5, -1.0, 0.3], (T, 2, 3)))
    elif style == "clasped":
        hands = outward(np.broadcast_to([0.04 - sh, waist - rng.uniform(0.0, 0.1), 0.18], (T, 2, 3)))
        elbows = outward(np.broadcast_to([0.4, -0.2, -1.0], (T, 2, 3)))
    elif style == "behind":
        hands = outward(np.broadcast_to([0.05 - sh, waist, -0.16], (T, 2, 3)))
        elbows = outward(np.broadcast_to([0.8, 0.0, -0.6], (T, 2, 3)))
    elif style == "pockets":
        hands = outward(np.broadcast_to([body.hip_half + 0.03 - sh, waist - 0.05, 0.04], (T, 2, 3)))
        elbows = outward(np.broadcast_to([0.7, 0.0, -0.7], (T, 2, 3)))
    return np.array(hands, dtype=float), np.array(elbows, dtype=float)


REST_STYLES = ("hanging", "hanging", "hanging", "hips", "one_hip", "crossed", "clasped", "behind", "pockets")


def standing(body: Body, tl: Timeline, rng: np.random.Generator, *, arms: str = "hanging",
             stance: float | None = None, calm: float = 1.0) -> Pose:
    """A person standing at ease over the clip: sway, breathing, weight shifts, glances.

    `stance` is the extra half-width of the feet beyond the hips (random when None);
    `calm` scales all idle motion (0 = a statue).
    """
    t = tl.t
    T = t.shape[0]
    stance = rng.uniform(-0.02, 0.12) if stance is None else stance
    sway = calm * wander(rng, t, rng.uniform(1.5, 4.0), (3,)) * np.array([0.015, 0.004, 0.012])
    shift = calm * rng.uniform(0.0, 0.03) * wander(rng, t, rng.uniform(3.0, 8.0))  # weight shift, sideways
    breathe = calm * 0.004 * np.sin(2 * np.pi * rng.uniform(0.2, 0.35) * t + rng.uniform(0, 2 * np.pi))
    pelvis = np.zeros((T, 3))
    pelvis[:, 0] = sway[:, 0] + shift
    pelvis[:, 1] = body.hip_height - rng.uniform(0.0, 0.02) + sway[:, 1] + breathe
    pelvis[:, 2] = sway[:, 2]
    pelvis_rot = calm * wander(rng, t, rng.uniform(2.0, 5.0), (3,)) * np.array([4.0, 2.0, 2.0]) * DEG
    spine = calm * wander(rng, t, rng.uniform(2.0, 5.0), (3,)) * np.array([3.0, 2.0, 3.0]) * DEG
    spine[:, 0] += rng.uniform(-3.0, 6.0) * DEG
    head = np.stack([rng.uniform(-5.0, 12.0) + 6.0 * calm * wander(rng, t, rng.uniform(1.5, 4.0)),
                     12.0 * calm * wander(rng, t, rng.uniform(1.5, 5.0))], axis=-1) * DEG
    hands, elbows = arm_posture(body, rng, t, arms)
    half = body.hip_half + stance
    feet = np.zeros((T, 2, 3))
    feet[:, :, 0] = SIDE_SIGN * half
    feet[:, :, 1] = body.ankle_height
    feet[:, :, 2] = rng.uniform(-0.06, 0.06, 2)
    knees = outward(np.broadcast_to([rng.uniform(0.0, 0.25), 0.0, 1.0], (T, 2, 3)))
    return Pose(pelvis=pelvis, pelvis_rot=pelvis_rot, spine=spine, head=head, hands=hands,
                elbows=elbows, feet=feet, knees=knees)


def carriage(body: Body, tl: Timeline, rng: np.random.Generator, pose: Pose) -> Pose:
    """The whole body going along with an arm action done standing: knees that give a little,
    a lean or a step while acting.

    Why: in MSR Action3D the hips move by 0.10–0.14 torso lengths (median per clip, 0.2 at
    the 80th percentile) while people punch or wave both hands, as much as while they jog
    in place; standing arm actions of ours moved them by 0.03, so to a model trained on
    them any whole-body motion meant jogging. The motion follows the action's envelope
    only, never its repetitions: a bob with every repetition stays jogging's own cue (a
    bounce per clap made MSR's claps read as jogging).
    """
    active = tl.active
    pose.pelvis[:, 1] -= rng.uniform(0.0, 0.1) * body.leg * active  # knees bending while acting
    pose.pelvis_rot[:, 1] += rng.uniform(-4.0, 12.0) * DEG * active  # lean into it (+ forward)
    if rng.random() < 0.3:  # a step towards the camera or back, both feet along
        step = rng.uniform(-0.1, 0.25) * active  # (T,)
        pose.pelvis[:, 2] += step
        pose.feet[:, :, 2] += step[:, None]
    return pose


def seated(body: Body, tl: Timeline, rng: np.random.Generator, *, calm: float = 1.0) -> Pose:
    """A person sitting on a chair, feet on the floor, hands resting on the thighs or lap."""
    t = tl.t
    T = t.shape[0]
    pose = standing(body, tl, rng, calm=0.5 * calm)
    seat = rng.uniform(0.4, 0.5) + 0.07  # hip joints sit ~7 cm above the seat
    pose.pelvis[:, 1] = seat + 0.004 * calm * wander(rng, t, 3.0)
    pose.pelvis[:, 2] = 0.0
    pose.pelvis_rot[:, 1] += rng.uniform(-15.0, 12.0) * DEG  # slumped back … leaning in
    pose.spine[:, 0] += rng.uniform(-5.0, 12.0) * DEG
    knee_reach = body.thigh * rng.uniform(0.9, 1.05)  # shins about vertical
    spread = rng.uniform(0.0, 0.14)
    feet = np.zeros((T, 2, 3))
    feet[:, :, 0] = SIDE_SIGN * (body.hip_half + spread)
    feet[:, :, 1] = body.ankle_height
    feet[:, :, 2] = knee_reach + rng.uniform(-0.12, 0.12, 2)
    pose.feet = feet
    pose.knees = outward(np.broadcast_to([0.15, 0.6, 1.0], (T, 2, 3)))
    lap = np.zeros((T, 2, 3))
    lap[:, :, 0] = SIDE_SIGN * (body.hip_half + rng.uniform(-0.02, 0.05))
    lap[:, :, 1] = seat + rng.uniform(0.04, 0.1)
    lap[:, :, 2] = body.thigh * rng.uniform(0.4, 0.75)
    pose.hands = to_chest(body, pose, lap)
    pose.elbows = outward(np.broadcast_to([0.4, 0.0, -1.0], (T, 2, 3)))
    return pose


def desk_hands(body: Body, pose: Pose, rng: np.random.Generator) -> np.ndarray:
    """Wrist targets `(T, 2, 3)` resting on a desk in front of a seated person."""
    T = pose.frames
    desk = np.zeros((T, 2, 3))
    desk[:, :, 0] = SIDE_SIGN * rng.uniform(0.1, 0.25)
    desk[:, :, 1] = rng.uniform(0.7, 0.78)
    desk[:, :, 2] = rng.uniform(0.3, 0.48)
    return to_chest(body, pose, desk)


def bump(u: np.ndarray, rise: float, top: float, fall: float, end: float) -> np.ndarray:
    """0 → 1 over [rise, top], 1 until `fall`, back to 0 at `end`; `u` is the phase within a repetition."""
    return smoothstep((u - rise) / (top - rise)) * (1.0 - smoothstep((u - fall) / (end - fall)))


def mix(a: np.ndarray, b: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """`a + w·(b − a)`: `weight (T,)`, `a` and `b` `(T, …)` arrays (or one of them constant)."""
    w = weight.reshape((-1,) + (1,) * (max(np.ndim(a), np.ndim(b)) - 1))
    return a + w * (b - a)


def on_side(v: np.ndarray, side: int) -> np.ndarray:
    """(…, 3) (out, up, forward) of one side → chest-frame (x, y, z)."""
    return v * np.array([SIDE_SIGN[side], 1.0, 1.0])


def chest_direction(body: Body, pose: Pose, world: np.ndarray) -> np.ndarray:
    """A world direction `(3,)` or `(T, 3)` expressed in chest coordinates `(T, 3)` (elbow poles on the floor)."""
    _, chest = shoulders(body, pose)
    return np.einsum("tji,tj->ti", chest, np.broadcast_to(world, (pose.frames, 3)))
