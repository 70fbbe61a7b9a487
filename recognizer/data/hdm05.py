"""HDM05 motion capture (ASF skeleton + AMC motion, 120 Hz) as OpenPose-18 joints in metres.

The project uses HDM05 (CC BY-SA 3.0) for evaluation and for calibrating the generator,
never for training a shipped model (`../shared/data/mocap/README.md`). A take is one
actor's AMC file; forward kinematics turns its joint angles into bone end points, and
those become the 18 joints of our layout. Mocap has no face markers, so the nose, eyes
and ears are placed on the head bone the way the generator places them on its own heads
(`recognizer.data.synthetic.body`), which keeps the face where a detector would see it
when the head turns or bows.

World frame: metres, Y up; at rest an actor faces +Z with +X to their left, the frame the
generator uses too.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recognizer.data.synthetic.body import FACE_FROM_HEAD_PIVOT, rotation
from recognizer.data.synthetic.camera import Camera, look_at
from recognizer.skeleton import OPENPOSE18

AMC_FPS = 120.0
ASF_UNITS = 0.0254 / 0.45  # metres per ASF length unit (the files' ":units length 0.45": 1/0.45 inch)
WEBCAM_ASPECT = 4 / 3  # picture width / height of the webcam `webcam_view` films with unless told
# The HDM05 class folders that are one of our starter classes (index.csv spells ours
# arm_circles and jogging).
HDM05_TO_OURS = {"squat1Reps": "squat", "kickLFront1Reps": "kicking",
                 "rotateArmsBothBackward1Reps": "arm circles", "jogLeftCircle4StepsRstart": "jogging in place"}

# The ASF bone whose end point each OpenPose-18 joint is; None: computed (neck, face).
_BONE_ENDS = [None, None, "rclavicle", "rhumerus", "rradius", "lclavicle", "lhumerus", "lradius", "rhipjoint",
              "rfemur", "rtibia", "lhipjoint", "lfemur", "ltibia", None, None, None, None]
_FACE_JOINTS = [OPENPOSE18.index(n) for n in ("nose", "right_eye", "left_eye", "right_ear", "left_ear")]


@dataclass(frozen=True)
class Hdm05Take:
    """One AMC file: its HDM05 class folder, actor and path, and our label (None: not ours)."""

    folder: str
    actor: str
    path: Path

    @property
    def label(self) -> str | None:
        return HDM05_TO_OURS.get(self.folder)


def list_takes(root: str | os.PathLike) -> list[Hdm05Take]:
    """Every take under `root/hdm05/amc/<class>/HDM_<actor>_*.amc`, sorted by path."""
    paths = sorted(Path(root, "hdm05", "amc").glob("*/HDM_*.amc"))
    return [Hdm05Take(p.parent.name, p.name.split("_")[1], p) for p in paths]


def read_take(take: Hdm05Take, fps: float = 30.0) -> np.ndarray:
    """World joints `(T, 18, 3)` in metres of `take` at `fps` (120 divided by a whole number)."""
    step = AMC_FPS / fps
    if step < 1 or abs(step - round(step)) > 1e-9:
        raise ValueError(f"fps must divide {AMC_FPS:g}, got {fps}")
    asf = _actor_skeleton(take.path.parents[2] / "asf" / f"HDM_{take.actor}.asf")
    ends, rotations = forward_kinematics(asf, read_amc(take.path)[::int(round(step))])
    joints = np.empty((len(ends["root"]), OPENPOSE18.num_joints, 3))
    for j, bone in enumerate(_BONE_ENDS):
        if bone is not None:
            joints[:, j] = ends[bone]
    joints[:, OPENPOSE18.index("neck")] = 0.5 * (ends["rclavicle"] + ends["lclavicle"])
    joints[:, _FACE_JOINTS] = ends["upperneck"][:, None] + np.einsum("tij,fj->tfi", rotations["head"],
                                                                     FACE_FROM_HEAD_PIVOT)
    return joints


def parse_asf(path: str | os.PathLike) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """The bones (name → direction, length, axis, dof) and (parent, child) pairs, root first."""
    text = Path(path).read_text(errors="replace")
    bones = {}
    for block in text.split(":bonedata")[1].split(":hierarchy")[0].split("begin")[1:]:
        bone: dict = {"dof": []}
        for line in block.splitlines():
            p = line.split()
            if p and p[0] in ("name", "direction", "length", "axis", "dof"):
                bone[p[0]] = p[1] if p[0] == "name" else p[1:] if p[0] == "dof" else np.array(p[1:4], float)
        bones[bone["name"]] = bone
    order = []
    for line in text.split(":hierarchy")[1].split("begin")[1].split("end")[0].splitlines():
        p = line.split()
        order += [(p[0], child) for child in p[1:]]
    return bones, order


@functools.lru_cache(maxsize=None)
def _actor_skeleton(path: Path) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """`parse_asf` once per actor: every take of an actor shares its ASF (read-only here)."""
    return parse_asf(path)


def read_amc(path: str | os.PathLike) -> list[dict[str, np.ndarray]]:
    """Every frame of an AMC file: bone name → its degree-of-freedom values."""
    frames: list[dict[str, np.ndarray]] = []
    for line in Path(path).read_text(errors="replace").splitlines():
        p = line.split()
        if not p or p[0][0] in "#:":
            continue
        if len(p) == 1 and p[0].isdigit():
            frames.append({})
        elif frames:
            frames[-1][p[0]] = np.array(p[1:], float)
    return frames


def forward_kinematics(asf: tuple[dict, list], frames: list[dict[str, np.ndarray]]
                       ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Bone end points `(T, 3)` in metres and world rotations `(T, 3, 3)` of every bone."""
    bones, order = asf
    root = np.stack([f["root"] for f in frames])  # (T, 6): TX TY TZ RX RY RZ
    world = {"root": _rxyz(root[:, 3:6])}
    end = {"root": ASF_UNITS * root[:, :3]}
    for parent, name in order:
        bone = bones[name]
        angles = np.zeros((len(frames), 3))
        for i, dof in enumerate(bone["dof"]):
            angles[:, "xyz".index(dof[1])] = [f[name][i] for f in frames]
        axis = _rxyz(bone["axis"])
        world[name] = world[parent] @ axis @ _rxyz(angles) @ axis.T
        end[name] = end[parent] + ASF_UNITS * float(bone["length"][0]) * (world[name] @ bone["direction"])
    return end, world


