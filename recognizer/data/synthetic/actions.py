"""The fifteen starter actions, each a function `(body, timeline, rng) → Pose`.

Every function draws its own handedness, amplitude and style, starts from the idle
standing (or prone) pose and moves what the action moves: `tl.phase` drives the
repetitions, `tl.active` eases into and out of the action's posture. Ranges of tempo
and amplitude were checked against MSR Action3D and HDM05 (bench/generator_stats.py,
docs/generator.md).
"""

from __future__ import annotations

import numpy as np

from recognizer.data.synthetic.body import SIDE_SIGN, Body, Pose, shoulders
from recognizer.data.synthetic.poses import (
    DEG, REST_STYLES, arm_posture, bump, chest_direction, mix, on_side, outward, pair,
    standing, to_chest, vec, world_down_in_chest,
)
from recognizer.data.synthetic.timing import Timeline, wander


def _rest_arms(rng: np.random.Generator) -> str:
    return str(rng.choice(["hanging", "hanging", "hanging", "hips"]))


def standing_still(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    return standing(body, tl, rng, arms=str(rng.choice(REST_STYLES)), calm=rng.uniform(0.4, 1.3))


def waving_one_hand(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng, arms=_rest_arms(rng))
    side = int(rng.integers(2))
    A = body.arm
    style = rng.choice(["high", "forearm", "low"], p=[0.45, 0.35, 0.2])
    if style == "high":  # whole arm up, swaying from the shoulder
        base = [rng.uniform(0.1, 0.4), A * rng.uniform(0.6, 0.95), rng.uniform(0.0, 0.25)]
        amp, pole = rng.uniform(0.12, 0.45), [1.0, -0.6, -0.2]
    elif style == "forearm":  # elbow out at shoulder height, forearm up, waving from the elbow
        base = [body.upper_arm * rng.uniform(0.6, 1.0), body.forearm * rng.uniform(0.7, 1.0), rng.uniform(0.05, 0.2)]
        amp, pole = rng.uniform(0.08, 0.18), [1.0, -0.2, 0.0]
    else:  # a small "hi" at chest height
        base = [rng.uniform(0.05, 0.2), rng.uniform(-0.1, 0.12), rng.uniform(0.2, 0.35)]
        amp, pole = rng.uniform(0.05, 0.12), [0.5, -1.0, 0.0]
    swing = np.sin(2 * np.pi * tl.phase) * tl.active
    target = vec(tl.t, base[0] + amp * swing, base[1] - 0.25 * amp * swing**2, base[2])
    pose.hands[:, side] = mix(pose.hands[:, side], on_side(target, side), tl.active)
    pose.elbows[:, side] = mix(pose.elbows[:, side], on_side(np.array(pole), side), tl.active)
    pose.head[:, 1] += SIDE_SIGN[side] * rng.uniform(0.0, 10.0) * DEG * tl.active
    return pose


def waving_both_hands(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng)
    A = body.arm
    base = np.array([rng.uniform(0.05, 0.4), A * rng.uniform(0.55, 0.95), rng.uniform(-0.05, 0.2)])
    amp = rng.uniform(0.1, 0.45)
    swing = np.sin(2 * np.pi * tl.phase) * tl.active
    mirrored = rng.random() < 0.75  # both hands outwards together, or both to the same side
    sway = pair(swing, swing if mirrored else -swing)
    target = base + np.stack([amp * sway, -0.25 * amp * sway**2, np.zeros_like(sway)], axis=-1)  # (T, 2, 3)
    pose.hands = mix(pose.hands, outward(target), tl.active)
    pose.elbows = mix(pose.elbows, outward(np.broadcast_to([1.0, -0.6, -0.2], (tl.frames, 2, 3))), tl.active)
    return pose


def clapping(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng)
    if rng.random() < 0.15:  # overhead
        y, z = body.arm * rng.uniform(0.5, 0.8), rng.uniform(0.0, 0.2)
    else:
        y, z = rng.uniform(-0.45, 0.1), rng.uniform(0.22, 0.45)
    # From small claps to arms flung wide between claps (as most MSR Action3D subjects do).
    closed, opened = rng.uniform(0.04, 0.08), np.exp(rng.uniform(np.log(0.2), np.log(1.6)))
    gap = closed + (opened - closed) * np.abs(np.cos(np.pi * tl.phase)) ** rng.uniform(0.6, 1.2)
    gap = mix(np.full(tl.frames, opened), gap, tl.active)  # hands meet at phase k + 0.5
    bounce = 0.02 * np.cos(2 * np.pi * tl.phase)
    target = np.stack([gap / 2 - body.shoulder_half, y + bounce, np.full(tl.frames, z)], axis=-1)
    pose.hands = mix(pose.hands, outward(np.stack([target, target], axis=1)), tl.active)
    pose.elbows = mix(pose.elbows, outward(np.broadcast_to([1.0, -1.0, -0.3], (tl.frames, 2, 3))), tl.active)
    return pose


def punching(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng, stance=rng.uniform(0.0, 0.1))
    T, A = tl.frames, body.arm
    lead = int(rng.integers(2))
    pose.feet[:, lead, 2] += rng.uniform(0.05, 0.3)  # boxing stance
    pose.pelvis[:, 1] -= rng.uniform(0.0, 0.06)
    # Between punches the fists rest at the chin (a boxer's guard), at the chest, or hang
    # down (people asked to "punch" often start from rest, as in MSR Action3D).
    style = rng.choice(["high", "low", "rest"], p=[0.4, 0.2, 0.4])
    if style == "high":
        guard = np.array([rng.uniform(0.08, 0.18) - body.shoulder_half, rng.uniform(0.0, 0.2), rng.uniform(0.15, 0.28)])
    elif style == "low":
        guard = np.array([rng.uniform(0.0, 0.15) - body.shoulder_half * 0.5, -rng.uniform(0.15, 0.35),
                          rng.uniform(0.15, 0.3)])
    else:
        guard = np.array([rng.uniform(0.03, 0.1), -body.arm * 0.96, rng.uniform(0.0, 0.08)])
    # Straight punches aim at a target in front of the face, towards the midline (as MSR
    # Action3D's forward punches do); side-boxing punches out to the side.
    angle = rng.uniform(40, 90) * DEG if rng.random() < 0.35 else rng.uniform(-25, 5) * DEG
    aim = np.array([np.sin(angle), rng.uniform(-0.05, 0.35), np.cos(angle)])
    reach = aim / np.linalg.norm(aim) * A * rng.uniform(0.85, 0.97)
    k = np.floor(tl.phase).astype(int)
    # One arm only is how people punch from rest (the other hangs); boxers alternate.
    pattern = rng.choice(["alternate", "single", "double"], p=[0.2, 0.7, 0.1] if style == "rest" else [0.5, 0.3, 0.2])
    side_k = {"alternate": (k + lead) % 2, "single": np.full(T, lead), "double": (k // 2 + lead) % 2}[pattern]
    u = tl.phase % 1.0
    # The fist stays out for a moment: longest in the deliberate single punches people
    # show a camera (MSR Action3D's forward punches hold it about 0.4 s).
    ext = bump(u, 0.0, rng.uniform(0.2, 0.35), rng.uniform(0.4, 0.65), rng.uniform(0.8, 0.95)) * tl.active
    ext_side = pair(ext * (side_k == 0), ext * (side_k == 1))  # (T, 2)
    target = guard + ext_side[..., None] * (reach - guard)  # (T, 2, 3)
    pose.hands = mix(pose.hands, outward(target), tl.active)
    pole = np.array([0.3, -1.0, 0.0]) + ext_side[..., None] * np.array([0.3, 0.0, 0.0])
    pose.elbows = mix(pose.elbows, outward(pole), tl.active)
    twist = rng.uniform(8.0, 25.0) * DEG * (ext_side[:, 0] - ext_side[:, 1])  # right punch turns the chest left
    pose.spine[:, 2] += twist
    pose.pelvis_rot[:, 0] += 0.4 * twist
    return pose


def kicking(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    arms = "guard" if rng.random() < 0.3 else _rest_arms(rng)
    pose = standing(body, tl, rng, arms="hanging" if arms == "guard" else arms, stance=rng.uniform(-0.02, 0.06))
    T = tl.frames
    if arms == "guard":
        guard = np.array([rng.uniform(0.08, 0.18) - body.shoulder_half, rng.uniform(0.0, 0.2), rng.uniform(0.15, 0.28)])
        pose.hands = mix(pose.hands, outward(np.broadcast_to(guard, (T, 2, 3))), tl.active)
        pose.elbows = mix(pose.elbows, outward(np.broadcast_to([0.3, -1.0, 0.0], (T, 2, 3))), tl.active)
    first = int(rng.integers(2))
    k = np.floor(tl.phase).astype(int)
    side_kick = rng.random() < 0.35
    # A front kick from a split stance, the kicking foot behind and the hips driven forward
    # into the kick (how most of HDM05's front kicks go); otherwise from standing square.
    driven = not side_kick and rng.random() < 0.5
    side_k = (k + first) % 2 if rng.random() < 0.3 and not driven else np.full(T, first)
    u = tl.phase % 1.0
    lift = bump(u, 0.0, rng.uniform(0.2, 0.3), rng.uniform(0.6, 0.7), 1.0)
    ext = bump(u, 0.25, rng.uniform(0.33, 0.4), rng.uniform(0.42, 0.5), rng.uniform(0.55, 0.7))  # a snap
    hip_y = body.hip_height
    height = hip_y * rng.uniform(0.45, 1.1)
    horizontal = np.sqrt(max((0.97 * body.leg) ** 2 - (hip_y - height) ** 2, 0.01))
    back = rng.uniform(0.1, 0.35) * tl.active * driven  # (T,) the kicking foot's place behind
    pose.feet[:, first, 2] -= back
    if driven:
        pose.pelvis[:, 2] += rng.uniform(0.05, 0.3) * lift * tl.active
        lean_back_in = bump(u, 0.5, 0.7, 0.85, 1.0) * tl.active  # (T,) leaning in on the way back
        pose.pelvis_rot[:, 1] += rng.uniform(3.0, 12.0) * DEG * lean_back_in
    for side in (0, 1):
        on = (side_k == side).astype(float)
        stand = pose.feet[:, side]
        knee_up = rng.uniform(0.25, 0.7) if driven else rng.uniform(0.3, 0.5)
        chamber = stand + vec(tl.t, 0.0, knee_up * body.leg, rng.uniform(0.05, 0.15) + back * (side == first))
        if side_kick:
            out = SIDE_SIGN[side] * (body.hip_half + horizontal)
            extended = vec(tl.t, out, height, rng.uniform(-0.05, 0.1))
        else:
            extended = vec(tl.t, SIDE_SIGN[side] * body.hip_half * 0.7, height, horizontal)
        foot = stand + (lift * on)[:, None] * (chamber - stand) + (ext * on)[:, None] * (extended - chamber)
        pose.feet[:, side] = foot
        pole = [1.0, 0.3, 0.6] if side_kick else [0.1, 0.5, 1.0]
        pose.knees[:, side] = mix(pose.knees[:, side], outward(np.broadcast_to(pole, (T, 2, 3)))[:, side], on)
        support = 1 - side
        pose.pelvis[:, 0] += SIDE_SIGN[support] * body.hip_half * 0.8 * lift * on
        if side_kick:
            pose.pelvis_rot[:, 2] += SIDE_SIGN[side] * rng.uniform(10, 30) * DEG * ext * on
    if arms != "guard":  # arms swing out for balance as the leg goes up
        swing = rng.uniform(0.1, 0.5) * body.arm * lift * tl.active
        pose.hands[:, :, 0] += SIDE_SIGN * swing[:, None]
        pose.hands[:, :, 1] += 0.6 * swing[:, None]
        pose.hands[:, :, 2] += rng.uniform(-0.5, 0.5) * swing[:, None]
    pose.pelvis[:, 1] -= rng.uniform(0.01, 0.1) * lift  # the hips dip as the leg goes up
    if not side_kick:
        pose.pelvis_rot[:, 1] -= rng.uniform(5.0, 20.0) * DEG * ext
    return pose


def squat(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    arms = rng.choice(["forward", "hips", "behind_head", "crossed", "clasped", "hanging"],
                      p=[0.35, 0.2, 0.15, 0.1, 0.1, 0.1])
    pose = standing(body, tl, rng, arms="crossed" if arms == "crossed" else "hanging", stance=rng.uniform(0.05, 0.2))
    T = tl.frames
    u = tl.phase % 1.0
    down = np.sin(np.pi * u) ** rng.uniform(0.7, 1.6) * tl.active
    depth = rng.uniform(0.3, 0.7) * body.leg
    pose.pelvis[:, 1] -= depth * down
    pose.pelvis[:, 2] -= rng.uniform(0.3, 0.7) * depth * down
    pose.pelvis_rot[:, 1] += rng.uniform(15, 45) * DEG * down
    pose.knees = outward(np.broadcast_to([rng.uniform(0.15, 0.4), 0.0, 1.0], (T, 2, 3)))
    if arms == "forward":  # arms rise forward to balance as the hips go down
        target = np.broadcast_to([rng.uniform(0.0, 0.08), rng.uniform(-0.1, 0.05), body.arm * 0.95], (T, 2, 3))
        pose.hands = mix(pose.hands, outward(target), down)
        pose.elbows = mix(pose.elbows, outward(np.broadcast_to([0.5, -1.0, 0.0], (T, 2, 3))), down)
    elif arms in ("hips", "clasped"):
        hands, elbows = arm_posture(body, rng, tl.t, str(arms))
        pose.hands, pose.elbows = mix(pose.hands, hands, tl.active), mix(pose.elbows, elbows, tl.active)
    elif arms == "behind_head":
        target = np.broadcast_to([-body.shoulder_half + 0.08, rng.uniform(0.15, 0.25), -0.03], (T, 2, 3))
        pose.hands = mix(pose.hands, outward(target), tl.active)
        pose.elbows = mix(pose.elbows, outward(np.broadcast_to([1.0, 0.3, 0.0], (T, 2, 3))), tl.active)
    return pose


def jumping_jacks(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng, stance=rng.uniform(-0.02, 0.04))
    T = tl.frames
    u = tl.phase % 1.0
    opened = (0.5 - 0.5 * np.cos(2 * np.pi * u)) * tl.active
    top = rng.uniform(80, 100) if rng.random() < 0.2 else rng.uniform(150, 178)
    theta = (rng.uniform(5, 15) + (top - 10) * opened) * DEG
    R = 0.95 * body.arm
    fwd = rng.uniform(0.0, 0.2)
    arm = np.stack([np.sin(theta), -np.cos(theta), np.full(T, fwd)], axis=-1) * R  # (T, 3)
    pose.hands = mix(pose.hands, outward(np.stack([arm, arm], axis=1)), tl.active)
    pose.elbows = outward(np.broadcast_to([0.0, -0.3, -1.0], (T, 2, 3)))
    spread = rng.uniform(0.18, 0.4) * opened  # extra half-width of the feet
    hop = (rng.uniform(0.02, 0.12) if rng.random() < 0.85 else 0.0) * np.abs(np.sin(2 * np.pi * u)) * tl.active
    pose.feet[:, :, 0] = SIDE_SIGN * (body.hip_half + 0.02 + spread[:, None])
    pose.feet[:, :, 1] = body.ankle_height + hop[:, None]
    leg_height = np.sqrt((0.985 * body.leg) ** 2 - (0.02 + spread) ** 2)
    pose.pelvis[:, 1] = body.ankle_height + leg_height + hop - 0.03 * (1 - np.abs(np.sin(2 * np.pi * u))) * tl.active
    return pose


def arm_circles(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng)
    T = tl.frames
    direction = rng.choice([-1.0, 1.0])  # forward or backward
    style = rng.choice(["big", "small", "one"], p=[0.5, 0.35, 0.15])
    theta = 2 * np.pi * direction * tl.phase
    if style == "small":  # arms held out sideways, hands drawing small circles
        r = rng.uniform(0.05, 0.2)
        centre = np.array([body.arm * 0.93, rng.uniform(-0.05, 0.15), rng.uniform(0.0, 0.15)])
        circle = centre + r * np.stack([np.zeros(T), np.cos(theta), np.sin(theta)], axis=-1)
        target = np.stack([circle, circle], axis=1)
        pole = [0.0, -1.0, -0.5]
    else:  # straight arms swinging round the shoulder
        a = rng.uniform(0.1, 0.45)
        offset = np.pi if rng.random() < 0.3 else 0.0  # 30 %: arms half a turn apart, like swimming
        arms = []
        for shift in (0.0, offset):
            th = theta + shift
            rim = np.sqrt(1 - a * a)
            arms.append(np.stack([np.full(T, a), -np.cos(th) * rim, np.sin(th) * rim], axis=-1))
        target = np.stack(arms, axis=1) * 0.96 * body.arm
        pole = [1.0, 0.0, 0.0]
    hands = outward(target)
    elbows = outward(np.broadcast_to(pole, (T, 2, 3)))
    sides = [int(rng.integers(2))] if style == "one" else [0, 1]
    for side in sides:
        pose.hands[:, side] = mix(pose.hands[:, side], hands[:, side], tl.active)
        pose.elbows[:, side] = mix(pose.elbows[:, side], elbows[:, side], tl.active)
    return pose


def raising_both_arms(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng)
    T = tl.frames
    u = tl.phase % 1.0
    up = bump(u, 0.0, rng.uniform(0.3, 0.45), rng.uniform(0.5, 0.7), 1.0) * tl.active
    theta = (rng.uniform(5, 15) + rng.uniform(110, 170) * up) * DEG
    sideways = rng.choice([0.0, 1.0, rng.uniform(0.2, 0.8)])  # front, side or diagonal path
    a = rng.uniform(0.08, 0.25)
    front = np.stack([np.full(T, a), -np.cos(theta), np.sin(theta)], axis=-1)
    side = np.stack([np.sin(theta), -np.cos(theta), np.full(T, a)], axis=-1)
    arm = (1 - sideways) * front + sideways * side
    arm = arm / np.linalg.norm(arm, axis=-1, keepdims=True) * 0.96 * body.arm
    pose.hands = mix(pose.hands, outward(np.stack([arm, arm], axis=1)), tl.active)
    pose.elbows = outward(np.broadcast_to([1.0, 0.0, -0.5], (T, 2, 3)))
    return pose


def bending_forward(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng, stance=rng.uniform(-0.02, 0.1), calm=0.5)
    T = tl.frames
    u = tl.phase % 1.0
    down = bump(u, 0.0, rng.uniform(0.3, 0.45), rng.uniform(0.5, 0.65), 1.0) * tl.active
    flex = rng.uniform(60, 120) * DEG
    hip_share = rng.uniform(0.55, 0.8)
    pose.pelvis_rot[:, 1] += flex * hip_share * down
    pose.spine[:, 0] += flex * (1 - hip_share) * down
    pose.pelvis[:, 2] -= rng.uniform(0.05, 0.15) * down
    pose.pelvis[:, 1] -= rng.uniform(0.0, 0.06) * down
    pose.head[:, 0] -= rng.uniform(0.0, 30.0) * DEG * down
    style = rng.choice(["toes", "knees", "hips"], p=[0.6, 0.25, 0.15])
    if style == "toes":  # arms hang towards the floor and reach for the toes
        hang = world_down_in_chest(body, pose)[:, None, :] * 0.97 * body.arm
        reach = outward(np.broadcast_to([0.0, 0.0, rng.uniform(0.0, 0.15)], (T, 2, 3)))
        pose.hands = mix(pose.hands, hang + reach, down)
    elif style == "knees":
        knee_height = body.ankle_height + body.shin + rng.uniform(0.0, 0.2)
        on_knee = np.zeros((T, 2, 3))
        on_knee[:, :, 0] = SIDE_SIGN * (body.hip_half + 0.02)
        on_knee[:, :, 1] = knee_height
        on_knee[:, :, 2] = 0.08
        pose.hands = mix(pose.hands, to_chest(body, pose, on_knee), down)
    else:
        hands, elbows = arm_posture(body, rng, tl.t, "hips")
        pose.hands, pose.elbows = mix(pose.hands, hands, tl.active), mix(pose.elbows, elbows, tl.active)
    return pose


def jogging_in_place(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    pose = standing(body, tl, rng, stance=rng.uniform(-0.03, 0.05), calm=0.5)
    T = tl.frames
    style = rng.choice(["light", "regular", "high_knees", "butt_kicks"], p=[0.25, 0.3, 0.27, 0.18])
    if style == "light":  # barely lifting the feet, arms pumping (most MSR Action3D subjects)
        height, forward, pole = rng.uniform(0.04, 0.1), rng.uniform(-0.08, 0.03), [0.0, 0.0, 1.0]
    elif style == "regular":
        height, forward, pole = rng.uniform(0.08, 0.22), rng.uniform(-0.1, 0.05), [0.0, 0.0, 1.0]
    elif style == "high_knees":
        height, forward, pole = rng.uniform(0.25, 0.45) * body.leg, rng.uniform(0.05, 0.2), [0.0, 0.4, 1.0]
    else:
        height, forward, pole = rng.uniform(0.2, 0.4), -rng.uniform(0.2, 0.35), [0.0, -0.6, 1.0]
    shape = rng.uniform(0.8, 1.6)
    arm_amp = rng.uniform(0.1, 0.3)
    lift_arm = rng.uniform(0.2, 0.8)  # how much the pumping hand also rises
    rest_hand = np.array([rng.uniform(0.04, 0.12), -body.upper_arm * rng.uniform(0.75, 0.95),
                          body.forearm * rng.uniform(0.6, 0.9)])  # elbows bent about 90°
    for side in (0, 1):
        ph = 2 * np.pi * (tl.phase + 0.5 * side)
        lift = np.maximum(np.sin(ph), 0.0) ** shape * tl.active
        pose.feet[:, side, 1] += height * lift
        pose.feet[:, side, 2] += forward * lift
        pose.knees[:, side] = on_side(np.array(pole), side)
        other = np.sin(ph + np.pi)  # an arm swings forward with the opposite leg
        hand = rest_hand + np.stack([np.zeros(T), lift_arm * arm_amp * other, arm_amp * other], axis=-1)
        pose.hands[:, side] = mix(pose.hands[:, side], on_side(hand, side), tl.active)
        pose.elbows[:, side] = mix(pose.elbows[:, side], on_side(np.array([0.2, -0.3, -1.0]), side), tl.active)
    bounce = rng.uniform(0.01, 0.05)
    pose.pelvis[:, 1] += (bounce * np.cos(4 * np.pi * tl.phase) - 0.03) * tl.active
    pose.pelvis_rot[:, 0] += rng.uniform(2, 8) * DEG * np.sin(2 * np.pi * tl.phase) * tl.active
    pose.spine[:, 0] += rng.uniform(0, 10) * DEG * tl.active
    return pose


def _prone(body: Body, tl: Timeline, rng: np.random.Generator, shoulder_y: np.ndarray, *,
           on_knees: bool, forearms: bool) -> Pose:
    """A body straight as a board from the feet (or knees) to the shoulders at height `shoulder_y (T,)`.

    The head points to +Z, the face to the floor. The hands (or forearms) stay planted
    where the shoulders were at the start while the body pivots about the feet.
    """
    T = tl.frames
    pose = standing(body, tl, rng, calm=0.3)
    half = body.hip_half + rng.uniform(-0.05, 0.1)
    if on_knees:
        pivot_y, first = 0.06, body.thigh * 0.995
    else:
        pivot_y, first = body.ankle_height + 0.02, body.leg * 0.995
    length = first + body.torso
    theta = np.arcsin(np.clip((shoulder_y - pivot_y) / length, 0.0, 0.99))
    direction = np.stack([np.zeros(T), np.sin(theta), np.cos(theta)], axis=-1)  # pivot → shoulders
    pose.pelvis = np.array([0.0, pivot_y, 0.0]) + first * direction
    pose.pelvis_rot = np.stack([np.zeros(T), np.pi / 2 - theta, np.zeros(T)], axis=-1)
    pose.pelvis_rot += wander(rng, tl.t, 3.0, (3,)) * np.array([1.0, 1.5, 1.0]) * DEG
    pose.spine = np.zeros((T, 3)) + rng.uniform(-8, 8) * DEG * np.array([1.0, 0.0, 0.0])
    pose.spine[:, 0] += 2.0 * DEG * wander(rng, tl.t, 2.0)
    pose.head = np.stack([-rng.uniform(10, 50) * DEG + 5 * DEG * wander(rng, tl.t, 2.0),
                          8 * DEG * wander(rng, tl.t, 3.0)], axis=-1)
    feet = np.zeros((T, 2, 3))
    feet[:, :, 0] = SIDE_SIGN * half
    if on_knees:
        feet[:, :, 1] = 0.08 + rng.uniform(0.0, 0.2)  # shins on the floor or feet lifted
        feet[:, :, 2] = -body.shin * 0.95
    else:
        feet[:, :, 1] = body.ankle_height + 0.02
    pose.feet = feet
    pose.knees = np.broadcast_to([0.0, 0.0, 1.0], (T, 2, 3)).copy()  # pelvis forward = the floor
    start, _ = shoulders(body, pose)
    width = rng.uniform(0.0, 0.12)
    palms = np.repeat(start[:1], T, axis=0)  # (T, 2, 3) under the starting shoulders
    palms[:, :, 0] += SIDE_SIGN * width
    palms[:, :, 1] = 0.04
    if forearms:
        palms[:, :, 2] += body.forearm * 0.97
        pose.elbows = np.repeat(chest_direction(body, pose, np.array([0.0, -1.0, -0.3]))[:, None], 2, axis=1)
    else:
        palms[:, :, 2] += rng.uniform(-0.05, 0.1)
        pose.elbows = outward(np.broadcast_to([0.7, -0.7, 0.0], (T, 2, 3)))
    pose.hands = to_chest(body, pose, palms)
    return pose


def push_up(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    top = body.arm * rng.uniform(0.9, 0.97) + 0.04
    bottom = rng.uniform(0.12, 0.3) if rng.random() < 0.8 else top - rng.uniform(0.15, 0.25)  # some go half-way
    down = (0.5 - 0.5 * np.cos(2 * np.pi * tl.phase)) ** rng.uniform(0.7, 1.3)
    return _prone(body, tl, rng, top - (top - bottom) * down, on_knees=rng.random() < 0.2, forearms=False)


def plank(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    forearms = rng.random() < 0.55
    height = body.upper_arm + 0.04 if forearms else body.arm * rng.uniform(0.9, 0.97) + 0.04
    shake = 0.01 * wander(rng, tl.t, rng.uniform(0.3, 1.5))
    pose = _prone(body, tl, rng, height + shake, on_knees=rng.random() < 0.1, forearms=forearms)
    pose.pelvis[:, 1] += rng.uniform(-0.04, 0.06) + 0.02 * wander(rng, tl.t, 4.0)  # sagging or piked hips
    return pose


def lunge(body: Body, tl: Timeline, rng: np.random.Generator) -> Pose:
    arms = rng.choice(["hips", "hanging", "clasped"], p=[0.45, 0.35, 0.2])
    pose = standing(body, tl, rng, arms=str(arms), stance=rng.uniform(-0.02, 0.06), calm=0.5)
    T = tl.frames
    style = rng.choice(["forward", "reverse", "split"], p=[0.4, 0.3, 0.3])
    first = int(rng.integers(2))
    k = np.floor(tl.phase).astype(int)
    lead_k = (k + first) % 2 if rng.random() < 0.5 else np.full(T, first)
    u = tl.phase % 1.0
    step = rng.uniform(0.55, 0.9) * body.leg
    depth = rng.uniform(0.2, 0.4) * body.leg
    if style == "split":
        out = tl.active
        down = np.sin(np.pi * u) ** rng.uniform(0.8, 1.5) * tl.active
        lift = np.zeros(T)
        lead_k = np.full(T, first)
    else:
        out = bump(u, 0.0, 0.25, 0.75, 1.0) * tl.active
        down = bump(u, 0.2, 0.45, 0.55, 0.8) * tl.active
        lift = (bump(u, 0.0, 0.12, 0.13, 0.25) + bump(u, 0.75, 0.87, 0.88, 1.0)) * tl.active
    for side in (0, 1):
        is_lead = (lead_k == side).astype(float)
        if style == "forward":
            move = is_lead
        elif style == "reverse":
            move = 1.0 - is_lead
        else:
            move = np.ones(T)
        sign = np.where(is_lead > 0, 1.0, -1.0)
        reach = step if style != "split" else step / 2
        pose.feet[:, side, 2] += sign * reach * out * move
        pose.feet[:, side, 1] += 0.1 * lift * move + 0.06 * out * (1 - is_lead)  # back heel comes up
        pole = np.stack([np.full(T, 0.1), -0.4 * (1 - is_lead), np.ones(T)], axis=-1)  # back knee points down
        pose.knees[:, side] = on_side(pole, side)
    centre = pose.feet[:, :, 2].mean(axis=1)
    pose.pelvis[:, 2] = mix(pose.pelvis[:, 2], centre, tl.active)
    pose.pelvis[:, 1] -= depth * down
    pose.pelvis_rot[:, 1] += rng.uniform(0, 12) * DEG * down
    return pose
