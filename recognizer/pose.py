"""PoseEstimator: MediaPipe Tasks PoseLandmarker, offline, mapped to OpenPose-18.

The landmarker runs in VIDEO mode: it tracks each person's region from the previous frame
instead of re-running the detector, which is what makes it fast enough for live use. That
mode needs strictly increasing timestamps, which `estimate` enforces.

The model comes from the bundled `assets/pose/pose_landmarker_full.task` (see
packaging/build_pose_bundle.py); nothing is ever downloaded.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from recognizer.errors import BadFileError
from recognizer.paths import POSE_MODEL
from recognizer.skeleton import MEDIAPIPE33_TO_OPENPOSE18, map_to_openpose18


@dataclass(frozen=True)
class PoseConfig:
    model_path: Path = field(default=POSE_MODEL)
    max_persons: int = 2  # people the landmarker looks for (more costs ~14 ms each)
    min_detection_confidence: float = 0.5  # detector score to start tracking a person
    min_presence_confidence: float = 0.5  # landmark model's "a pose is here" score to keep it
    min_tracking_confidence: float = 0.5  # below this the detector re-runs on the next frame


def landmarks_to_array(pose_landmarks) -> np.ndarray:
    """MediaPipe result landmarks → `float32 (M, 33, 3)`: x, y normalized, visibility."""
    out = np.zeros((len(pose_landmarks), 33, 3), dtype=np.float32)
    for m, person in enumerate(pose_landmarks):
        out[m] = [(p.x, p.y, p.visibility if p.visibility is not None else 0.0) for p in person]
    return out


def to_openpose18(pose33: np.ndarray) -> np.ndarray:
    """`(M, 33, 3)` MediaPipe landmarks → `(M, 18, 3)` OpenPose-18 (x, y, score).

    Joints outside the image get score 0 and coordinates (0, 0), the way OpenPose and
    Kinetics-skeleton mark a joint that is not seen, so every coordinate lies in [0, 1].
    """
    skeleton = map_to_openpose18(pose33, MEDIAPIPE33_TO_OPENPOSE18)  # (M, 18, 3)
    xy = skeleton[..., :2]
    outside = ((xy < 0.0) | (xy > 1.0)).any(axis=-1)  # (M, 18)
    skeleton[outside] = 0.0
    return skeleton


@contextlib.contextmanager
def native_stderr_silenced():
    """Send what C++ code writes to fd 2 to /dev/null for the duration.

    LiteRT prints dozens of load-time INFO/WARNING lines straight to the process's stderr
    (not through Python logging or glog flags), burying the CLI's progress bar. Python's
    own errors are raised after the block and still reach the user.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class PoseEstimator:
    """Finds up to `max_persons` people per frame; use as a context manager (it owns native resources)."""

    def __init__(self, config: PoseConfig = PoseConfig()):
        model_path = Path(config.model_path)
        if not model_path.is_file():
            raise BadFileError(model_path, "pose model not found (the bundled assets/pose file is missing)")
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=config.max_persons,
            min_pose_detection_confidence=config.min_detection_confidence,
            min_pose_presence_confidence=config.min_presence_confidence,
            min_tracking_confidence=config.min_tracking_confidence,
        )
        try:
            with native_stderr_silenced():
                self._landmarker = vision.PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as error:
            raise BadFileError(model_path, f"not a usable pose model ({error})") from None
        self.config = config
        self._last_ms = -1
        self._frames_seen = 0

    def detect33(self, rgb: np.ndarray, timestamp_s: float) -> np.ndarray:
        """`uint8 (H, W, 3)` RGB frame → `float32 (M, 33, 3)` MediaPipe landmarks, M ≤ max_persons."""
        import mediapipe as mp

        timestamp_ms = max(int(round(timestamp_s * 1000.0)), self._last_ms + 1)
        self._last_ms = timestamp_ms
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._frames_seen < 2:  # the graph finishes loading (and logs) on its first frames
            with native_stderr_silenced():
                result = self._landmarker.detect_for_video(image, timestamp_ms)
        else:
            result = self._landmarker.detect_for_video(image, timestamp_ms)
        self._frames_seen += 1
        return landmarks_to_array(result.pose_landmarks)

    def estimate(self, rgb: np.ndarray, timestamp_s: float) -> np.ndarray:
        """`uint8 (H, W, 3)` RGB frame → `float32 (M, 18, 3)` OpenPose-18 skeletons."""
        return to_openpose18(self.detect33(rgb, timestamp_s))

    def close(self) -> None:
        if self._landmarker is not None:
            with native_stderr_silenced():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
