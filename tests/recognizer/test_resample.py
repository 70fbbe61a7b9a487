"""Resampling makes a 15, 30 or 60 fps camera give the model the same window."""

import numpy as np
import pytest

from recognizer.resample import TimeResampler, interpolate


def motion(t: float) -> np.ndarray:
    """A smooth `(3, 18, 2)` frame at time t: joints on circles, all seen."""
    frame = np.zeros((3, 18, 2), np.float32)
    phase = np.arange(18)[:, None] * 0.3 + np.array([0.0, 1.0])
    frame[0] = 0.5 + 0.2 * np.cos(2 * np.pi * 0.7 * t + phase)
    frame[1] = 0.5 + 0.2 * np.sin(2 * np.pi * 0.7 * t + phase)
    frame[2] = 1.0
    return frame


def resampled(camera_fps: float, seconds: float = 3.0, jitter: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(1)
    resampler = TimeResampler(fps=30.0)
    out = []
    for i in range(int(seconds * camera_fps)):
        t = i / camera_fps + (rng.uniform(-jitter, jitter) if i else 0.0)
        out.extend(resampler.push(motion(t), t))
    return np.stack(out, axis=1)  # (C, T, V, M)


@pytest.mark.parametrize("camera_fps", [15.0, 60.0, 24.0])
def test_other_frame_rates_give_the_same_window(camera_fps):
    reference = resampled(30.0)
    other = resampled(camera_fps)
    n = min(reference.shape[1], other.shape[1])
    assert abs(reference.shape[1] - other.shape[1]) <= 2, "same number of model frames per second"
    error = np.abs(reference[:2, :n] - other[:2, :n]).max()
    assert error < 0.02, f"{camera_fps} fps differs by {error:.3f} (linear interpolation of a 0.7 Hz circle)"


def test_jittered_timestamps_still_land_on_the_grid():
    truth = np.stack([motion(i / 30.0) for i in range(88)], axis=1)
    got = resampled(30.0, jitter=0.004)
    n = min(truth.shape[1], got.shape[1])
    assert np.abs(truth[:2, :n] - got[:2, :n]).max() < 0.02


def test_joint_seen_only_in_the_far_frame_is_not_invented():
    a, b = motion(0.0), motion(0.1)
    a[:, 4, 0] = 0.0  # right wrist unseen in the earlier frame
    near_a = interpolate(a, b, 0.2)
    assert (near_a[:, 4, 0] == 0).all()
    near_b = interpolate(a, b, 0.8)
    np.testing.assert_array_equal(near_b[:, 4, 0], b[:, 4, 0])


def test_long_pause_restarts_the_grid_and_repeated_stamps_are_ignored():
    resampler = TimeResampler(fps=30.0, max_gap_s=0.5)
    assert len(resampler.push(motion(0.0), 0.0)) == 1
    assert resampler.push(motion(0.0), 0.0) == []
    assert len(resampler.push(motion(2.0), 2.0)) == 1, "a 2 s stall does not produce 60 invented frames"
