"""MSR Action3D: every real file parses, defects are masked, the picture is flipped to a camera view."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recognizer.data.msr import (
    MsrName,
    action_names,
    list_msr,
    msr_clip,
    msr_to_openpose18,
    parse_msr_name,
    read_msr_skeleton,
)
from recognizer.errors import BadFileError
from recognizer.skeleton import KINECT20, OPENPOSE18

SENTINEL_FILES = ("a06_s03_e01", "a11_s08_e01", "a18_s01_e02", "a20_s08_e03")


@pytest.fixture(scope="module")
def all_samples(msr_root):
    return {path.name[:11]: read_msr_skeleton(path) for path in list_msr(msr_root)}


def test_all_567_parse(all_samples):
    assert len(all_samples) == 567
    assert sum(len(s.joints) for s in all_samples.values()) == 22_797  # frames, as the README counts
    for sample in all_samples.values():
        data = msr_to_openpose18(sample)
        assert data.shape == (3, len(sample.joints), 18, 1) and data.dtype == np.float32
        assert np.isfinite(data).all()
        present = data[2] > 0
        # Inside the flipped image, but for a few feet the sensor placed below its bottom edge.
        assert ((data[:2] >= 0) & (data[:2] <= 1.5))[:, present].all()


def test_action_names(msr_root):
    names = action_names(msr_root)
    assert len(names) == 20 and names[0] == "high arm wave" and names[19] == "pick up & throw"
    sample = read_msr_skeleton(msr_root / "skeleton20" / "a10_s02_e01_skeleton.txt")
    clip = msr_clip(sample, names)
    assert (clip.label, clip.label_index, clip.meta["subject"]) == ("hand clap", 9, 2)


@pytest.mark.parametrize("name", SENTINEL_FILES)
def test_overflow_sentinel_is_missing(all_samples, name):
    sample = all_samples[name]
    sentinel = sample.joints[..., 1] > 1e6
    assert sentinel.any()
    assert not sample.present[sentinel].any()
    data = msr_to_openpose18(sample)
    assert data.max() <= 1.5  # no 2.1e9 / 240 leaks through


def test_sentinel_count_matches_the_readme(all_samples):
    assert sum(int((s.joints[..., 1] > 1e6).sum()) for s in all_samples.values()) == 85


def test_lost_tracking_frames_are_missing(all_samples):
    empty = all_samples["a13_s09_e02"]  # entirely zeros
    assert not empty.present.any()
    assert not msr_to_openpose18(empty).any()
    late_start = all_samples["a07_s04_e01"]  # 36 zero frames out of 45 at the start
    assert len(late_start.joints) == 45
    assert not late_start.present[:36].any() and late_start.present[36:].any()


def test_right_side_on_image_left_after_flip(all_samples):
    """The person's right shoulder is on the image left (smaller x), as in an ordinary camera."""
    rs, ls = OPENPOSE18.index("right_shoulder"), OPENPOSE18.index("left_shoulder")
    both = right_left = 0
    for sample in all_samples.values():
        data = msr_to_openpose18(sample)[..., 0]  # (3, T, 18)
        visible = (data[2, :, rs] > 0) & (data[2, :, ls] > 0)
        both += int(visible.sum())
        right_left += int((data[0, visible, rs] < data[0, visible, ls]).sum())
    assert both > 20_000 and right_left / both > 0.95


def test_kinect_order_and_wave_hand(all_samples):
    """Reordered to Kinect SDK v1: the head is on top, and high arm wave raises the right wrist."""
    sample = all_samples["a01_s01_e01"]
    head, hip = KINECT20.index("head"), KINECT20.index("hip_center")
    ok = sample.present[:, head] & sample.present[:, hip]
    assert (sample.joints[ok, head, 1] < sample.joints[ok, hip, 1]).all()
    data = msr_to_openpose18(sample)[..., 0]
    rw, lw, neck = (OPENPOSE18.index(n) for n in ("right_wrist", "left_wrist", "neck"))
    assert data[1, :, rw].min() < data[1, :, neck].min() < data[1, :, lw].min()


def test_names():
    assert parse_msr_name("a20_s08_e03_skeleton.txt") == MsrName(20, 8, 3)
    assert parse_msr_name("a01_s01_e01_skeleton3D.txt") == MsrName(1, 1, 1)
    with pytest.raises(BadFileError, match="MSR Action3D file name"):
        parse_msr_name("a1_s01_e01_skeleton.txt")


LINE = "  1.2000000e+002  8.0000000e+001  6.6900000e+002  1.0000000e+000"


@pytest.mark.parametrize("text, problem", [
    ("", "empty"),
    (LINE + "\n", "whole number of 20-joint frames"),
    ("1 2 3\n" * 20, "expected 4"),
    ((LINE + "\n") * 19 + "1 2 3 x\n", "not a number"),
    ((LINE + "\n") * 19 + "1 2 3 nan\n", "NaN"),
    ((LINE + "\n") * 19 + "1e300 2 3 1\n", "far outside"),
])
def test_bad_files(tmp_path, text, problem):
    path = tmp_path / "a01_s01_e01_skeleton.txt"
    path.write_text(text)
    with pytest.raises(BadFileError, match=problem):
        read_msr_skeleton(path)


_VALID = "\n".join([LINE] * 40)


@st.composite
def _mutated_valid(draw):
    lines = _VALID.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.one_of(st.just(""), st.text(alphabet="0123456789 .-+eEnaif\t", max_size=40),
                                  st.sampled_from(["1 2 3 2147480000", "0 0 0 0", "1e309 1 1 1"])))
    return "\n".join(lines).encode("ascii")


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.one_of(st.binary(max_size=200), _mutated_valid()))
def test_fuzz_read_msr_skeleton(fuzz_dir, content):
    path = fuzz_dir / "a01_s01_e01_skeleton.txt"
    path.write_bytes(content)
    try:
        sample = read_msr_skeleton(path)
    except BadFileError:
        return
    assert np.isfinite(msr_to_openpose18(sample)).all()
