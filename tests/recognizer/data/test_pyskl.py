"""pyskl export: the annotation layout pyskl loads, in pixels, readable by numpy 1.x too."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from recognizer.data.formats import SkeletonClip
from recognizer.data.pyskl import export_pyskl


def _clips():
    rng = np.random.default_rng(1)
    a = rng.random((3, 8, 18, 2)).astype(np.float32)
    a[:, :, :, 1] = 0  # second person never present: dropped
    b = rng.random((3, 5, 18, 2)).astype(np.float32)
    return [SkeletonClip(a, "wave", 0), SkeletonClip(b, "clap", 1)]


def test_round_trip(tmp_path):
    clips = _clips()
    path = tmp_path / "ours.pkl"
    export_pyskl(path, clips, ["clip_a", "clip_b"], split={"train": ["clip_a"], "val": ["clip_b"]},
                 img_shape=(480, 640))
    raw = path.read_bytes()
    assert b"numpy._core" not in raw  # loadable by the numpy 1.x of pyskl environments
    doc = pickle.loads(raw)
    assert doc["split"] == {"train": ["clip_a"], "val": ["clip_b"]}
    first, second = doc["annotations"]
    assert first["frame_dir"] == "clip_a" and first["label"] == 0 and first["total_frames"] == 8
    assert first["img_shape"] == first["original_shape"] == (480, 640)
    assert first["keypoint"].shape == (1, 8, 18, 2) and first["keypoint"].dtype == np.float32
    assert first["keypoint_score"].shape == (1, 8, 18) and first["keypoint_score"].dtype == np.float32
    assert second["keypoint"].shape == (2, 5, 18, 2)
    a = clips[0].data
    np.testing.assert_allclose(first["keypoint"][0, ..., 0], a[0, ..., 0] * 640, rtol=1e-6)
    np.testing.assert_allclose(first["keypoint"][0, ..., 1], a[1, ..., 0] * 480, rtol=1e-6)
    np.testing.assert_array_equal(first["keypoint_score"][0], a[2, ..., 0])
    first["keypoint"][0, 0, 0, 0] = 1.0  # pyskl transforms write into these arrays


def test_default_split_and_bad_input(tmp_path):
    path = tmp_path / "x.pkl"
    export_pyskl(path, _clips(), ["a", "b"])
    assert pickle.loads(path.read_bytes())["split"] == {"train": ["a", "b"]}
    with pytest.raises(ValueError, match="label_index"):
        export_pyskl(path, [SkeletonClip(np.zeros((3, 2, 18, 1), np.float32))], ["a"])
    with pytest.raises(ValueError, match="unique"):
        export_pyskl(path, _clips(), ["a", "a"])
    with pytest.raises(ValueError, match="not exported"):
        export_pyskl(path, _clips(), ["a", "b"], split={"val": ["c"]})
