"""The procedural motion generator: API, determinism, and physical plausibility of its clips."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from recognizer.data.synthetic import (
    OTHER_LABEL, STARTER_CLASSES, SyntheticDataset, generate_clip, generate_motion, render,
)
from recognizer.data.synthetic.body import two_bone_ik
from recognizer.data.synthetic.camera import Camera, look_at, occlusion, sample_camera
from recognizer.data.synthetic.timing import plan
from recognizer.preprocess import normalize_clip
from recognizer.skeleton import OPENPOSE18

LABELS = STARTER_CLASSES + (OTHER_LABEL,)
J = {name: i for i, name in enumerate(OPENPOSE18.joints)}
# Segments that are rigid in the body model (OpenPose's neck–hip "bone" is not: the spine
# bends; neither is neck–nose: the head turns about the top of the neck).
RIGID = [("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"), ("left_shoulder", "left_elbow"),
         ("left_elbow", "left_wrist"), ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
         ("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("right_shoulder", "left_shoulder"),
         ("right_hip", "left_hip"), ("nose", "left_eye"), ("nose", "right_eye"), ("right_eye", "right_ear")]


def _lengths(joints: np.ndarray, bones=RIGID) -> np.ndarray:
    """`(T, V, D)` → `(T, len(bones))` segment lengths."""
    a = np.array([J[x] for x, _ in bones])
    b = np.array([J[y] for _, y in bones])
    return np.linalg.norm(joints[:, a] - joints[:, b], axis=-1)


def _frontal_camera(distance: float = 3.0) -> Camera:
    """A 640×480, 60° camera straight in front of a person standing at the origin facing +Z."""
    position = np.array([0.0, 1.1, distance])
    fx = 0.5 / np.tan(np.radians(30))
    rotation = look_at(position, np.array([0.0, 0.9, 0.0]), 0.0)
    return Camera(rotation, position, np.array([fx, fx * 4 / 3]), np.array([0.5, 0.5]), 4 / 3, None, False)


@pytest.mark.parametrize("label", LABELS)
def test_every_class_gives_a_clip_in_our_convention(label):
    clip = generate_clip(label, np.random.default_rng(3))
    C, T, V, M = clip.shape
    assert (C, V, M) == (3, 18, 1) and clip.dtype == np.float32
    assert 20 <= T <= 10 * 30 + 1
    assert np.isfinite(clip).all() and clip.min() >= 0.0 and clip.max() <= 1.0
    absent = clip[2] == 0
    assert (clip[0][absent] == 0).all() and (clip[1][absent] == 0).all()  # absent joints are (0, 0, 0)
    assert (clip[2] > 0).mean() > 0.3 or label == OTHER_LABEL


def test_same_seed_same_clip_other_seed_other_clip():
    for label in ("punching", OTHER_LABEL):
        a = generate_clip(label, np.random.default_rng(11))
        b = generate_clip(label, np.random.default_rng(11))
        c = generate_clip(label, np.random.default_rng(12))
        assert np.array_equal(a, b)
        assert a.shape != c.shape or not np.array_equal(a, c)


def test_dataset_labels_items_and_determinism_per_index():
    data = SyntheticDataset(n_per_class=2, seed=5)
    assert data.labels == list(STARTER_CLASSES) + ["other"]
    assert len(data) == 2 * 16
    seen = [data[i][1] for i in range(len(data))]
    assert seen == data.targets
    assert sorted(seen) == sorted(list(range(16)) * 2)
    assert seen[:16] == list(range(16))  # interleaved: every prefix is balanced
    clip, label = data[7]
    assert clip.dtype == np.float32 and clip.shape[0] == 3 and clip.shape[2:] == (18, 1)
    again = SyntheticDataset(n_per_class=2, seed=5)
    assert np.array_equal(again[7][0], clip) and again[7][1] == label  # order of access does not matter
    assert not np.array_equal(SyntheticDataset(n_per_class=2, seed=6)[7][0][:, :10], clip[:, :10])
    only = SyntheticDataset(n_per_class=1, classes=("squat", "plank"), include_other=False, n_other=3, seconds=1.5)
    assert only.labels == ["squat", "plank"] and len(only) == 2
    assert only[0][0].shape[1] == 45
    with pytest.raises(IndexError):
        only[2]
    ranged = SyntheticDataset(n_per_class=3, classes=("clapping",), include_other=False, seconds=(1.0, 2.0))
    assert all(30 <= ranged[i][0].shape[1] <= 60 for i in range(3))


def test_unknown_label_is_refused():
    with pytest.raises(ValueError, match="unknown label"):
        generate_clip("moonwalk", np.random.default_rng(0))


@pytest.mark.parametrize("label", LABELS)
def test_bones_keep_their_length_in_3d(label):
    for seed in range(3):
        motion = generate_motion(label, np.random.default_rng(seed))
        lengths = _lengths(motion.joints)
        assert np.allclose(lengths, lengths[0], rtol=1e-6, atol=1e-9), label
        assert np.isfinite(motion.joints).all()


def test_body_stays_on_or_above_the_floor():
    for i, label in enumerate(LABELS):
        motion = generate_motion(label, np.random.default_rng([1, i]))
        assert motion.joints[..., 1].min() > -0.05, label


def test_two_bone_ik_reaches_reachable_targets_and_stretches_towards_others():
    root = np.zeros((2, 3))
    target = np.array([[0.3, -0.2, 0.1], [2.0, 0.0, 0.0]])
    pole = np.array([[0.0, 0.0, -1.0], [0.0, 0.0, -1.0]])
    a, b = np.array([0.3, 0.3]), np.array([0.25, 0.25])
    middle, end = two_bone_ik(root, target, pole, a, b)
    assert np.allclose(end[0], target[0])
    assert np.allclose(np.linalg.norm(middle - root, axis=-1), a)
    assert np.allclose(np.linalg.norm(end - middle, axis=-1), b)
    assert middle[0, 2] < 0  # bends towards the pole
    assert np.allclose(end[1] / np.linalg.norm(end[1]), [1.0, 0.0, 0.0])


def test_projection_keeps_proportions_for_a_fixed_camera():
    motion = generate_motion("standing still", np.random.default_rng(2), seconds=3.0)
    xy, depth = _frontal_camera().project(motion.joints)
    pixels = xy * np.array([640.0, 480.0])
    lengths = _lengths(pixels)  # (T, bones) in pixels
    ratios = lengths / lengths[:, [8]]  # relative to the shoulder width
    assert np.all(np.abs(ratios / np.median(ratios, axis=0) - 1.0)[:, :10] < 0.15)
    # A bone never projects longer than it would lying flat at its nearer end's depth.
    focal = 0.5 / np.tan(np.radians(30)) * 640.0
    nearer = np.minimum(depth[:, [J[x] for x, _ in RIGID]], depth[:, [J[y] for _, y in RIGID]])
    assert np.all(lengths <= _lengths(motion.joints) * focal / nearer * 1.05)


def test_right_joints_appear_on_the_image_left_for_a_person_facing_the_camera():
    motion = generate_motion("standing still", np.random.default_rng(4), seconds=2.0)
    xy, _ = _frontal_camera().project(motion.joints)
    for right, left in (("right_shoulder", "left_shoulder"), ("right_hip", "left_hip"), ("right_eye", "left_eye")):
        assert np.all(xy[:, J[right], 0] < xy[:, J[left], 0])
    assert np.all(xy[:, J["nose"], 1] < xy[:, J["neck"], 1])  # y points down


def test_joints_stay_in_the_picture_unless_framed_out_on_purpose():
    cut_seen = 0
    for seed in range(40):
        rng = np.random.default_rng([9, seed])
        motion = generate_motion(STARTER_CLASSES[seed % 15], rng, seconds=2.0)
        camera = sample_camera(rng, motion.joints, motion.scene)
        xy, depth = camera.project(motion.joints)
        assert (depth > 0.2).all()
        inside = ((xy >= 0) & (xy <= 1)).all(axis=-1)
        if not camera.cut:
            assert inside.all(), (motion.kind, motion.scene)
        else:
            cut_seen += 1
            assert inside[:, [J["nose"], J["neck"]]].mean() > 0.9
            assert not inside[:, [J["right_ankle"], J["left_ankle"]]].any()  # legs cut off at the desk
            clip = render(motion, np.random.default_rng([9, seed]))
            assert clip.shape[1] == motion.joints.shape[0]
    assert cut_seen > 0


def test_occluded_joints_get_low_visibility():
    motion = generate_motion("standing still", np.random.default_rng(8), seconds=2.0)
    # Seen exactly from the person's left: the right arm is behind the body.
    position = np.array([3.0, 1.1, 0.0])
    fx = 0.5 / np.tan(np.radians(30))
    camera = Camera(look_at(position, np.array([0.0, 0.9, 0.0]), 0.0), position, np.array([fx, fx * 4 / 3]),
                    np.array([0.5, 0.5]), 4 / 3, None, False)
    xy, depth = camera.project(motion.joints)
    hidden = occlusion(camera, motion.joints, xy, depth)
    assert hidden[:, J["right_elbow"]].mean() > 0.4
    assert hidden[:, J["left_elbow"]].mean() < 0.05


def test_single_repetition_clips_exist_and_fixed_lengths_are_filled():
    short = [plan(np.random.default_rng(i), 30.0, None, 2.0) for i in range(60)]
    singles = [tl for tl in short if tl.layout == "single"]
    assert singles and all(abs(tl.reps - 1.0) < 1e-9 for tl in singles)
    # One repetition at 2 /s (≤ 0.5 s + two eases of ≤ 0.42 s) with at most 0.8 s of rest on each side.
    assert all(tl.frames <= 30 * (0.5 + 0.84 + 1.6) + 1 for tl in singles)
    assert np.median([tl.frames for tl in singles]) <= 60
    assert min(tl.frames for tl in singles) <= 40
    one_second = plan(np.random.default_rng(0), 30.0, 1.0, 0.5, layout="single")
    assert one_second.frames == 30 and abs(one_second.reps - 1.0) < 1e-9
    long = plan(np.random.default_rng(0), 30.0, 8.0, 1.0, layout="complete")
    assert long.frames == 240 and long.reps >= 4 and long.active[0] < 0.5
    lengths = [generate_clip(STARTER_CLASSES[i % 15], np.random.default_rng(i)).shape[1] for i in range(45)]
    assert min(lengths) <= 45 and max(lengths) >= 200  # ~1 s single repetitions up to long clips


def test_waving_uses_either_hand():
    moved = []
    for seed in range(12):
        joints = generate_motion("waving one hand", np.random.default_rng(seed)).joints
        travel = np.abs(np.diff(joints[:, [J["right_wrist"], J["left_wrist"]]], axis=0)).sum(axis=(0, 2))
        moved.append(int(np.argmax(travel)))
    assert set(moved) == {0, 1}


def test_generation_speed_is_reported():
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    frames = sum(generate_clip(LABELS[i % len(LABELS)], rng).shape[1] for i in range(64))
    elapsed = time.perf_counter() - start
    print(f"\nsynthetic: {elapsed / 64 * 1e3:.2f} ms per clip, {frames / 64:.0f} frames on average")


def _depth_sensor_clips(label: str, n: int) -> list[np.ndarray]:
    """`n` depth-sensor clips `(3, T, 18, 1)` of `label`, 3 s at 15 fps (webcam draws skipped)."""
    rng, out = np.random.default_rng(11), []
    while len(out) < n:
        motion = generate_motion(label, rng, seconds=3.0, fps=15.0)
        if motion.depth_sensor:
            out.append(render(motion, rng))
    return out


def test_a_depth_sensor_loses_the_legs_of_deep_bends_but_not_of_push_ups():
    """MSR Action3D's Kinect slides the legs or loses the skeleton once the trunk points at it."""
    def failures(clip: np.ndarray) -> bool:
        present = clip[2, :, :, 0] > 0  # (T, 18)
        lost_frames = (~present).all(axis=1).any()
        ankle_y = np.where(present[:, J["right_ankle"]], clip[1, :, J["right_ankle"], 0], np.nan)
        slid = np.nanmax(ankle_y) - np.nanmin(ankle_y) > 0.08  # a standing person's ankle stays put
        return bool(lost_frames or slid)

    bends = [failures(clip) for clip in _depth_sensor_clips("bending forward", 12)]
    still = [failures(clip) for clip in _depth_sensor_clips("standing still", 12)]
    assert sum(bends) >= sum(still) + 5  # (still clips: only the usual brief "nobody found" frames)
    for clip in _depth_sensor_clips("push-up", 4):  # floor exercises keep their skeleton
        assert (clip[2] > 0).mean() > 0.3


