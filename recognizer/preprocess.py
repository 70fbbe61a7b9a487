"""The one preprocessing path: the live engine and every training dataset call these functions.

Pure torch, shape in → shape out, on whatever device the input lives (the live ring buffer
sits on the model's device, so nothing here copies to the host or waits on it: no `.item()`,
no Python branches on tensor values). Every function takes one sequence `(C, T, V, M)` or a
batch `(N, C, T, V, M)`.

Channel convention: the *last* channel is the detection score and every other channel a
coordinate (x, y for our 2-D data). A joint is present iff its score is > 0; a missing joint
is all zeros and stays all zeros through every function here.

Paper recipe (TMM 2020, "Implementation Details"): translate the origin to the body centre of
the first frame, then crop a random sub-sequence with ratio U[0.5, 1] for training (central
crop 0.95 for testing) and resize it to T frames with bilinear interpolation in time.
For the webcam, `normalize_clip` instead centres and scales once per clip, and training may
cut a share of its samples as the live engine windows a stream (`live_window`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from recognizer.skeleton import LAYOUTS, Layout

NORMALIZATIONS = ("first_frame", "clip")
LIVE_WINDOW_SHORTEST = 0.25  # the engine's first guess: half a second of a 2-s window
# Where a live window may lie in its clip: anywhere, or over the clip's most moving stretch.
LIVE_WINDOW_PLACES = ("anywhere", "motion")
# Torso length (neck to mid-hips) per shoulder width, median over 7,431 frontal frames of the
# real OpenPose traces in shared/data/mall-openpose18 (pixels). Used when the hips are never
# visible (a webcam at a desk) to estimate torso length and hip centre from the shoulders.
TORSO_PER_SHOULDER = 1.64


def valid_length(x: torch.Tensor) -> torch.Tensor:
    """Frames up to and including the last one with any present joint: int64 `()` or `(N,)`."""
    xb = _batch(x)
    N, C, T, V, M = xb.shape
    if T == 0:
        length = torch.zeros(N, dtype=torch.long, device=xb.device)
    else:
        nonempty = (xb[:, -1] > 0).flatten(2).any(dim=2)  # (N, T)
        length = (nonempty * torch.arange(1, T + 1, device=xb.device)).amax(dim=1)  # (N,)
    return length if x.dim() == 5 else length[0]


def center_on_first_frame(x: torch.Tensor, center_joint: int) -> torch.Tensor:
    """Move the origin to the body centre of the first frame (the paper's normalization).

    The origin is `center_joint` in the first frame where it is present in any person
    (averaged over the persons present there); all persons share it, so their relative
    positions survive. Only coordinates move; scores and missing joints are untouched.
    A sequence where the joint is never present is returned unchanged.
    """
    xb = _batch(x)
    center = xb[:, :, :, center_joint]  # (N, C, T, M)
    present = center[:, -1] > 0  # (N, T, M)
    first = present.any(dim=2).int().argmax(dim=1)  # (N,): first frame with the centre joint
    at_first = center.gather(2, first[:, None, None, None].expand(-1, center.shape[1], 1, center.shape[3]))
    at_first = at_first[:, :, 0]  # (N, C, M)
    weight = (at_first[:, -1:] > 0).to(xb.dtype)  # (N, 1, M)
    origin = (at_first[:, :-1] * weight).sum(dim=2) / weight.sum(dim=2).clamp_min(1)  # (N, C-1)
    out = _shift_scale(xb, origin, torch.ones_like(origin[:, 0]))
    return out if x.dim() == 5 else out[0]


def normalize_clip(x: torch.Tensor, layout: Layout) -> torch.Tensor:
    """Centre on the clip's median hip centre and scale by its median torso length.

    Computed once per clip, pooled over every frame and person where the joints are present,
    and applied to all frames: per-frame centring would erase the whole-body vertical motion
    that tells sitting from squatting. When the hips are never visible (a desk), the torso
    length comes from the median shoulder width (`TORSO_PER_SHOULDER`) and the hip centre is
    put one torso length below the median neck. Without neck, hips or shoulders the median
    of all present joints is the centre and the scale stays 1. Lengths are measured in the
    input's coordinates (x / width, y / height), so they are exact for square frames only.
    """
    neck, r_hip, l_hip = layout.index("neck"), layout.index("right_hip"), layout.index("left_hip")
    r_sho, l_sho = layout.index("right_shoulder"), layout.index("left_shoulder")
    xb = _batch(x)
    N = xb.shape[0]
    coords = xb[:, :-1].flatten(2, 4).transpose(1, 2)  # (N, T*V*M, C-1)
    joints = xb[:, :-1].permute(0, 2, 4, 3, 1)  # (N, T, M, V, C-1)
    present = (xb[:, -1] > 0).permute(0, 1, 3, 2)  # (N, T, M, V)
    _, T, M, V, D = joints.shape

    def joint(i):  # (N, T*M, D) positions and (N, T*M) presence of joint i
        return joints[:, :, :, i].reshape(N, T * M, D), present[:, :, :, i].reshape(N, T * M)

    (p_neck, k_neck), (p_rh, k_rh), (p_lh, k_lh) = joint(neck), joint(r_hip), joint(l_hip)
    (p_rs, k_rs), (p_ls, k_ls) = joint(r_sho), joint(l_sho)
    hip_weight = torch.stack([k_rh, k_lh], dim=-1).to(xb.dtype)  # (N, T*M, 2)
    hip = (p_rh * hip_weight[..., :1] + p_lh * hip_weight[..., 1:]) / hip_weight.sum(-1, keepdim=True).clamp_min(1)
    k_hip = k_rh | k_lh  # (N, T*M): one hip is enough for a centre
    torso, k_torso = (p_neck - hip).norm(dim=-1), k_neck & k_hip  # (N, T*M)
    shoulders, k_shoulders = (p_rs - p_ls).norm(dim=-1), k_rs & k_ls

    torso_med, has_torso = _masked_median(torso, k_torso)  # (N,), (N,)
    shoulder_med, has_shoulders = _masked_median(shoulders, k_shoulders)
    scale = torch.where(has_torso, torso_med,
                        torch.where(has_shoulders, TORSO_PER_SHOULDER * shoulder_med, torch.ones_like(torso_med)))
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    hip_med, has_hip = _masked_median(hip, k_hip[..., None].expand_as(hip))  # (N, D), (N, D)
    neck_med, has_neck = _masked_median(p_neck, k_neck[..., None].expand_as(p_neck))
    below_neck = neck_med.clone()
    below_neck[:, 1] = below_neck[:, 1] + scale  # image y grows downwards
    all_med, _ = _masked_median(coords, (xb[:, -1] > 0).flatten(1)[..., None].expand_as(coords))
    knows_scale = (has_torso | has_shoulders)[:, None]  # (N, 1)
    center = torch.where(has_hip, hip_med, torch.where(has_neck & knows_scale, below_neck, all_med))
    out = _shift_scale(xb, center, scale)
    return out if x.dim() == 5 else out[0]


def random_crop_resize(x: torch.Tensor, T: int, ratio_range: tuple[float, float] = (0.5, 1.0),
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """Training crop: a random sub-sequence of ratio U[ratio_range] of the valid length, resized to T.

    Each sequence of a batch gets its own ratio and position. Clips shorter than T (a
    30-frame repetition) are stretched up to T by the same interpolation.
    """
    xb = _batch(x)
    length = valid_length(xb).clamp_min(1).to(xb.dtype)  # (N,)
    ratio_draw, start_draw = _uniform(2, xb.shape[0], generator, xb.device)
    low, high = ratio_range
    crop = (length * (low + (high - low) * ratio_draw)).round().clamp(1, None)
    crop = torch.minimum(crop, length)
    start = (start_draw * (length - crop + 1)).floor().clamp(None, length - crop)
    out = _crop_resize(xb, start, crop, T)
    return out if x.dim() == 5 else out[0]


def live_window(x: torch.Tensor, T: int, shortest: float = LIVE_WINDOW_SHORTEST,
                generator: torch.Generator | None = None, at: str = "anywhere") -> torch.Tensor:
    """A span of the clip such as the live engine hands the model: `(C, T0, V, M)` or batch, same shape.

    The engine's windows are the last T frames of a stream, or fewer while it warms up (a
    first guess comes after half a second) and over recordings shorter than T. Each
    sequence gets a span of U[`shortest`·T, T] frames (at most its valid length); it is
    moved to the front and the frames after it are missing, so `valid_length` is the
    span's length. With `at="anywhere"` the span starts anywhere, the start of the clip
    included. With `at="motion"` it always holds the frame where the clip moves most
    (`motion_peak`): a window of an action clip may otherwise hold only the rest before or
    after the performance and still carry the action's label, teaching the model that a
    moment of rest is that action.
    """
    if at not in LIVE_WINDOW_PLACES:
        raise ValueError(f"at must be one of {LIVE_WINDOW_PLACES}, got {at!r}")
    xb = _batch(x)
    N, C, T0, V, M = xb.shape
    length = valid_length(xb).clamp_min(1).to(xb.dtype)  # (N,)
    span_draw, start_draw = _uniform(2, N, generator, xb.device)
    span = (T * (shortest + (1 - shortest) * span_draw)).round().clamp(1, None)
    span = torch.minimum(span, length)  # (N,)
    if at == "motion":
        peak = motion_peak(xb, max(1, round(shortest * T))).to(xb.dtype)  # (N,)
        earliest = (peak - span + 1).clamp_min(0)  # (N,)
        latest = torch.minimum(peak, length - span)  # (N,), ≥ earliest since peak < length
    else:
        earliest, latest = torch.zeros_like(length), length - span
    start = (earliest + (start_draw * (latest - earliest + 1)).floor()).clamp(None, latest)  # (N,)
    frame = torch.arange(T0, device=xb.device)  # (T0,)
    index = (start.long()[:, None] + frame).clamp(None, T0 - 1)  # (N, T0)
    out = xb.gather(2, index[:, None, :, None, None].expand(N, C, T0, V, M))
    out = out * (frame < span[:, None])[:, None, :, None, None]  # frames after the span: missing
    return out if x.dim() == 5 else out[0]


def motion_peak(x: torch.Tensor, width: int) -> torch.Tensor:
    """The middle frame of the `width` consecutive frames where the joints move most: int64 `()` or `(N,)`.

    Motion is the summed displacement of every joint present in both of two neighbouring
    frames, in the input's own coordinates (only where it peaks within a clip matters).
    Summing over `width` frames lets a sustained movement outweigh a detector's one-frame
    jump. A clip that never moves peaks at its start.
    """
    xb = _batch(x)
    N, C, T0, V, M = xb.shape
    if T0 < 2:
        peak = torch.zeros(N, dtype=torch.long, device=xb.device)
    else:
        present = xb[:, -1] > 0  # (N, T0, V, M)
        both = present[:, 1:] & present[:, :-1]  # (N, T0-1, V, M)
        step = (xb[:, :-1, 1:] - xb[:, :-1, :-1]).norm(dim=1) * both  # (N, T0-1, V, M)
        motion = step.sum(dim=(2, 3))  # (N, T0-1): from frame t to t+1
        kernel = torch.ones(1, 1, width, dtype=xb.dtype, device=xb.device)
        summed = torch.nn.functional.conv1d(motion[:, None], kernel, padding=width // 2)[:, 0, :T0 - 1]  # (N, T0-1)
        peak = summed.argmax(dim=1) + 1  # (N,): the frame the most moving stretch's middle step moves into
        peak = torch.minimum(peak, valid_length(xb) - 1).clamp_min(0)
    return peak if x.dim() == 5 else peak[0]


def center_crop_resize(x: torch.Tensor, T: int, ratio: float = 0.95) -> torch.Tensor:
    """Test crop: the central `ratio` of the valid length, resized to T frames."""
    xb = _batch(x)
    length = valid_length(xb).clamp_min(1).to(xb.dtype)  # (N,)
    crop = (length * ratio).round().clamp(1, None)
    crop = torch.minimum(crop, length)
    start = ((length - crop) / 2).floor()
    out = _crop_resize(xb, start, crop, T)
    return out if x.dim() == 5 else out[0]


@dataclass(frozen=True)
class Preprocessing:
    """What a model expects as input; saved in its checkpoint and replayed by the live engine."""

    T: int = 64  # frames after resizing (paper: 64 for NTU, 128 for Kinetics)
    normalization: str = "first_frame"  # "first_frame": the paper's; "clip": webcam, see normalize_clip
    test_crop: float = 0.95  # central crop ratio at test time
    train_crop: tuple[float, float] = (0.5, 1.0)  # random crop ratio range for training
    layout: str = "openpose18"  # joint layout (name in recognizer.skeleton.LAYOUTS)
    live_windows: float = 0.0  # share of training samples cut as the live engine windows a stream
    live_windows_at: str = "anywhere"  # where in its clip a live window lies (LIVE_WINDOW_PLACES)

    def __post_init__(self):
        if not (isinstance(self.T, int) and self.T >= 1):
            raise ValueError(f"T must be a positive integer, got {self.T!r}")
        if self.normalization not in NORMALIZATIONS:
            raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {self.normalization!r}")
        if not 0 < self.test_crop <= 1:
            raise ValueError(f"test_crop must be in (0, 1], got {self.test_crop!r}")
        low, high = self.train_crop
        if not 0 < low <= high <= 1:
            raise ValueError(f"train_crop must satisfy 0 < low <= high <= 1, got {self.train_crop!r}")
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown layout {self.layout!r}; known: {sorted(LAYOUTS)}")
        if not (isinstance(self.live_windows, (int, float)) and 0 <= self.live_windows <= 1):
            raise ValueError(f"live_windows must be in [0, 1], got {self.live_windows!r}")
        if self.live_windows_at not in LIVE_WINDOW_PLACES:
            raise ValueError(f"live_windows_at must be one of {LIVE_WINDOW_PLACES}, got {self.live_windows_at!r}")
        object.__setattr__(self, "train_crop", (float(low), float(high)))

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        layout = LAYOUTS[self.layout]
        if self.normalization == "clip":
            return normalize_clip(x, layout)
        return center_on_first_frame(x, layout.center)

    def apply_train(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Normalize, then random crop + resize to T; or, for a `live_windows` share of the
        samples, what the engine would make of a window of the clip (`live_window`).

        Why the second kind: the crops span half to all of a 1–10 s clip, so they squeeze
        seconds into T frames, while the engine stretches its half-second to 2-s windows to
        T. A model that never saw such windows reads a person at rest in them as bending
        forward (docs/starter-model.md).
        """
        crops = random_crop_resize(self.normalize(x), self.T, self.train_crop, generator)
        if self.live_windows == 0:
            return crops
        windows = self.apply_test(live_window(x, self.T, generator=generator, at=self.live_windows_at))
        pick = _uniform(1, _batch(x).shape[0], generator, x.device)[0] < self.live_windows  # (N,)
        picked = torch.where(pick[:, None, None, None, None], _batch(windows), _batch(crops))  # (N, C, T, V, M)
        return picked if x.dim() == 5 else picked[0]

    def apply_test(self, x: torch.Tensor) -> torch.Tensor:
        """Normalize, then central crop + resize to T (also the live engine's path)."""
        return center_crop_resize(self.normalize(x), self.T, self.test_crop)

    def to_dict(self) -> dict:
        """JSON-safe form for checkpoints."""
        d = asdict(self)
        d["train_crop"] = list(self.train_crop)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Preprocessing:
        """Inverse of `to_dict`; raises ValueError on unknown keys or bad values."""
        if not isinstance(d, dict):
            raise ValueError(f"preprocessing must be an object, got {type(d).__name__}")
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown preprocessing keys: {sorted(unknown)}")
        kwargs = dict(d)
        if "train_crop" in kwargs:
            crop = kwargs["train_crop"]
            if not (isinstance(crop, (list, tuple)) and len(crop) == 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in crop)):
                raise ValueError(f"train_crop must be two numbers, got {crop!r}")
            kwargs["train_crop"] = tuple(crop)
        try:
            return cls(**kwargs)
        except TypeError as error:  # a value of the wrong type compared with numbers
            raise ValueError(f"bad preprocessing values: {error}") from None


