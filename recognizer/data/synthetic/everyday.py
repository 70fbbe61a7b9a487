"""Everyday motions that are *not* starter actions, all labelled "other".

People in front of a laptop sit, type, drink, stretch, reach, lift things, twist in
their chair and walk past. A model that has only seen the fifteen actions maps all of
that onto the nearest action; these motions teach it what to answer "unknown" to. Some
are deliberately close to an action (arm curls and rowing vs punching, reaching up vs
waving, sitting down vs squat) so that the boundary is learned, not guessed.

Each function is `(body, timeline, rng) → Pose` like the actions; most are one-off
gestures rather than repetitions, so they lay their own events out with `events`.
"""

from __future__ import annotations

import numpy as np

from recognizer.data.synthetic.body import SIDE_SIGN, Body, Pose, blend
from recognizer.data.synthetic.poses import (
    DEG, arm_posture, bump, desk_hands, mix, on_side, outward, seated, standing, to_chest,
    world_down_in_chest,
)
from recognizer.data.synthetic.timing import Timeline, smoothstep, wander


def events(rng: np.random.Generator, t: np.ndarray, count: int, move: tuple[float, float],
           hold: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """`count` gestures at random times: envelope `(T,)` in [0, 1] and the index `(T,)` of the latest one.

    Each gesture eases in over `move` seconds, holds for `hold` seconds and eases out;
    gestures never overlap and may run past the clip's end.
    """
    duration = t[-1] + t[1] if t.shape[0] > 1 else 1.0
    env = np.zeros_like(t)
    which = np.zeros(t.shape, dtype=int)
    start = rng.uniform(-0.3, 0.25) * duration / count
    for i in range(count):
        ramp, stay = rng.uniform(*move), rng.uniform(*hold)
        up = smoothstep((t - start) / ramp) * (1.0 - smoothstep((t - start - ramp - stay) / ramp))
        env = np.maximum(env, up)
        which[t >= start] = i
        start += 2 * ramp + stay + rng.uniform(0.1, 1.0) * duration / count
    return env, which


def _standing_or_seated(body: Body, tl: Timeline, rng: np.random.Generator, seated_share: float = 0.5) -> Pose:
    if rng.random() < seated_share:
        pose = seated(body, tl, rng)
        if rng.random() < 0.5:
            pose.hands = desk_hands(body, pose, rng)
        return pose
    return standing(body, tl, rng, arms=str(rng.choice(["hanging", "hanging", "pockets", "one_hip"])))


def sitting_still(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = seated(body, tl, rng, calm=rng.uniform(0.3, 1.0))
    style = rng.choice(["lap", "desk", "crossed"])
    if style == "desk":
        pose.hands = desk_hands(body, pose, rng)
    elif style == "crossed":
        pose.hands, pose.elbows = arm_posture(body, rng, tl.t, "crossed")
    return pose


def typing(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = seated(body, tl, rng, calm=0.7)
    pose.hands = desk_hands(body, pose, rng)
    pose.hands += 0.012 * wander(rng, tl.t, rng.uniform(0.1, 0.3), (2, 3)) * np.array([1.0, 0.5, 1.0])
    mouse, which = events(rng, tl.t, int(rng.integers(1, 4)), (0.2, 0.5), (0.5, 2.5))
    side = int(rng.integers(2))
    to_mouse = np.array([rng.uniform(0.08, 0.2), 0.0, rng.uniform(-0.05, 0.05)])
    pose.hands[:, side] += on_side(to_mouse, side) * mouse[:, None]
    pose.head[:, 0] += rng.uniform(0.0, 20.0) * DEG
    return pose


def chair_twist(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = seated(body, tl, rng)
    swivel = rng.uniform(15, 45) * DEG * np.sin(2 * np.pi * tl.phase) * tl.active
    chair = rng.random() < 0.6  # a swivel chair turns the legs too; otherwise only the trunk twists
    if chair:
        pose.pelvis_rot[:, 0] += swivel
        c, s = np.cos(swivel)[:, None], np.sin(swivel)[:, None]
        x, z = pose.feet[..., 0].copy(), pose.feet[..., 2].copy()
        pose.feet[..., 0], pose.feet[..., 2] = c * x + s * z, -s * x + c * z
    else:
        pose.spine[:, 2] += swivel
    return pose


def seated_stretch(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = seated(body, tl, rng) if rng.random() < 0.7 else standing(body, tl, rng)
    T = tl.frames
    env, _ = events(rng, tl.t, int(rng.integers(1, 3)), (0.6, 1.5), (1.0, 4.0))
    style = rng.choice(["overhead", "behind_head", "forward"])
    sh = body.shoulder_half
    if style == "overhead":  # hands interlaced above the head, leaning to one side
        target = [0.03 - sh, body.arm * rng.uniform(0.75, 0.9), rng.uniform(-0.05, 0.1)]
        pose.spine[:, 1] += rng.choice([-1, 1]) * rng.uniform(5, 25) * DEG * env * (0.5 + 0.5 * wander(rng, tl.t, 2.0))
        pole = [1.0, 0.2, 0.0]
    elif style == "behind_head":  # hands behind the head, leaning back
        target = [0.08 - sh, rng.uniform(0.15, 0.25), -0.03]
        pose.spine[:, 0] -= rng.uniform(5, 20) * DEG * env
        pole = [1.0, 0.3, 0.0]
    else:  # arms pushed forward, hands interlaced
        target = [0.03 - sh, rng.uniform(-0.1, 0.15), body.arm * 0.93]
        pose.spine[:, 0] += rng.uniform(5, 20) * DEG * env
        pole = [1.0, -0.5, 0.0]
    pose.hands = mix(pose.hands, outward(np.broadcast_to(target, (T, 2, 3))), env)
    pose.elbows = mix(pose.elbows, outward(np.broadcast_to(pole, (T, 2, 3))), env)
    return pose


def reaching(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = _standing_or_seated(body, tl, rng)
    count = int(rng.integers(1, 4))
    env, which = events(rng, tl.t, count, (0.4, 1.0), (0.2, 1.5))
    side_of = rng.integers(2, size=count)
    for i in range(count):
        azimuth, elevation = rng.uniform(-30, 80) * DEG, rng.uniform(-60, 75) * DEG
        reach = body.arm * rng.uniform(0.75, 0.97)
        target = reach * np.array([np.sin(azimuth) * np.cos(elevation), np.sin(elevation),
                                   np.cos(azimuth) * np.cos(elevation)])
        w = env * (which == i)
        side = int(side_of[i])
        pose.hands[:, side] = mix(pose.hands[:, side], on_side(target, side), w)
        pose.elbows[:, side] = mix(pose.elbows[:, side], on_side(np.array([0.7, -1.0, 0.0]), side), w)
        pose.spine[:, 0] += rng.uniform(0, 25) * DEG * w * max(np.cos(elevation), 0)  # lean into far reaches
        pose.spine[:, 2] += SIDE_SIGN[1 - side] * rng.uniform(0, 15) * DEG * w
    return pose


def _hand_to_head(body: Body, tl: Timeline, rng: np.random.Generator, target: list[float], pole: list[float],
                  hold: tuple[float, float]) -> tuple[Pose, np.ndarray]:
    """One hand brought up to the face (and held) once or twice: the pose and the gesture envelope."""
    pose = _standing_or_seated(body, tl, rng)
    env, _ = events(rng, tl.t, int(rng.integers(1, 3)), (0.4, 0.9), hold)
    side = int(rng.integers(2))
    pose.hands[:, side] = mix(pose.hands[:, side], on_side(np.array(target), side), env)
    pose.elbows[:, side] = mix(pose.elbows[:, side], on_side(np.array(pole), side), env)
    return pose, env


def drinking(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    mouth = [0.04 - body.shoulder_half, rng.uniform(0.13, 0.2), rng.uniform(0.1, 0.16)]
    pose, env = _hand_to_head(body, tl, rng, mouth, [1.0, -1.0, 0.2], (0.8, 3.0))
    pose.head[:, 0] -= rng.uniform(5, 25) * DEG * env  # tip the head back to drink
    return pose


def phone_call(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    ear = [0.09 - body.shoulder_half, rng.uniform(0.17, 0.22), rng.uniform(-0.01, 0.05)]
    return _hand_to_head(body, tl, rng, ear, [1.0, -1.0, 0.0], (2.0, 8.0))[0]


def touching_face(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    spot = [rng.uniform(0.0, 0.1) - body.shoulder_half, rng.uniform(0.1, 0.32), rng.uniform(0.0, 0.15)]
    return _hand_to_head(body, tl, rng, spot, [1.0, -1.0, 0.0], (0.3, 2.0))[0]


def arm_curls(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = _standing_or_seated(body, tl, rng, seated_share=0.3)
    T = tl.frames
    pattern = rng.choice(["both", "alternate", "one"])
    first = int(rng.integers(2))
    u = tl.phase % 1.0
    top = rng.uniform(110, 150) * DEG
    elbow = np.array([rng.uniform(0.03, 0.08), -body.upper_arm * 0.98, rng.uniform(0.0, 0.08)])
    for side in (0, 1):
        if pattern == "one" and side != first:
            continue
        shift = 0.5 * (side != first) if pattern == "alternate" else 0.0
        alpha = (rng.uniform(5, 20) * DEG + top * (0.5 - 0.5 * np.cos(2 * np.pi * ((u + shift) % 1.0)))) * tl.active
        wrist = elbow + body.forearm * np.stack([np.zeros(T), -np.cos(alpha), np.sin(alpha)], axis=-1)
        pose.hands[:, side] = mix(pose.hands[:, side], on_side(wrist, side), tl.active)
        pose.elbows[:, side] = mix(pose.elbows[:, side], on_side(np.array([0.1, 0.0, -1.0]), side), tl.active)
    return pose


def rowing(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    T = tl.frames
    bent = rng.random() < 0.4  # bent-over row with a weight, else a seated / standing cable row
    pose = standing(body, tl, rng, stance=0.1) if bent or rng.random() < 0.4 else seated(body, tl, rng)
    pull = (0.5 - 0.5 * np.cos(2 * np.pi * tl.phase)) * tl.active
    if bent:
        pose.pelvis_rot[:, 1] += rng.uniform(30, 60) * DEG * tl.active
        pose.pelvis[:, 1] -= rng.uniform(0.03, 0.12) * tl.active
        pose.pelvis[:, 2] -= 0.08 * tl.active
        hang = world_down_in_chest(body, pose)[:, None, :] * 0.95 * body.arm
        extended = hang + outward(np.broadcast_to([-0.05, 0.0, 0.0], (T, 2, 3)))
    else:
        extended = outward(np.broadcast_to([-0.08, rng.uniform(-0.25, -0.05), body.arm * 0.92], (T, 2, 3)))
    pulled = outward(np.broadcast_to([0.05, -rng.uniform(0.2, 0.3), rng.uniform(-0.05, 0.08)], (T, 2, 3)))
    target = extended + pull[:, None, None] * (pulled - extended)
    pose.hands = mix(pose.hands, target, tl.active)
    pose.elbows = mix(pose.elbows, outward(np.broadcast_to([0.3, 0.0, -1.0], (T, 2, 3))), tl.active)
    if not bent:
        pose.spine[:, 0] += rng.uniform(0, 15) * DEG * (1 - pull) * tl.active
    return pose


def lifting(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    """Picking something up from the floor or a table and holding it."""
    pose = standing(body, tl, rng, stance=rng.uniform(0.0, 0.12))
    T = tl.frames
    env, _ = events(rng, tl.t, 1, (0.6, 1.2), (0.0, 0.5))
    after = np.maximum.accumulate(env) * (1 - env)  # holding the thing once back up
    if rng.random() < 0.6:  # from the floor: bend the knees and the back
        pose.pelvis[:, 1] -= rng.uniform(0.15, 0.35) * body.leg * env
        pose.pelvis[:, 2] -= 0.1 * env
        pose.pelvis_rot[:, 1] += rng.uniform(25, 60) * DEG * env
        low = np.zeros((T, 2, 3))
        low[:, :, 0] = SIDE_SIGN * rng.uniform(0.1, 0.2)
        low[:, :, 1] = rng.uniform(0.05, 0.3)
        low[:, :, 2] = rng.uniform(0.2, 0.4)
    else:  # from a table in front
        pose.spine[:, 0] += rng.uniform(10, 30) * DEG * env
        low = np.zeros((T, 2, 3))
        low[:, :, 0] = SIDE_SIGN * rng.uniform(0.12, 0.22)
        low[:, :, 1] = rng.uniform(0.7, 0.85)
        low[:, :, 2] = rng.uniform(0.4, 0.6)
    held = [0.1 - body.shoulder_half + rng.uniform(0, 0.1), -rng.uniform(0.2, 0.4), 0.25]  # in front of the belly
    carry = outward(np.broadcast_to(held, (T, 2, 3)))
    pose.hands = mix(mix(pose.hands, to_chest(body, pose, low), env), carry, after)
    pose.elbows = mix(pose.elbows, outward(np.broadcast_to([0.6, -1.0, -0.2], (T, 2, 3))), np.maximum(env, after))
    return pose


def walking(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    """Walking in a straight line towards +Z (the camera decides where that goes in the picture)."""
    pose = standing(body, tl, rng, stance=0.0, calm=0.3)
    T = tl.frames
    stride = rng.uniform(1.0, 1.6) * (body.leg / 0.8)  # metres per gait cycle
    progress = stride * (tl.phase - tl.phase[0])
    lift = rng.uniform(0.05, 0.12)
    swing_angle = rng.uniform(10, 30) * DEG
    pose.pelvis[:, 2] = progress
    pose.pelvis[:, 1] += (0.015 * np.cos(4 * np.pi * tl.phase) - 0.02) * tl.active
    pose.pelvis_rot[:, 0] += 5 * DEG * np.sin(2 * np.pi * tl.phase) * tl.active
    for side in (0, 1):
        u = (tl.phase + 0.5 * side) % 1.0
        stance = u < 0.6
        rel = np.where(stance, 0.3 - u, -0.3 + 0.6 * smoothstep((u - 0.6) / 0.4)) * stride
        up = np.where(stance, 0.0, np.sin(np.pi * (u - 0.6) / 0.4)) * lift
        pose.feet[:, side, 2] = progress + rel * tl.active
        pose.feet[:, side, 1] = body.ankle_height + up * tl.active
        beta = swing_angle * np.sin(2 * np.pi * (tl.phase + 0.5 * (1 - side)) + np.pi / 2) * tl.active
        arm = np.stack([np.full(T, 0.08), -np.cos(beta), np.sin(beta)], axis=-1) * 0.96 * body.arm
        pose.hands[:, side] = on_side(arm, side)
    return pose


def sitting_down(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    """Sitting down on a chair (or standing up from it): half a squat that does not come back."""
    up = standing(body, tl, rng)
    down = seated(body, tl, rng)
    behind = body.thigh * 0.9  # the chair is behind the feet
    down.pelvis[:, 2] -= behind
    down.feet[..., 2] -= behind
    down.hands = up.hands
    w = smoothstep((tl.t - rng.uniform(0.1, 0.6) * tl.t[-1]) / rng.uniform(0.8, 1.6))
    if rng.random() < 0.5:
        w = 1.0 - w
    pose = blend(up, down, w)
    pose.pelvis_rot[:, 1] += rng.uniform(15, 35) * DEG * bump(w, 0.0, 0.5, 0.5, 1.0)  # lean forward on the way
    return pose


def turning_around(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng, stance=0.0)
    angle = rng.choice([-1, 1]) * rng.uniform(90, 200) * DEG
    start, duration = rng.uniform(0, 0.4) * tl.t[-1], rng.uniform(1.0, 2.5)
    turn = angle * smoothstep((tl.t - start) / duration)
    pose.pelvis_rot[:, 0] += turn
    c, s = np.cos(turn)[:, None], np.sin(turn)[:, None]
    x, z = pose.feet[..., 0].copy(), pose.feet[..., 2].copy()
    pose.feet[..., 0], pose.feet[..., 2] = c * x + s * z, -s * x + c * z
    return pose


# Each everyday motion: (function, share of the "other" clips, repetitions per second for
# the rhythmic ones). A person-less clip is one more kind of "other", see motion.py.
EVERYDAY = {
    "sitting_still": (sitting_still, 0.09, (0.5, 1.0)),
    "typing": (typing, 0.09, (0.5, 1.0)),
    "chair_twist": (chair_twist, 0.06, (0.2, 0.6)),
    "seated_stretch": (seated_stretch, 0.07, (0.5, 1.0)),
    "reaching": (reaching, 0.08, (0.5, 1.0)),
    "drinking": (drinking, 0.08, (0.5, 1.0)),
    "phone_call": (phone_call, 0.05, (0.5, 1.0)),
    "touching_face": (touching_face, 0.05, (0.5, 1.0)),
    "arm_curls": (arm_curls, 0.08, (0.3, 0.8)),
    "rowing": (rowing, 0.07, (0.3, 0.8)),
    "lifting": (lifting, 0.07, (0.5, 1.0)),
    "walking": (walking, 0.09, (0.8, 1.05)),
    "sitting_down": (sitting_down, 0.05, (0.5, 1.0)),
    "turning_around": (turning_around, 0.03, (0.5, 1.0)),
}
