"""The one live path: source → pose → tracking (→ engine), one result per frame.

`liveaction extract`, `predict`, `bench` and the app's capture worker all run this code,
so what a user measures in the CLI is what the app does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from recognizer.pose import PoseEstimator, to_openpose18
from recognizer.tracking import PersonTracker
from recognizer.video import Frame, FrameSource


@dataclass(frozen=True)
class FrameResult:
    """What one frame produced. `skeletons` is `float32 (max_persons, 18, 3)` in stable
    slots (zeros where nobody is); `timings_ms` holds per-stage milliseconds."""

    frame: Frame
    skeletons: np.ndarray
    ids: tuple[int | None, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def has_person(self) -> bool:
        return any(i is not None for i in self.ids)


class Pipeline:
    """Pose estimation and tracking for a stream of frames."""

    def __init__(self, pose: PoseEstimator, tracker: PersonTracker | None = None):
        self.pose = pose
        self.tracker = tracker or PersonTracker(max_persons=pose.config.max_persons)

    def process(self, frame: Frame) -> FrameResult:
        t0 = time.perf_counter()
        landmarks = self.pose.detect33(frame.rgb, frame.timestamp_s)  # (K, 33, 3)
        t1 = time.perf_counter()
        tracked = self.tracker.update(to_openpose18(landmarks))  # (K, 18, 3) → slots
        t2 = time.perf_counter()
        return FrameResult(frame, tracked.skeletons, tracked.ids,
                           {"pose": (t1 - t0) * 1e3, "map_track": (t2 - t1) * 1e3})

    def run(self, source: FrameSource) -> Iterator[FrameResult]:
        """Every frame of `source`, with its decode time added to the timings."""
        frames = iter(source.frames())
        while True:
            t0 = time.perf_counter()
            frame = next(frames, None)
            if frame is None:
                return
            decode_ms = (time.perf_counter() - t0) * 1e3
            result = self.process(frame)
            result.timings_ms["decode"] = decode_ms
            yield result


def stack_sequence(results: list[FrameResult]) -> np.ndarray:
    """Per-frame skeletons → one `float32 (C=3, T, V=18, M)` sequence."""
    per_frame = np.stack([r.skeletons for r in results]) if results else np.zeros((0, 2, 18, 3), np.float32)
    return np.ascontiguousarray(per_frame.transpose(3, 0, 2, 1))  # (T, M, V, C) → (C, T, V, M)