def _hip_motion(clip: np.ndarray) -> tuple[float, float]:
    """(p95 − p5 of the mid-hip's height, std of its frame-to-frame change), in torso lengths,
    of a clip `(3, T, 18, 1)` normalized once per clip, as the model sees it."""
    x = normalize_clip(torch.from_numpy(clip), OPENPOSE18).numpy()  # (3, T, 18, 1)
    both = (x[2, :, [J["right_hip"], J["left_hip"]], 0] > 0).all(axis=0)  # (T,)
    height = 0.5 * (x[1, both, J["right_hip"], 0] + x[1, both, J["left_hip"], 0])  # (T',)
    return float(np.percentile(height, 95) - np.percentile(height, 5)), float(np.std(np.diff(height)))


def test_the_body_goes_along_with_arm_actions_but_only_jogging_bobs_with_each_step():
    """MSR Action3D's people move their hips about 0.1 torso lengths while they punch or
    wave, as much as while they jog; what only jogging has is a bob at every step."""
    punches = np.array([_hip_motion(clip) for clip in _depth_sensor_clips("punching", 16)])  # (16, 2)
    still = np.array([_hip_motion(clip) for clip in _depth_sensor_clips("standing still", 16)])
    jogs = np.array([_hip_motion(clip) for clip in _depth_sensor_clips("jogging in place", 16)])
    assert np.median(punches[:, 0]) > 1.6 * np.median(still[:, 0])
    assert np.median(jogs[:, 1]) > 2 * np.median(punches[:, 1])
