"""The one preprocessing path: centring, clip normalization, crop + resize in time, any device."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from recognizer.preprocess import (
    Preprocessing,
    center_crop_resize,
    center_on_first_frame,
    live_window,
    motion_peak,
    normalize_clip,
    random_crop_resize,
    valid_length,
)
from recognizer.skeleton import OPENPOSE18

NECK, R_HIP, L_HIP = OPENPOSE18.index("neck"), OPENPOSE18.index("right_hip"), OPENPOSE18.index("left_hip")
POSE = {  # a front-facing person in normalized image coordinates
    "nose": (0.50, 0.20), "neck": (0.50, 0.30), "right_shoulder": (0.42, 0.30), "right_elbow": (0.40, 0.42),
    "right_wrist": (0.39, 0.52), "left_shoulder": (0.58, 0.30), "left_elbow": (0.60, 0.42),
    "left_wrist": (0.61, 0.52), "right_hip": (0.46, 0.55), "right_knee": (0.46, 0.72),
    "right_ankle": (0.46, 0.90), "left_hip": (0.54, 0.55), "left_knee": (0.54, 0.72),
    "left_ankle": (0.54, 0.90), "right_eye": (0.48, 0.18), "left_eye": (0.52, 0.18),
    "right_ear": (0.46, 0.19), "left_ear": (0.54, 0.19),
}


def person(T=40, dy=None) -> torch.Tensor:
    """`(3, T, 18, 2)`: one person (slot 0), optionally moving down by dy[t]; slot 1 empty."""
    x = torch.zeros(3, T, 18, 2)
    for j, name in enumerate(OPENPOSE18.joints):
        x[0, :, j, 0], x[1, :, j, 0] = POSE[name]
        x[2, :, j, 0] = 0.9
    if dy is not None:
        x[1, :, :, 0] += torch.as_tensor(dy, dtype=torch.float32)[:, None]
    return x


def ramp(T=20) -> torch.Tensor:
    """Every coordinate equals the frame number: resizing must give a straight line."""
    x = torch.ones(3, T, 18, 1)
    x[:2] = torch.arange(T, dtype=torch.float32)[:, None, None]
    return x


def test_valid_length():
    x = ramp(20)
    x[:, 15:] = 0
    assert valid_length(x) == 15
    x[:, 3] = 0  # an empty frame in the middle does not end the clip
    assert valid_length(x) == 15
    batch = torch.stack([x, ramp(20), torch.zeros_like(x)])
    assert valid_length(batch).tolist() == [15, 20, 0]


def test_center_on_first_frame():
    x = person(T=5)
    x[0, :, :, 0] += torch.linspace(0, 0.2, 5)[:, None]  # walks right
    x[:, 0, NECK, 0] = 0  # the neck is missing in frame 1: frame 2 gives the origin
    x[:, 2, 7, 0] = 0  # a missing wrist must stay zero
    out = center_on_first_frame(x, NECK)
    assert torch.allclose(out[:2, 1, NECK, 0], torch.zeros(2), atol=1e-6)
    origin = x[:2, 1, NECK, 0]
    present = x[2] > 0
    assert torch.allclose(out[:2][:, present], (x[:2] - origin[:, None, None, None])[:, present])
    assert not out[:, 2, 7, 0].any() and not out[:, :, :, 1].any()
    assert torch.equal(out[2], x[2])  # scores untouched


def test_center_shares_the_origin_between_persons():
    x = person(T=3)
    x[:, :, :, 1] = x[:, :, :, 0]
    x[0, :, :, 1] += 0.3  # second person stands to the right
    out = center_on_first_frame(x, NECK)
    expected = (x[:2, 0, NECK, 0] + x[:2, 0, NECK, 1]) / 2
    assert torch.allclose(out[:2, 0, NECK, 0], x[:2, 0, NECK, 0] - expected, atol=1e-6)
    assert torch.allclose(out[0, 0, NECK, 1] - out[0, 0, NECK, 0], torch.tensor(0.3), atol=1e-6)


def test_center_without_the_joint_changes_nothing():
    x = person(T=4)
    x[:, :, NECK] = 0
    assert torch.equal(center_on_first_frame(x, NECK), x)


def test_normalize_clip_centres_and_scales_once_per_clip():
    squat = torch.cat([torch.zeros(10), torch.linspace(0, 0.2, 20), torch.full((10,), 0.2)])
    x = person(T=40, dy=squat)
    out = normalize_clip(x, OPENPOSE18)
    hip = (out[:2, :, R_HIP, 0] + out[:2, :, L_HIP, 0]) / 2  # (2, T)
    torso = (out[:2, :, NECK, 0] - hip).norm(dim=0)
    assert torch.allclose(torso, torch.ones(40), atol=1e-5)  # median torso length is the unit
    assert hip[1].median().abs() < 1e-5 and hip[0].abs().max() < 1e-5
    # The squat still shows: the body moves down by 0.2 / torso (0.25) = 0.8 torso lengths.
    assert torch.allclose(hip[1, -1] - hip[1, 0], torch.tensor(0.8), atol=1e-4)
    assert not out[:, :, :, 1].any()


def test_normalize_clip_ignores_missing_joints():
    x = person(T=20)
    full = normalize_clip(x, OPENPOSE18)
    holes = x.clone()
    holes[:, ::3, R_HIP] = 0  # one hip missing now and then
    holes[:, 5:9, NECK] = 0
    out = normalize_clip(holes, OPENPOSE18)
    present = holes[2] > 0
    assert torch.allclose(out[:2][:, present], full[:2][:, present], atol=1e-5)
    assert not out[:, 5:9, NECK].any()


def test_normalize_clip_at_a_desk_matches_the_full_body():
    """Hips never visible: torso and hip centre come from the shoulders, close to the full-body result."""
    x = person(T=10)
    full = normalize_clip(x, OPENPOSE18)
    desk = x.clone()
    desk[:, :, 8:14] = 0  # hips, knees, ankles out of the frame
    out = normalize_clip(desk, OPENPOSE18)
    upper = [OPENPOSE18.index(n) for n in ("nose", "neck", "right_shoulder", "left_wrist", "right_ear")]
    assert torch.allclose(out[:2][:, :, upper], full[:2][:, :, upper], atol=0.1)
    assert not out[:, :, 8:14].any()


def test_normalize_clip_with_only_a_face_and_an_empty_clip():
    x = person(T=4)
    x[:, :, 1:14] = 0
    out = normalize_clip(x, OPENPOSE18)
    assert torch.isfinite(out).all() and out[:2][:, x[2] > 0].abs().max() < 0.1  # centred on the face
    assert torch.equal(normalize_clip(torch.zeros(3, 4, 18, 2), OPENPOSE18), torch.zeros(3, 4, 18, 2))


def test_resize_matches_torch_interpolate():
    x = torch.rand(3, 37, 18, 2)
    x[2] = x[2] * 0.9 + 0.1  # every joint present
    out = center_crop_resize(x, 64, ratio=1.0)
    seq = x.permute(0, 2, 3, 1).reshape(1, -1, 37)  # (1, C*V*M, T)
    expected = F.interpolate(seq, size=64, mode="linear", align_corners=False)
    assert torch.allclose(out, expected.reshape(3, 18, 2, 64).permute(0, 3, 1, 2), atol=1e-6)


def test_short_clip_is_stretched_to_T():
    x = ramp(30)  # one repetition of an exercise
    out = center_crop_resize(x, 64)
    assert out.shape == (3, 64, 18, 1)
    line = out[0, :, 0, 0]
    assert (line[1:] >= line[:-1]).all() and line[0] >= 0 and line[-1] <= 29
    train = random_crop_resize(x, 64, generator=torch.Generator().manual_seed(0))
    assert train.shape == (3, 64, 18, 1) and (train[2] > 0).all()


def test_center_crop_is_central_and_skips_padding():
    x = ramp(100)
    x[:, 80:] = 0  # zero padding after the clip
    out = center_crop_resize(x, 76, ratio=0.95)  # 0.95 · 80 = 76 frames: no resampling
    assert torch.allclose(out[0, :, 0, 0], torch.arange(2, 78, dtype=torch.float32))


def test_random_crop_ranges_and_reproducibility():
    batch = torch.stack([ramp(50)] * 64)
    batch[:32, :, 40:] = 0  # half the batch is padded after 40 frames
    g = torch.Generator().manual_seed(3)
    out = random_crop_resize(batch, 16, (0.5, 1.0), generator=g)
    assert out.shape == (64, 3, 16, 18, 1)
    again = random_crop_resize(batch, 16, (0.5, 1.0), generator=torch.Generator().manual_seed(3))
    assert torch.equal(out, again)
    first, last = out[:, 0, 0, 0, 0], out[:, 0, -1, 0, 0]
    span = last - first  # ≈ crop length · (1 − 1/16)
    assert (first >= 0).all() and (last[:32] <= 39).all() and (last <= 49).all()
    assert span[32:].min() > 0.4 * 50 and span.max() < 50
    assert span.std() > 2  # each sequence got its own ratio
    assert (out[:, 2] > 0).all()  # padding never sampled


def test_live_window_is_a_span_the_engine_could_see():
    batch = torch.stack([ramp(100)] * 64)
    batch[:16, :, 6:] = 0  # a quarter of the batch is a 6-frame clip, shorter than the shortest span
    out = live_window(batch, 32, generator=torch.Generator().manual_seed(5))
    assert out.shape == batch.shape
    again = live_window(batch, 32, generator=torch.Generator().manual_seed(5))
    assert torch.equal(out, again)
    spans = valid_length(out)
    assert (spans[:16] == 6).all()  # the whole short clip
    assert spans[16:].min() >= 8 and spans[16:].max() <= 32 and spans[16:].float().std() > 4
    for window, span in zip(out, spans):
        frames = window[0, :span, 0, 0]  # the ramp: source frame numbers
        assert torch.equal(frames, frames[0] + torch.arange(int(span), dtype=frames.dtype))  # consecutive
        assert frames[-1] <= 99 and (window[:, span:] == 0).all()  # missing after the span
    starts = out[16:, 0, 0, 0, 0]
    assert starts.min() < 10 and starts.max() > 60  # anywhere in the clip, its start included


def waving(T=100, moving=range(70, 81)) -> torch.Tensor:
    """`(3, T, 18, 1)`: a person at rest who waves the right wrist over the frames `moving`; the
    score encodes the source frame (0.5 + frame / 1000) so a window tells where it came from."""
    x = person(T)[..., :1].clone()
    wrist = OPENPOSE18.index("right_wrist")
    for t in moving:
        x[0, t, wrist, 0] += 0.08 * (1 if t % 2 else -1)
    x[2] = 0.5 + torch.arange(T, dtype=torch.float32)[:, None, None] / 1000
    return x


def test_motion_peak_is_where_the_clip_moves_not_a_detector_glitch():
    x = waving(moving=range(70, 81))
    glitch = x.clone()
    glitch[:2, 10, OPENPOSE18.index("nose")] += 0.3  # one frame's false detection, twice the waving's step
    for clip in (x, glitch):
        assert 70 <= motion_peak(clip, 8) <= 80
    assert motion_peak(waving(moving=range(0)), 8) <= 1  # a clip that never moves: its start
    batch = torch.stack([x, waving(moving=range(20, 31))])
    assert motion_peak(batch, 8).tolist() == [motion_peak(x, 8), motion_peak(batch[1], 8)]


def test_live_windows_at_motion_hold_the_movement():
    """A window of an action clip must not hold only the rest around the performance."""
    batch = torch.stack([waving(moving=range(70, 81))] * 200)
    generator = torch.Generator().manual_seed(3)
    for at, always in (("motion", True), ("anywhere", False)):
        out = live_window(batch, 32, generator=generator, at=at)
        spans = valid_length(out)
        source = ((out[:, 2, :, 0, 0] - 0.5) * 1000).round()  # (N, T0) source frame of each sample
        holds = torch.stack([((s[:n] >= 70) & (s[:n] <= 80)).any() for s, n in zip(source, spans)])
        assert bool(holds.all()) == always
        assert spans.min() >= 8 and spans.max() <= 32  # still the engine's spans
    with pytest.raises(ValueError, match="at must be"):
        live_window(batch, 32, at="middle")


def test_live_windows_share_of_training_samples():
    """Crops squeeze half to all of a clip into T; live windows stretch at most T frames to T."""
    batch = torch.stack([ramp(100)] * 200)

    def spans(share):
        out = Preprocessing(T=16, live_windows=share).apply_train(batch, torch.Generator().manual_seed(0))
        assert out.shape == (200, 3, 16, 18, 1) and (out[:, 2] > 0).all()
        return out[:, 0, -1, 0, 0] - out[:, 0, 0, 0, 0]  # frames from the first sample to the last

    assert spans(0.0).min() > 40  # crops: at least half the clip
    assert spans(1.0).max() < 16  # windows: at most T frames
    windows = (spans(0.5) < 16).float().mean()
    assert 0.35 < windows < 0.65


def test_missing_joint_does_not_drag_towards_origin():
    x = ramp(10) + 5
    x[:, 4, 3] = 0  # joint 3 missing in frame 5
    out = center_crop_resize(x, 19, ratio=1.0)
    assert (out[0, :, 3, 0] >= 5).all()  # never blended with the zeros of the missing frame
    assert (out[2, :, 3, 0] > 0).all()


def test_preprocessing_contract():
    prep = Preprocessing(T=32, normalization="clip", test_crop=0.9)
    assert Preprocessing.from_dict(prep.to_dict()) == prep
    x = person(T=50)
    assert prep.apply_test(x).shape == (3, 32, 18, 2)
    assert prep.apply_train(x[None].repeat(4, 1, 1, 1, 1), torch.Generator().manual_seed(0)).shape == (4, 3, 32, 18, 2)
    assert torch.equal(prep.apply_test(x), prep.apply_test(x[None])[0])
    first = Preprocessing()
    assert (first.T, first.normalization, first.test_crop, first.train_crop, first.live_windows) == \
        (64, "first_frame", 0.95, (0.5, 1.0), 0.0)
    old = Preprocessing().to_dict()
    del old["live_windows"], old["live_windows_at"]  # a card written before live windows existed
    assert Preprocessing.from_dict(old) == first
    for bad in ({"T": 0}, {"normalization": "frame"}, {"test_crop": 1.5}, {"train_crop": (0.9, 0.5)},
                {"layout": "nope"}, {"extra": 1}, {"train_crop": "ab"}, {"T": "64"}, {"live_windows": 1.5},
                {"live_windows": -0.1}, {"live_windows": "half"}, {"live_windows_at": "middle"}):
        with pytest.raises(ValueError):
            Preprocessing.from_dict({**Preprocessing().to_dict(), **bad})


@pytest.mark.parametrize("device", ["meta", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device here"))])
@pytest.mark.parametrize("normalization", ["first_frame", "clip"])
def test_device_agnostic_without_host_sync(device, normalization):
    """Meta tensors have no values: any `.item()` or branch on a value would fail here."""
    prep = Preprocessing(T=16, normalization=normalization)
    x = person(T=30).to(device)
    batch = x[None].repeat(3, 1, 1, 1, 1)
    assert prep.apply_test(x).device.type == device
    assert prep.apply_train(batch).shape == (3, 3, 16, 18, 2)
    for at in ("anywhere", "motion"):
        mixed = Preprocessing(T=16, normalization=normalization, live_windows=0.5, live_windows_at=at)
        assert mixed.apply_train(batch, torch.Generator().manual_seed(1)).device.type == device
    cpu_generator = torch.Generator().manual_seed(1)
    assert random_crop_resize(batch, 16, generator=cpu_generator).device.type == device
    assert valid_length(batch).device.type == device


def test_float64_and_numpy_agreement():
    x = person(T=20).double()
    out = Preprocessing(T=20, test_crop=1.0).apply_test(x)
    assert out.dtype == torch.float64
    expected = x.numpy().copy()
    expected[:2] -= expected[:2, 0, NECK, 0][:, None, None, None]
    expected[:2, :, :, 1] = 0
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)
