"""HDM05 motion capture: every take reads as a rigid 18-joint body, and a webcam in front sees it whole."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from recognizer.data.hdm05 import HDM05_TO_OURS, hips_facing, list_takes, read_take, webcam_view
from recognizer.skeleton import OPENPOSE18

J = {name: i for i, name in enumerate(OPENPOSE18.joints)}
BONES = [("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"), ("left_hip", "left_knee"),
         ("left_knee", "left_ankle"), ("right_ear", "left_ear")]


@pytest.fixture(scope="module")
def takes(mocap_root):
    return list_takes(mocap_root)


@pytest.fixture(scope="module")
def one_take_per_class(takes):
    first = {}
    for take in takes:
        first.setdefault(take.folder, take)
    return {folder: read_take(take) for folder, take in first.items()}


def test_every_take_is_listed_with_our_label_where_it_has_one(takes):
    assert len(takes) == 287  # as ../shared/data/mocap/README.md counts them
    counts = Counter(take.label for take in takes)
    assert counts == {"squat": 52, "kicking": 29, "arm circles": 16, "jogging in place": 17, None: 173}
    assert {take.actor for take in takes} == {"bd", "bk", "dg", "mm", "tr"}
    assert set(HDM05_TO_OURS) <= {take.folder for take in takes}


def test_bones_keep_their_length_and_the_face_looks_where_the_hips_face(one_take_per_class):
    for folder, joints in one_take_per_class.items():
        assert joints.shape[1:] == (18, 3) and np.isfinite(joints).all(), folder
        for a, b in BONES:
            length = np.linalg.norm(joints[:, J[a]] - joints[:, J[b]], axis=-1)
            assert length.std() < 1e-6 + 1e-3 * length.mean(), (folder, a, b)
        first = joints[0]
        facing = hips_facing(first)
        ears = 0.5 * (first[J["right_ear"]] + first[J["left_ear"]])
        assert (first[J["nose"]] - ears) @ facing > 0.05, folder  # the nose is in front
        assert first[J["nose"], 1] > first[J["neck"], 1] + 0.1, folder
        assert 1.4 < first[:, 1].max() - first[:, 1].min() < 2.1, folder  # a standing adult, in metres


def test_takes_are_sampled_at_the_rate_asked(takes):
    take = takes[0]
    assert len(read_take(take, fps=15.0)) == pytest.approx(len(read_take(take, fps=30.0)) / 2, abs=1)
    with pytest.raises(ValueError, match="divide"):
        read_take(take, fps=25.0)


def test_a_webcam_in_front_sees_the_whole_body_unmirrored(one_take_per_class):
    for folder, joints in one_take_per_class.items():
        data = webcam_view(joints)
        assert data.shape == (3, len(joints), 18, 1) and data.dtype == np.float32
        assert (data[2] == 1).all(), folder  # everyone in the picture
        assert ((data[:2] > 0.0) & (data[:2] < 1.0)).all(), folder
        assert 0.5 < np.ptp(data[1]) < 0.95, folder  # filling most of the picture
        # Facing the camera, the actor's left side is on the picture's right.
        assert (data[0, 0, J["left_shoulder"]] > data[0, 0, J["right_shoulder"]]).all(), folder
        side = webcam_view(joints, yaw_degrees=90.0)
        width = np.abs(side[0, 0, J["left_shoulder"]] - side[0, 0, J["right_shoulder"]])
        assert width < 0.5 * np.abs(data[0, 0, J["left_shoulder"]] - data[0, 0, J["right_shoulder"]]), folder


def test_a_wider_picture_makes_the_body_narrower_for_its_height(one_take_per_class):
    """The picture's x is in its widths and y in its heights, so a 16:9 webcam (most laptops')
    shows a body 4:3 / 16:9 = 0.75 times as wide for its height as a 4:3 one: the shape
    difference the model has to live with."""
    def width_for_height(view):  # (first frame) shoulder width / neck-to-ankle height
        frame = view[:2, 0, :, 0]  # (2, 18)
        width = abs(frame[0, J["left_shoulder"]] - frame[0, J["right_shoulder"]])
        return width / (frame[1, J["right_ankle"]] - frame[1, J["neck"]])

    for folder, joints in one_take_per_class.items():
        wide = webcam_view(joints, aspect=16 / 9)
        assert ((wide[:2] > 0.0) & (wide[:2] < 1.0)).all(), folder
        ratio = width_for_height(wide) / width_for_height(webcam_view(joints))
        assert ratio == pytest.approx(0.75, rel=0.05), folder
