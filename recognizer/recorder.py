"""Recording one labelled clip from the live stream: countdown, then a fixed length or until stopped.

A pure state machine over frame timestamps (no clock, no Qt), so it is tested with a video
file and the app only draws what `feed` reports. The skeletons are the tracked persons
the pipeline produced — exactly what the model will see when it trains on the clip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recognizer.data.formats import SkeletonClip
from recognizer.errors import LiveactionError

IDLE, COUNTDOWN, RECORDING, DONE = "idle", "countdown", "recording", "done"


@dataclass(frozen=True)
class RecordingConfig:
    countdown_s: float = 3.0  # time to get into position after pressing Record
    length_s: float | None = 3.0  # clip length; None records until `stop`
    keep_video: bool = False  # also keep the RGB frames (saved as mp4)
    max_length_s: float = 60.0  # a forgotten start/stop recording ends here


@dataclass(frozen=True)
class RecordingStatus:
    state: str
    remaining_s: float  # countdown left, or recording left (inf when start/stop)
    frames: int  # frames recorded so far


class Recorder:
    def __init__(self, config: RecordingConfig = RecordingConfig()):
        self.config = config
        self._reset()

    def _reset(self) -> None:
        self.state = IDLE
        self.label: str | None = None
        self._start_t: float | None = None
        self._record_from: float | None = None
        self._skeletons: list[np.ndarray] = []
        self._times: list[float] = []
        self._frames: list[np.ndarray] = []
        self.source = ""

    def start(self, label: str, source: str = "") -> None:
        if not label.strip():
            raise LiveactionError("choose a label before recording")
        if self.state in (COUNTDOWN, RECORDING):
            raise LiveactionError("already recording")
        self._reset()
        self.label, self.source, self.state = label.strip(), source, COUNTDOWN

    def feed(self, t: float, skeletons: np.ndarray, rgb: np.ndarray | None = None) -> RecordingStatus:
        """One frame at source time `t`: tracked skeletons `(M, 18, 3)`, optional RGB frame."""
        c = self.config
        if self.state == COUNTDOWN:
            if self._start_t is None:
                self._start_t = t
            left = self._start_t + c.countdown_s - t
            if left > 0:
                return RecordingStatus(COUNTDOWN, left, 0)
            self.state, self._record_from = RECORDING, t
        if self.state == RECORDING:
            self._skeletons.append(np.asarray(skeletons, np.float32))
            self._times.append(t)
            if c.keep_video and rgb is not None:
                self._frames.append(rgb)
            length = c.length_s if c.length_s is not None else c.max_length_s
            left = self._record_from + length - t
            if left <= 1e-9:
                self.state = DONE
            elif c.length_s is None:
                left = float("inf") if left > 0 else 0.0
            return RecordingStatus(self.state, max(left, 0.0), len(self._skeletons))
        return RecordingStatus(self.state, 0.0, len(self._skeletons))

    def stop(self) -> None:
        """End a start/stop recording now (or cancel a countdown)."""
        self.state = DONE if self._skeletons else IDLE

    def cancel(self) -> None:
        self._reset()

    def result(self, max_persons: int = 2) -> tuple[SkeletonClip, list[np.ndarray] | None]:
        """The recorded clip `(C, T, 18, M)` and its RGB frames (None unless kept)."""
        if self.state != DONE or not self._skeletons:
            raise LiveactionError("nothing recorded")
        per_frame = np.zeros((len(self._skeletons), max_persons, 18, 3), np.float32)  # (T, M, V, C)
        for i, s in enumerate(self._skeletons):
            per_frame[i, : min(len(s), max_persons)] = s[:max_persons]
        times = np.asarray(self._times)
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 30.0
        data = np.ascontiguousarray(per_frame.transpose(3, 0, 2, 1))  # (C, T, V, M)
        clip = SkeletonClip(data, self.label, None, round(float(fps), 3),
                            {"source": self.source, "persons": int((data[2] > 0).any(axis=(0, 1)).sum())})
        return clip, (self._frames if self.config.keep_video else None)