def _rxyz(degrees: np.ndarray) -> np.ndarray:
    """`(..., 3)` XYZ Euler angles in degrees → `(..., 3, 3)` Rz·Ry·Rx (Acclaim convention)."""
    a = np.radians(degrees)
    c, s = np.cos(a), np.sin(a)
    one, zero = np.ones_like(a[..., 0]), np.zeros_like(a[..., 0])
    rx = np.stack([one, zero, zero, zero, c[..., 0], -s[..., 0], zero, s[..., 0], c[..., 0]], -1)
    ry = np.stack([c[..., 1], zero, s[..., 1], zero, one, zero, -s[..., 1], zero, c[..., 1]], -1)
    rz = np.stack([c[..., 2], -s[..., 2], zero, s[..., 2], c[..., 2], zero, zero, zero, one], -1)
    shape = a.shape[:-1] + (3, 3)
    return rz.reshape(shape) @ ry.reshape(shape) @ rx.reshape(shape)


def hips_facing(frame: np.ndarray) -> np.ndarray:
    """The horizontal unit direction `(3,)` a body `(18, 3)` (Y up) faces, square to its hips."""
    facing = np.cross(frame[OPENPOSE18.index("left_hip")] - frame[OPENPOSE18.index("right_hip")], [0.0, 1.0, 0.0])
    return facing / np.linalg.norm(facing)


def webcam_view(joints: np.ndarray, yaw_degrees: float = 0.0, aspect: float = WEBCAM_ASPECT) -> np.ndarray:
    """`(3, T, 18, 1)` normalized image x, y and score of world `joints` `(T, 18, 3)` as a
    fixed webcam (picture width / height `aspect`) with a 60° horizontal field of view sees
    them: 1 m above the floor, `yaw_degrees` around the actor from straight in front
    (where the first frame's hips face), and far enough back that the whole body fills
    about 75 % of the height and every joint of the take stays in the picture (a jog
    around a circle moves the camera back).
    """
    turn = rotation(1, np.radians(np.asarray(yaw_degrees, float)))  # about the vertical
    facing = turn @ hips_facing(joints[0])
    floor, top = joints[..., 1].min(), joints[..., 1].max() + 0.1
    fx = 0.5 / np.tan(np.radians(30.0))
    focal = np.array([fx, fx * aspect])
    centre = np.median(joints.reshape(-1, 3), axis=0)
    aim = np.array([centre[0], 0.5 * (floor + top), centre[2]])
    distance = (top - floor) * focal[1] / 0.75
    for _ in range(20):  # back off until the whole take is in the picture
        position = aim + facing * distance
        position[1] = floor + 1.0
        camera = Camera(look_at(position, aim, 0.0), position, focal, np.array([0.5, 0.5]), aspect, None, False)
        xy, depth = camera.project(joints)  # (T, 18, 2), (T, 18)
        if ((xy > 0.02) & (xy < 0.98)).all() and (depth > 0.3).all():
            break
        distance *= 1.15
    xy = xy.transpose(2, 0, 1)[..., None]  # (2, T, 18, 1)
    return np.concatenate([xy, np.ones_like(xy[:1])]).astype(np.float32)  # (3, T, 18, 1), all seen
