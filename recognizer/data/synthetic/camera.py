"""A random pinhole camera that looks at the generated person, and what it sees.

Placement follows how people film themselves: a laptop or phone 0.5–5 m away, up to
~70° to the side, at desk or shelf height; floor exercises from the side or at an angle;
sometimes framed from the head down to the desk so the legs are cut off. Images are
640×480-like by default, also 16:9 and portrait; coordinates come out normalized by
width and height, x to the right and y down, like every 2-D skeleton in the project.

Framing is finished in the image: once the camera looks at the person, the focal length
and principal point are adjusted so that the clip's skeletons land at a chosen size and
place (that is still an exact pinhole camera, only a zoomed and off-centre one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recognizer.skeleton import OPENPOSE18

DEG = np.pi / 180.0
_FACE = [OPENPOSE18.index(n) for n in ("nose", "right_eye", "left_eye", "right_ear", "left_ear")]
_HIPS = [OPENPOSE18.index("right_hip"), OPENPOSE18.index("left_hip")]
_KNEES = [OPENPOSE18.index("right_knee"), OPENPOSE18.index("left_knee")]
_SHOULDERS = [OPENPOSE18.index("right_shoulder"), OPENPOSE18.index("left_shoulder")]


@dataclass(frozen=True)
class Camera:
    """World → normalized image. `rotation` rows are the camera's right, down and forward axes."""

    rotation: np.ndarray  # (3, 3)
    position: np.ndarray  # (3,) metres, world
    focal: np.ndarray  # (2,) fx / width, fy / height
    centre: np.ndarray  # (2,) principal point, normalized
    aspect: float  # width / height
    desk: float | None  # image y of a desk edge that hides what is below it, or None
    cut: bool  # framed on purpose so that the lower body leaves the picture

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`(..., 3)` world points → `(..., 2)` normalized image xy and `(...)` depth (metres)."""
        local = (points - self.position) @ self.rotation.T  # (..., 3) right, down, forward
        depth = local[..., 2]
        xy = local[..., :2] / np.maximum(depth, 1e-3)[..., None] * self.focal + self.centre
        return xy, depth


def look_at(position: np.ndarray, target: np.ndarray, roll: float) -> np.ndarray:
    """Rotation whose forward axis points from `position` to `target`, rolled by `roll` radians."""
    forward = target - position
    forward = forward / np.linalg.norm(forward)
    right = np.cross(forward, [0.0, 1.0, 0.0])
    right = right / np.linalg.norm(right)
    down = np.cross(forward, right)
    c, s = np.cos(roll), np.sin(roll)
    return np.stack([c * right + s * down, -s * right + c * down, forward])


def _azimuth(rng: np.random.Generator, scene: str) -> float:
    """Camera direction around the person, 0 = straight in front of where the person faces (+Z)."""
    if scene == "floor":  # from the side or at an angle; 0 would be in front of the head
        return float(rng.choice([-1, 1]) * rng.uniform(25, 115) * DEG)
    if scene == "walking":  # mostly crossing the picture, sometimes towards or away from the camera
        if rng.random() < 0.7:
            return float(rng.choice([-1, 1]) * rng.uniform(45, 135) * DEG)
        return float(rng.uniform(-40, 40) * DEG + rng.choice([0.0, np.pi]))
    if rng.random() < 0.5:
        return float(np.clip(rng.normal(0.0, 25.0), -70, 70) * DEG)
    return float(rng.uniform(-70, 70) * DEG)


def sample_camera(rng: np.random.Generator, joints: np.ndarray, scene: str, depth_sensor: bool = False) -> Camera:
    """A camera for the world joints `(T, 18, 3)` of a clip in `scene` (standing, seated, floor, walking).

    A depth sensor (Kinect) stands in front of the whole person, as in MSR Action3D.
    """
    aspect = 4 / 3 if depth_sensor else float(rng.choice([4 / 3, 16 / 9, 3 / 4], p=[0.55, 0.35, 0.1]))
    fov = (57 if depth_sensor else rng.uniform(50, 80)) * DEG  # horizontal field of view
    fx = 0.5 / np.tan(fov / 2)
    focal = np.array([fx, fx * aspect])
    cut_share = {"standing": 0.2, "seated": 0.6}.get(scene, 0.0)  # framed from the head down to the desk
    cut = not depth_sensor and cut_share > 0 and rng.random() < cut_share

    top = joints[:, _FACE, 1].max() + 0.1  # top of the head
    if cut:  # frame from the head down to somewhere between the waist and the knees
        hips = np.median(joints[:, _HIPS, 1])
        knees = np.median(joints[:, _KNEES, 1])
        bottom = hips + rng.uniform(-0.3, 1.0) * (knees - hips)
        bottom = min(bottom, np.median(joints[:, _SHOULDERS, 1]) - 0.15)
    else:
        bottom = joints[..., 1].min() - 0.05
    span = np.ptp(joints[..., [0, 2]], axis=(0, 1)).max()
    extent = max(top - bottom, 0.3, 0.6 * span if scene != "walking" else 0.0)
    fill = rng.uniform(0.75, 1.0) if cut else rng.uniform(0.5, 0.95)
    distance = float(np.clip(extent * focal[1] / fill, 0.5, 8.0))

    centre = np.median(joints.reshape(-1, 3), axis=0)
    aim = np.array([centre[0], 0.5 * (top + bottom), centre[2]]) + rng.normal(0.0, 0.05, 3)
    azimuth = rng.normal(0.0, 12.0) * DEG if depth_sensor else _azimuth(rng, scene)
    height = {"standing": rng.uniform(0.7, 1.7), "seated": rng.uniform(0.85, 1.3),
              "floor": rng.uniform(0.1, 1.2), "walking": rng.uniform(0.8, 1.8)}[scene]
    if depth_sensor:
        height = rng.uniform(0.6, 1.2)
    position = aim + distance * np.array([np.sin(azimuth), 0.0, np.cos(azimuth)])
    position[1] = height
    if scene == "seated" and cut:  # a laptop on the desk: just in front of and below the face
        position[1] = min(height, top - rng.uniform(0.1, 0.35))
    rotation = look_at(position, aim, rng.normal(0.0, 2.5) * DEG)
    # Long bodies seen end-on (a push-up from the head's side) reach towards the camera:
    # back off until the nearest joint is a sensible distance away.
    nearest = ((joints - position) @ rotation[2]).min()
    position = position - rotation[2] * max(0.0, (0.8 if scene == "floor" else 0.4) - nearest)
    camera = Camera(rotation, position, focal, np.array([0.5, 0.5]), aspect, None, cut)
    return _frame(rng, camera, joints, scene)


def _frame(rng: np.random.Generator, camera: Camera, joints: np.ndarray, scene: str) -> Camera:
    """Zoom and shift the picture so the person lands at a random, sensible place in it."""
    xy, _ = camera.project(joints)  # (T, 18, 2)
    lo, hi = xy.reshape(-1, 2).min(axis=0), xy.reshape(-1, 2).max(axis=0)
    focal, centre = camera.focal.copy(), camera.centre.copy()
    margin = rng.uniform(0.01, 0.08)
    if camera.cut:  # head near the top edge, the cut level at the bottom edge
        head = np.median(xy[:, _FACE, 1]) - 0.08 * (hi[1] - lo[1])
        want_top = rng.uniform(0.02, 0.15)
        hips = np.median(xy[:, _HIPS, 1])
        knees = np.median(xy[:, _KNEES, 1])
        want_bottom = hips + rng.uniform(-0.3, 0.9) * (knees - hips)
        scale = (1.0 - want_top) / max(want_bottom - head, 1e-3)
        lo_x, hi_x = np.percentile(xy[..., 0], [2, 98])
        scale = min(scale, (1.0 - 2 * margin) / max(hi_x - lo_x, 1e-3))
        shift_y = want_top - head * scale
        shift_x = rng.uniform(margin, max(1.0 - margin - (hi_x - lo_x) * scale, margin)) - lo_x * scale
    else:
        size = hi - lo
        room = 1.0 - 2 * margin
        scale = min(1.0, room / max(size[0], 1e-3), room / max(size[1], 1e-3))
        if scene == "walking":  # the path may be longer than the picture is wide
            scale = max(scale, rng.uniform(0.3, 0.6) / max(size[1], 1e-3))
        free = np.maximum(1.0 - 2 * margin - size * scale, 0.0)
        start = margin + rng.beta(2.0, 2.0, 2) * free  # people tend to put themselves mid-picture
        if scene == "walking" and size[0] * scale > 1.0:
            start[0] = rng.uniform(1.0 - size[0] * scale, 0.0)
        shift_x, shift_y = start - lo * scale
    focal = focal * scale
    centre = np.array([centre[0] * scale + shift_x, centre[1] * scale + shift_y])
    desk = None
    if scene == "seated" and camera.cut and rng.random() < 0.7:
        hips = np.median(xy[:, _HIPS, 1]) * scale + shift_y
        desk = float(hips - rng.uniform(0.0, 0.12))
    return Camera(camera.rotation, camera.position, focal, centre, camera.aspect, desk, camera.cut)


_LIMB_SIDES = np.array([0, 0, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 2, 1, 2])  # 0 middle, 1 right, 2 left


def occlusion(camera: Camera, joints: np.ndarray, xy: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """How hidden each joint is, `(T, 18)` in [0, 1]: behind the torso, behind a desk, or on the far side.

    A joint counts as behind the torso when it projects inside the (widened) shoulder–hip
    quadrilateral and lies deeper than the torso; in a side view the far arm and leg are
    partly hidden, seen from behind the face is; joints under a desk edge are hidden.
    """
    hidden = np.zeros(depth.shape)
    # Far side: how much the body's left axis points away from (or towards) the camera.
    left = joints[:, 5] - joints[:, 2]  # right shoulder → left shoulder, (T, 3)
    left = left / np.maximum(np.linalg.norm(left, axis=-1, keepdims=True), 1e-6)
    toward = camera.position - joints[:, 1]
    toward = toward / np.maximum(np.linalg.norm(toward, axis=-1, keepdims=True), 1e-6)
    facing_left = np.sum(left * toward, axis=-1)  # > 0: the left side faces the camera
    far = np.where(_LIMB_SIDES == 1, np.clip(facing_left, 0, 1)[:, None],
                   np.where(_LIMB_SIDES == 2, np.clip(-facing_left, 0, 1)[:, None], 0.0))
    hidden = np.maximum(hidden, 0.6 * far ** 2)
    forward = np.cross(left, [0.0, 1.0, 0.0])  # the way the chest faces
    away = np.clip(-np.sum(forward * toward, axis=-1), 0.0, 1.0)  # seen from behind
    hidden[:, _FACE] = np.maximum(hidden[:, _FACE], 0.8 * away[:, None])
    # Behind the torso quad (shoulders, hips) widened by 15 %.
    quad = xy[:, [2, 5, 11, 8]]  # (T, 4, 2) r-shoulder, l-shoulder, l-hip, r-hip
    mid = quad.mean(axis=1, keepdims=True)
    quad = mid + 1.15 * (quad - mid)
    edge = np.roll(quad, -1, axis=1) - quad  # (T, 4, 2)
    rel = xy[:, :, None, :] - quad[:, None, :, :]  # (T, 18, 4, 2)
    cross = edge[:, None, :, 0] * rel[..., 1] - edge[:, None, :, 1] * rel[..., 0]  # (T, 18, 4)
    inside = (cross >= 0).all(axis=-1) | (cross <= 0).all(axis=-1)
    torso_depth = depth[:, [2, 5, 8, 11]].mean(axis=1, keepdims=True)
    behind = inside & (depth > torso_depth + 0.08)
    behind[:, [1, 2, 5, 8, 11]] = False
    hidden = np.maximum(hidden, 0.9 * behind)
    if camera.desk is not None:
        hidden = np.maximum(hidden, 0.95 * (xy[..., 1] > camera.desk))
    return hidden
