"""The bundled pose model on real photos of people, and the MediaPipe → OpenPose-18 mapping."""

import json
from pathlib import Path

import numpy as np
import pytest

from recognizer.errors import BadFileError
from recognizer.pose import PoseConfig, PoseEstimator, to_openpose18
from recognizer.skeleton import OPENPOSE18
from tests.conftest import read_rgb

REFERENCE = Path(__file__).parent / "fixtures" / "mediapipe_0_10_21_reference.json"
J = OPENPOSE18.index


def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


def estimate_one(rgb: np.ndarray, **config) -> np.ndarray:
    with PoseEstimator(PoseConfig(**config)) as pose:
        return pose.estimate(rgb, 0.0)


@pytest.fixture(scope="module")
def photos(opencv_samples) -> dict[str, np.ndarray]:
    return {"astronaut": astronaut(),
            "messi5": read_rgb(opencv_samples / "messi5.jpg"),
            "basketball1": read_rgb(opencv_samples / "basketball1.png")}


def test_bundle_agrees_with_mediapipe_reference_graph(photos):
    """A wrong input normalization still finds people but is off by ~2 px mean / ~18 px max;
    the right one agrees with mediapipe 0.10.21's own graph to about half a pixel."""
    reference = json.loads(REFERENCE.read_text())
    for name, rgb in photos.items():
        with PoseEstimator(PoseConfig(max_persons=1)) as pose:
            ours = pose.detect33(rgb, 0.0)[0, :, :2] * [rgb.shape[1], rgb.shape[0]]  # (33, 2) pixels
        theirs = np.array(reference[name]["landmarks"])[:, :2] * reference[name]["size"]
        error = np.linalg.norm(ours - theirs, axis=1)
        assert error.mean() < 1.0, f"{name}: mean error {error.mean():.2f} px"
        assert error.max() < 6.0, f"{name}: max error {error.max():.2f} px"


@pytest.mark.parametrize("name", ["astronaut", "messi5", "basketball1"])
def test_mapping_on_real_people_facing_the_camera(photos, name):
    skeleton = estimate_one(photos[name])[0]  # (18, 3)
    x, y, score = skeleton.T
    assert (skeleton[:, :2] >= 0).all() and (skeleton[:, :2] <= 1).all()
    assert y[J("nose")] < y[J("neck")], "nose above neck"
    assert x[J("right_shoulder")] < x[J("left_shoulder")], "the person's right shoulder is on the image left"
    assert x[J("right_eye")] < x[J("left_eye")]
    assert score[J("neck")] > 0.5 and score[J("right_shoulder")] > 0.5
    shoulders = np.hypot(*(skeleton[J("left_shoulder"), :2] - skeleton[J("right_shoulder"), :2]))
    neck = skeleton[J("neck"), :2]
    np.testing.assert_allclose(neck, (skeleton[J("left_shoulder"), :2] + skeleton[J("right_shoulder"), :2]) / 2,
                               atol=1e-6)
    for a, b in (("right_shoulder", "right_elbow"), ("left_shoulder", "left_elbow"), ("neck", "nose")):
        if score[J(a)] > 0.5 and score[J(b)] > 0.5:
            bone = np.hypot(*(skeleton[J(a), :2] - skeleton[J(b), :2]))
            assert 0.25 * shoulders < bone < 2.0 * shoulders, f"{a}-{b} has a plausible length"


def test_two_people_are_both_found(opencv_samples):
    skeletons = estimate_one(read_rgb(opencv_samples / "basketball2.png"), max_persons=2)
    assert skeletons.shape == (2, 18, 3)
    necks = sorted(skeletons[:, J("neck"), 0])
    assert necks[0] < 0.3 and necks[1] > 0.7, "one player on each side of the photo"


def test_no_person_gives_empty_array():
    empty = np.full((240, 320, 3), 128, np.uint8)
    assert estimate_one(empty).shape == (0, 18, 3)


def test_joints_outside_the_image_are_marked_unseen():
    pose33 = np.zeros((1, 33, 3), np.float32)
    pose33[0, :, :2] = 0.5
    pose33[0, :, 2] = 0.9
    pose33[0, 28] = (0.5, 1.2, 0.8)  # right ankle below the frame
    out = to_openpose18(pose33)
    assert (out[0, J("right_ankle")] == 0).all()
    assert out[0, J("left_ankle"), 2] == pytest.approx(0.9)


def test_video_timestamps_need_not_increase():
    rgb = astronaut()
    with PoseEstimator() as pose:
        for t in (0.0, 0.0, 0.01, 0.005):  # repeated and backwards stamps are nudged forward
            assert pose.estimate(rgb, t).shape == (1, 18, 3)


def test_missing_or_wrong_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(BadFileError, match="not found"):
        PoseEstimator(PoseConfig(model_path=tmp_path / "nope.task"))
    bogus = tmp_path / "bogus.task"
    bogus.write_text("not a model")
    with pytest.raises(BadFileError, match="not a usable pose model"):
        PoseEstimator(PoseConfig(model_path=bogus))
