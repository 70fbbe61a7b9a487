"""Augmentation: mirror is an involution that swaps sides, the others keep the missing-joint rule."""

from __future__ import annotations

import numpy as np
import pytest

from recognizer.data.augment import (
    Augment,
    affine,
    jitter,
    joint_dropout,
    mirror,
    mirror_label,
    partial_framing,
)
from recognizer.skeleton import OPENPOSE18, mirror_permutation

PERM = mirror_permutation(OPENPOSE18)
RS, LS = OPENPOSE18.index("right_shoulder"), OPENPOSE18.index("left_shoulder")


def standing_person(T=10) -> np.ndarray:
    """A front-facing person: right side on the image left, head at the top."""
    xy = {
        "nose": (0.50, 0.20), "neck": (0.50, 0.30), "right_shoulder": (0.42, 0.30), "right_elbow": (0.40, 0.42),
        "right_wrist": (0.39, 0.52), "left_shoulder": (0.58, 0.30), "left_elbow": (0.60, 0.42),
        "left_wrist": (0.61, 0.52), "right_hip": (0.46, 0.55), "right_knee": (0.46, 0.72),
        "right_ankle": (0.46, 0.90), "left_hip": (0.54, 0.55), "left_knee": (0.54, 0.72),
        "left_ankle": (0.54, 0.90), "right_eye": (0.48, 0.18), "left_eye": (0.52, 0.18),
        "right_ear": (0.46, 0.19), "left_ear": (0.54, 0.19),
    }
    data = np.zeros((3, T, 18, 2), np.float32)
    for j, name in enumerate(OPENPOSE18.joints):
        data[0, :, j, 0], data[1, :, j, 0] = xy[name]
        data[2, :, j, 0] = 0.9
    data[0, :, :, 0] += np.linspace(0, 0.05, T)[:, None]  # walks right a little
    return data


def assert_missing_are_zero(data):
    assert not data[:2][:, data[2] == 0].any()


def test_mirror_twice_is_identity():
    data = standing_person()
    data[:, 3, 5, 0] = 0  # a missing joint stays missing
    np.testing.assert_allclose(mirror(mirror(data, PERM), PERM), data, atol=1e-6)


def test_mirror_swaps_sides_and_flips_x():
    data = standing_person()
    out = mirror(data, PERM)
    # The mirrored right shoulder is where the left one's mirror image lies: still on the image left.
    np.testing.assert_allclose(out[0, :, RS, 0], 1 - data[0, :, LS, 0], atol=1e-6)
    assert (out[0, :, RS, 0] < out[0, :, LS, 0]).all()
    np.testing.assert_array_equal(out[1], data[1][:, PERM])
    assert not out[:, :, :, 1].any()  # the absent second person stays absent
    assert mirror_label("wave right hand", [("wave right hand", "wave left hand")]) == "wave left hand"
    assert mirror_label("wave left hand", [("wave right hand", "wave left hand")]) == "wave right hand"
    assert mirror_label("clap", [("wave right hand", "wave left hand")]) == "clap"


def test_affine_identity_and_rotation():
    data = standing_person()
    np.testing.assert_allclose(affine(data, 0.0, 1.0, (0.0, 0.0)), data, atol=1e-6)
    turned = affine(data, 90.0, 1.0, (0.0, 0.0))
    # A quarter turn makes the standing body lie: its vertical extent becomes horizontal.
    assert np.ptp(turned[0][data[2] > 0]) > 2 * np.ptp(turned[1][data[2] > 0])
    assert_missing_are_zero(turned)


def test_partial_framing_cuts_the_legs():
    data = standing_person()
    cut = partial_framing(data, 0.5)
    for name in ("right_knee", "left_ankle"):
        assert not cut[:, :, OPENPOSE18.index(name), 0].any()
    for name in ("nose", "neck", "right_wrist"):
        assert (cut[2, :, OPENPOSE18.index(name), 0] > 0).all()


def test_dropout_and_jitter_keep_missing_joints_zero():
    rng = np.random.default_rng(0)
    data = standing_person(T=50)
    dropped = joint_dropout(data, 0.3, rng)
    share = 1 - (dropped[2, :, :, 0] > 0).mean()
    assert 0.2 < share < 0.4
    assert_missing_are_zero(dropped)
    noisy = jitter(dropped, 0.01, rng)
    assert_missing_are_zero(noisy)
    assert 0.005 < np.std((noisy - dropped)[:2][:, dropped[2] > 0]) < 0.015


def test_augment_is_reproducible_and_leaves_input_alone():
    data = standing_person()
    before = data.copy()
    augment = Augment(mirror_p=1.0, mirror_label_pairs=(("wave right hand", "wave left hand"),), framing_p=1.0)
    a, label = augment(data, "wave right hand", np.random.default_rng(5))
    b, _ = augment(data, "wave right hand", np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(data, before)
    assert label == "wave left hand" and a.dtype == np.float32 and a.shape == data.shape
    assert_missing_are_zero(a)


def test_augment_validates():
    with pytest.raises(ValueError, match="probability"):
        Augment(mirror_p=1.5)
    with pytest.raises(ValueError, match="scale"):
        Augment(scale=(1.2, 0.8))
