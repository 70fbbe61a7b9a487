"""From a label to a clip: a body and a timeline, posed by the action, filmed, then detected.

`generate_motion` stops at the 3-D joints (tests check bone lengths there);
`render` films them with a random camera and adds detector noise; `generate_clip` does
both. Every random choice comes from the one `rng` passed in, so a clip is a pure
function of its seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recognizer.data.synthetic import actions, everyday
from recognizer.data.synthetic.body import Body, Pose, joints, sample_body
from recognizer.data.synthetic.camera import Camera, occlusion, sample_camera
from recognizer.data.synthetic.noise import detect
from recognizer.data.synthetic.poses import carriage
from recognizer.data.synthetic.timing import Timeline, plan

STARTER_CLASSES: tuple[str, ...] = (
    "standing still", "waving one hand", "waving both hands", "clapping", "punching",
    "kicking", "squat", "jumping jacks", "arm circles", "raising both arms",
    "bending forward", "jogging in place", "push-up", "plank", "lunge",
)
OTHER_LABEL = "other"
NOBODY = "nobody"  # the "other" clips in which no one is in the picture
NOBODY_SHARE = 0.04
# Clips filmed by a depth sensor (Kinect, as in MSR Action3D) rather than a webcam seen
# through MediaPipe: frontal camera, Kinect-placed hips, Kinect-style joints (noise.py).
DEPTH_SENSOR_SHARE = 0.15
# Arm motions done standing, which the whole body goes along with (`poses.carriage`): the
# starter actions and the everyday ones alike, so that carriage tells neither from the other.
CARRIED = frozenset({"waving one hand", "waving both hands", "clapping", "punching", "arm circles",
                     "raising both arms", "reaching", "drinking", "phone_call", "touching_face",
                     "arm_curls", "rowing"})


@dataclass(frozen=True)
class ActionSpec:
    """How to perform one action: its pose function and its range of tempo."""

    make: Callable[[Body, Timeline, np.random.Generator], Pose]
    tempo: tuple[float, float]  # repetitions per second, drawn log-uniformly
    ease: float = 0.3  # seconds to move into and out of the action's posture
    held: bool = False  # a posture held still: no repetitions, any length


ACTIONS: dict[str, ActionSpec] = {
    "standing still": ActionSpec(actions.standing_still, (0.5, 1.0), held=True),
    "waving one hand": ActionSpec(actions.waving_one_hand, (0.7, 2.5), ease=0.4),
    "waving both hands": ActionSpec(actions.waving_both_hands, (0.6, 2.0), ease=0.4),
    "clapping": ActionSpec(actions.clapping, (0.8, 3.5)),
    "punching": ActionSpec(actions.punching, (0.4, 2.5)),
    "kicking": ActionSpec(actions.kicking, (0.45, 1.3)),
    "squat": ActionSpec(actions.squat, (0.3, 0.9)),
    "jumping jacks": ActionSpec(actions.jumping_jacks, (0.6, 1.4)),
    "arm circles": ActionSpec(actions.arm_circles, (0.5, 2.0), ease=0.4),
    "raising both arms": ActionSpec(actions.raising_both_arms, (0.2, 0.7), ease=0.2),
    "bending forward": ActionSpec(actions.bending_forward, (0.25, 0.75), ease=0.2),
    "jogging in place": ActionSpec(actions.jogging_in_place, (1.1, 1.8), ease=0.4),
    "push-up": ActionSpec(actions.push_up, (0.3, 1.0), ease=0.2),
    "plank": ActionSpec(actions.plank, (0.5, 1.0), held=True),
    "lunge": ActionSpec(actions.lunge, (0.25, 0.6), ease=0.2),
}
assert tuple(ACTIONS) == STARTER_CLASSES


@dataclass(frozen=True)
class Motion:
    """One performed motion in 3-D, before any camera."""

    label: str  # a starter class or "other"
    kind: str  # the class, or which everyday motion (or "nobody") an "other" clip shows
    body: Body
    timeline: Timeline
    joints: np.ndarray  # (T, 18, 3) metres, world frame (Y up)
    scene: str  # "standing", "seated", "floor" or "walking": where a camera would be
    depth_sensor: bool  # filmed by a Kinect-like depth sensor instead of a webcam + MediaPipe

    @property
    def fps(self) -> float:
        return self.timeline.fps


def _scene(body: Body, pose: Pose) -> str:
    pitch = np.median(np.abs(pose.pelvis_rot[:, 1]))
    if pitch > np.radians(50) and np.median(pose.pelvis[:, 1]) < 0.5 * body.hip_height:
        return "floor"
    if np.ptp(pose.pelvis[:, [0, 2]], axis=0).max() > 1.0:
        return "walking"
    feet_ahead = np.median(pose.feet[:, :, 2].mean(axis=1) - pose.pelvis[:, 2])
    if np.median(pose.pelvis[:, 1]) < 0.8 * body.hip_height and feet_ahead > 0.25:
        return "seated"
    return "standing"


def everyday_clips(kind: str, n: int, rng: np.random.Generator, fps: float = 30.0,
                   seconds: tuple[float, float] = (2.0, 4.0)) -> list[np.ndarray]:
    """`n` webcam clips `(C, T, V, M=1)` of one everyday motion of the "other" pool ("drinking").

    New actions for few-shot and fine-tuning tests and benchmarks: motions the starter model
    files under "other". Drawn from that pool until `kind` comes up (skipping depth-sensor
    clips), so a seed gives the same clips the pool would.
    """
    if kind not in everyday.EVERYDAY:
        raise ValueError(f"unknown everyday motion {kind!r}; expected one of {sorted(everyday.EVERYDAY)}")
    out = []
    while len(out) < n:
        motion = generate_motion(OTHER_LABEL, rng, seconds=float(rng.uniform(*seconds)), fps=fps)
        if motion.kind == kind and not motion.depth_sensor:
            out.append(render(motion, rng))
    return out


def generate_motion(label: str, rng: np.random.Generator, *, seconds: float | None = None,
                    fps: float = 30.0) -> Motion:
    """Perform `label` (a starter class or "other") with a random body, style and timing."""
    if label in ACTIONS:
        kind, spec = label, ACTIONS[label]
        make, tempo_range, ease = spec.make, spec.tempo, spec.ease
        layout = "excerpt" if spec.held else None
    elif label == OTHER_LABEL:
        names = list(everyday.EVERYDAY) + [NOBODY]
        weights = np.array([w for _, w, _ in everyday.EVERYDAY.values()] + [NOBODY_SHARE])
        kind = str(rng.choice(names, p=weights / weights.sum()))
        # A person-less clip's few false detections are drawn from someone walking past.
        make, _, tempo_range = everyday.EVERYDAY["walking" if kind == NOBODY else kind]
        ease, layout = 0.3, None
    else:
        raise ValueError(f"unknown label {label!r}; expected one of {STARTER_CLASSES + (OTHER_LABEL,)}")
    depth_sensor = bool(rng.random() < DEPTH_SENSOR_SHARE)
    body = sample_body(rng, kinect=rng.uniform(0.7, 1.0) if depth_sensor else rng.uniform(0.0, 0.3))
    tempo = float(np.exp(rng.uniform(np.log(tempo_range[0]), np.log(tempo_range[1]))))
    timeline = plan(rng, fps, seconds, tempo, ease=ease, layout=layout)
    pose = make(body, timeline, rng)
    scene = _scene(body, pose)
    if kind in CARRIED and scene == "standing":  # (carriage's dip, lean and step keep it standing)
        pose = carriage(body, timeline, rng, pose)
    return Motion(label, kind, body, timeline, joints(body, pose), scene, depth_sensor)


def render(motion: Motion, rng: np.random.Generator) -> np.ndarray:
    """Film a motion with a random camera and detector: `float32 (C=3, T, V=18, M=1)`."""
    camera = sample_camera(rng, motion.joints, motion.scene, motion.depth_sensor)
    xy, depth = camera.project(motion.joints)  # (T, 18, 2), (T, 18)
    hidden = occlusion(camera, motion.joints, xy, depth)
    # A tracker fails on a standing trunk folded towards it; floor exercises are another matter.
    fold = _trunk_fold(camera, motion.joints) if motion.scene == "standing" else None
    clip = detect(rng, xy, hidden, motion.fps, camera.aspect, motion.depth_sensor, fold)  # (3, T, 18)
    if motion.kind == NOBODY:
        clip = _ghosts(rng, clip)
    return clip[..., None]


def _trunk_fold(camera: Camera, joints: np.ndarray) -> np.ndarray:
    """`(T,)` sine of the trunk's tilt towards the camera: 0 upright or side-on, 1 pointing at it."""
    trunk = joints[:, 1] - joints[:, [8, 11]].mean(axis=1)  # (T, 3) mid-hip → neck, world
    forward = (trunk @ camera.rotation.T)[:, 2]  # along the camera's viewing direction
    return np.clip(-forward / np.maximum(np.linalg.norm(trunk, axis=-1), 1e-6), 0.0, 1.0)


def _ghosts(rng: np.random.Generator, clip: np.ndarray) -> np.ndarray:
    """An empty picture: nothing but a few brief, weak false detections of part of a body."""
    out = np.zeros_like(clip)
    T = clip.shape[1]
    for _ in range(rng.integers(0, 4)):
        start = int(rng.integers(T))
        stop = min(start + int(rng.integers(1, 9)), T)
        seen = rng.random(clip.shape[2]) < rng.uniform(0.3, 1.0)
        out[:, start:stop, seen] = clip[:, start:stop, seen]
        out[2, start:stop] *= rng.uniform(0.2, 0.6)
    return out


def generate_clip(label: str, rng: np.random.Generator, *, seconds: float | None = None,
                  fps: float = 30.0) -> np.ndarray:
    """A detector-like 2-D skeleton clip of `label`: `float32 (C=3, T, V=18, M=1)` (x, y, score).

    x, y are normalized to [0, 1] by the picture's width and height (x right, y down);
    absent joints are (0, 0, 0). `seconds=None` picks a length between ~1 s (a single
    repetition) and 10 s.
    """
    return render(generate_motion(label, rng, seconds=seconds, fps=fps), rng)