def _uniform(rows: int, n: int, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """`(rows, n)` U[0, 1) draws from `generator` on its own device (a CPU generator serves
    any input), then moved to `device`: the same draws wherever the data lives."""
    where = generator.device if generator is not None else device
    return torch.rand(rows, n, generator=generator, device=where).to(device)


def _batch(x: torch.Tensor) -> torch.Tensor:
    if x.dim() == 4:
        return x[None]  # (1, C, T, V, M)
    if x.dim() != 5:
        raise ValueError(f"expected (C, T, V, M) or (N, C, T, V, M), got shape {tuple(x.shape)}")
    return x


def _shift_scale(xb: torch.Tensor, origin: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """(coords − origin) / scale for present joints; missing joints stay zero. origin (N, C-1), scale (N,)."""
    present = (xb[:, -1:] > 0).to(xb.dtype)  # (N, 1, T, V, M)
    coords = (xb[:, :-1] - origin[:, :, None, None, None]) / scale[:, None, None, None, None]
    return torch.cat([coords * present, xb[:, -1:]], dim=1)


def _masked_median(values: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Lower median over dim 1 of the entries where mask is True: values (N, K[, D]) → (N[, D]).

    Also returns whether any entry was present. Sorting instead of `nanmedian` keeps it
    working on every backend.
    """
    filled = torch.where(mask, values, torch.full_like(values, float("inf")))
    ordered = filled.sort(dim=1).values
    count = mask.sum(dim=1)  # (N[, D])
    index = ((count - 1).clamp_min(0) // 2).unsqueeze(1)  # (N, 1[, D])
    median = ordered.gather(1, index).squeeze(1)
    has = count > 0
    return torch.where(has, median, torch.zeros_like(median)), has


def _crop_resize(xb: torch.Tensor, start: torch.Tensor, length: torch.Tensor, T: int) -> torch.Tensor:
    """Linear resize of frames [start, start + length) of each sequence to T frames.

    Sample positions follow `F.interpolate(mode="linear", align_corners=False)` on the crop.
    A missing joint never drags a present one towards the origin: each output joint blends
    only the neighbouring frames where it is present (all-missing → missing).
    """
    N, C, T0, V, M = xb.shape
    if T0 == 0:
        raise ValueError("cannot crop a sequence with no frames")
    out_index = torch.arange(T, device=xb.device, dtype=xb.dtype)  # (T,)
    pos = start[:, None] + (out_index + 0.5) * (length[:, None] / T) - 0.5  # (N, T)
    last = start[:, None] + length[:, None] - 1  # (N, 1)
    pos = torch.maximum(torch.minimum(pos, last), start[:, None])
    i0 = pos.floor()
    w1 = (pos - i0)[:, None, :, None, None]  # (N, 1, T, 1, 1)
    i0 = i0.long().clamp(0, max(T0 - 1, 0))
    i1 = torch.minimum(i0 + 1, last.long()).clamp(0, max(T0 - 1, 0))

    def frames(index):  # (N, C, T, V, M)
        return xb.gather(2, index[:, None, :, None, None].expand(N, C, T, V, M))

    a, b = frames(i0), frames(i1)
    wa = (1 - w1) * (a[:, -1:] > 0)  # (N, 1, T, V, M)
    wb = w1 * (b[:, -1:] > 0)
    total = wa + wb
    blended = (wa * a + wb * b) / total.clamp_min(torch.finfo(xb.dtype).tiny)
    return torch.where(total > 0, blended, torch.zeros_like(blended))
