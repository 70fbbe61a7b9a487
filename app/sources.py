"""Where frames come from, and the two worker threads that turn them into skeletons.

A running source is a `Session`: a capture thread reads frames (paced to real time for
files, at the device's pace for cameras) into a latest-wins slot; an analysis thread takes
the newest frame, runs pose + tracking (`recognizer.pipeline`), feeds the skeletons to the
engine and hands a `LiveFrame` to the GUI through a second latest-wins slot. When the
pipeline or the GUI is behind, old frames are replaced, never queued, so what is on
screen is always the newest thing there is.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.background import Worker

from recognizer.errors import BadFileError, LiveactionError
from recognizer.video import SourceLost

log = logging.getLogger(__name__)

CAMERA, STREAM, VIDEO, CLIP = "camera", "stream", "video", "clip"
SOURCE_KINDS = (CAMERA, STREAM, VIDEO, CLIP)
RESOLUTIONS = ((640, 480), (1280, 720), (1920, 1080))  # offered for cameras; None = the camera's own


@dataclass(frozen=True)
class SourceSpec:
    """What the user asked to watch; remembered in the settings, opened by `open_source`."""

    kind: str  # one of SOURCE_KINDS
    target: str  # camera index ("0"), stream URL, or file path
    width: int | None = None  # requested camera resolution (cameras only)
    height: int | None = None
    loop: bool = True  # start files over at their end

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"source kind must be one of {SOURCE_KINDS}, got {self.kind!r}")
        if self.kind == CAMERA and not self.target.isdigit():
            raise ValueError(f"a camera is named by its index, got {self.target!r}")

    @classmethod
    def camera(cls, index: int, resolution: tuple[int, int] | None = None) -> SourceSpec:
        width, height = resolution or (None, None)
        return cls(CAMERA, str(index), width, height)

    @property
    def is_live(self) -> bool:
        """Cameras and streams run at their own pace and cannot be paused at the source."""
        return self.kind in (CAMERA, STREAM)

    @property
    def title(self) -> str:
        if self.kind == CAMERA:
            size = f" ({self.width}×{self.height})" if self.width else ""
            return f"Camera {self.target}{size}"
        if self.kind == STREAM:
            return self.target
        return Path(self.target).name


@dataclass(frozen=True)
class SkeletonFrame:
    """One frame of a replayed clip: skeletons without a picture."""

    index: int
    timestamp_s: float
    skeletons: np.ndarray  # float32 (M, 18, 3): x, y normalized, score


class ClipReplaySource:
    """A recorded clip (Kinetics-skeleton JSON) replayed at its own frame rate, no video."""

    def __init__(self, path: str | Path, loop: bool = True):
        from recognizer.data.formats import read_kinetics_json

        clip = read_kinetics_json(path)
        self.path = Path(path)
        self.name = self.path.name
        self.fps = clip.fps or 30.0
        self.loop = loop
        self._skeletons = np.ascontiguousarray(clip.data.transpose(1, 3, 2, 0))  # (C, T, V, M) → (T, M, V, C)

    def frames(self) -> Iterator[SkeletonFrame]:
        index = 0
        while True:
            for skeletons in self._skeletons:
                yield SkeletonFrame(index, index / self.fps, skeletons)
                index += 1
            if not self.loop:
                return

    def close(self) -> None:
        """Nothing to release: the clip is in memory."""


def open_source(spec: SourceSpec):
    """Open what `spec` names. Slow (cameras, networks): call it off the GUI thread.

    Raises `LiveactionError` (`BadFileError` for files) with a one-line message.
    """
    from recognizer.video import CameraSource, VideoFileSource

    if spec.kind == CAMERA:
        return CameraSource(int(spec.target), spec.width, spec.height)
    if spec.kind == STREAM:
        return CameraSource(spec.target)
    if spec.kind == VIDEO:
        return VideoFileSource(spec.target, loop=spec.loop)
    path = Path(spec.target)
    if not path.is_file():
        raise BadFileError(path, "no such file")
    return ClipReplaySource(path, loop=spec.loop)


@dataclass(frozen=True)
class LiveFrame:
    """What the GUI draws for one frame."""

    index: int
    time: float  # source time (s)
    rgb: np.ndarray | None  # uint8 (H, W, 3); None when a clip is replayed without video
    skeletons: np.ndarray  # float32 (M, 18, 3) in stable person slots, zeros where nobody is
    ids: tuple[int | None, ...]  # track id per slot (None: empty slot)
    fps: float  # frames analysed per second, measured
    pose_ms: float  # pose + tracking time of this frame (0 when replaying skeletons)
    dropped: int  # frames replaced before they were analysed, so far (latest-wins)


class LatestSlot:
    """A one-item hand-off between threads: `put` replaces what was not taken yet.

    `put` returns True when the slot was empty, so a producer can signal a consumer
    once per batch of puts instead of once per item (nothing queues up anywhere).
    """

    def __init__(self):
        self._item: Any = None
        self._full = False
        self._closed = False
        self._cond = threading.Condition()
        self.dropped = 0

    def put(self, item: Any) -> bool:
        with self._cond:
            was_empty = not self._full
            if self._full:
                self.dropped += 1
            self._item, self._full = item, True
            self._cond.notify_all()
            return was_empty

    def take(self, timeout: float | None = None) -> Any:
        """The newest item, or None; waits up to `timeout` seconds for one (None: no wait)."""
        with self._cond:
            if timeout:
                self._cond.wait_for(lambda: self._full or self._closed, timeout)
            if not self._full:
                return None
            item, self._item, self._full = self._item, None, False
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed and not self._full


class Pacer:
    """When to hand out a file's frame so that playback runs at real time.

    Pure: `delay(source_t, now)` is the wait before the frame stamped `source_t` is due.
    The first frame is due at once; after `resume(last_t, now)` the next frame keeps its
    distance from the frame stamped `last_t`, as if that one had been shown at `now`.
    """

    def __init__(self):
        self._origin: tuple[float, float] | None = None

    def resume(self, last_source_t: float | None, now: float) -> None:
        self._origin = None if last_source_t is None else (last_source_t, now)

    def delay(self, source_t: float, now: float) -> float:
        if self._origin is None:
            self._origin = (source_t, now)
            return 0.0
        t0, wall0 = self._origin
        due = wall0 + (source_t - t0)
        if due < now - 0.25:  # far behind (slow decode): catch up from here instead of racing
            self._origin = (source_t, now)
            return 0.0
        return max(0.0, due - now)


class RateMeter:
    """Events per second over the last second or so (pure; times passed in).

    Smooths the interval between events and inverts it: averaging instantaneous rates
    instead would overstate a jittery stream (1/dt is large for the short intervals).
    """

    def __init__(self, smoothing: float = 0.1):
        self.smoothing = smoothing
        self._interval: float | None = None
        self._last: float | None = None

    @property
    def rate(self) -> float:
        return 1.0 / self._interval if self._interval else 0.0

    def tick(self, now: float) -> float:
        if self._last is not None and now > self._last:
            dt = now - self._last
            self._interval = dt if self._interval is None else self._interval + self.smoothing * (dt - self._interval)
        self._last = now
        return self.rate


def yield_to_gui(niceness: int = 2) -> None:
    """Let the calling worker thread give way a little to the GUI thread when the CPU is short.

    Linux schedules threads one by one and lets a thread lower its own priority (its nice
    value; threads it starts later, such as pose's, inherit it). Kept mild: the same
    setting also yields to every other program on the machine.
    """
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
        except OSError:  # not allowed here: the thread keeps its priority
            pass


class CaptureThread(Worker):
    """Reads the source's frames into `slot` as they come (files: at real time)."""

    lost = Signal(str)  # a live source stopped delivering
    failed = Signal(str)  # the source could not be read (bad file, bug)
    ended = Signal()  # a file reached its end (no loop)

    def __init__(self, source, slot: LatestSlot, paced: bool):
        super().__init__(name=f"capture {source.name}")
        self.source = source
        self.slot = slot
        self.paced = paced
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def pause(self, paused: bool) -> None:
        """Files stop reading (and continue from there); live sources keep draining."""
        if paused and self.paced:
            self._running.clear()
        else:
            self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    def run(self) -> None:
        yield_to_gui()
        pacer = Pacer()
        held = None  # a frame read just before a pause: it goes out first on resume
        last_put_t: float | None = None
        try:
            frames = iter(self.source.frames())
            while not self._stop.is_set():
                if not self._running.is_set():
                    self._running.wait()
                    pacer.resume(last_put_t, time.monotonic())
                    continue
                item = held if held is not None else next(frames, None)
                held = None
                if item is None:
                    self.emit(self.ended)
                    return
                if self.paced and self._stop.wait(pacer.delay(item.timestamp_s, time.monotonic())):
                    return
                if not self._running.is_set():  # paused while this frame waited for its time
                    held = item
                    continue
                self.slot.put(item)
                last_put_t = item.timestamp_s
        except SourceLost as error:
            self.emit(self.lost, str(error))
        except LiveactionError as error:
            self.emit(self.failed, str(error))
        except Exception as error:  # a bug: logged with its traceback, shown as a message, app stays up
            log.exception("capture failed")
            self.emit(self.failed, f"Reading {self.source.name} failed: {type(error).__name__}: {error}")
        finally:
            self.slot.close()
            self.source.close()


class AnalysisThread(Worker):
    """Newest frame → pose + tracking → engine; hands `LiveFrame`s to the GUI (latest-wins)."""

    failed = Signal(str)
    frame_ready = Signal()  # `output` holds a frame the GUI has not taken yet

    def __init__(self, slot: LatestSlot, output: LatestSlot, make_pipeline: Callable[[], Any],
                 live: bool, engine=None):
        super().__init__(name="analysis")
        self.slot = slot
        self.output = output
        self.make_pipeline = make_pipeline
        self.live = live
        self.engine = engine  # swapped from the GUI thread when the user picks another model
        self._reset_engine = threading.Event()
        self._stop = threading.Event()
        self._running = threading.Event()  # cleared while paused: nothing is analysed or shown
        self._running.set()
        self._rate = RateMeter()

    def pause(self, paused: bool) -> None:
        """While paused the waiting frame stays in the slot; a frame in pose at the pause is
        shown on resume (files), or let go as stale (live sources)."""
        if paused:
            self._running.clear()
        else:
            self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    def reset_engine(self) -> None:
        """Make the engine forget the stream before the next frame (done on this thread)."""
        self._reset_engine.set()

    def _wait_out_pause(self) -> bool:
        """Block while paused; True if there was a pause to wait out."""
        if self._running.is_set():
            return False
        self._running.wait()
        self._rate = RateMeter()  # the pause is no interval between frames
        return True

    def run(self) -> None:
        yield_to_gui()
        pipeline = None
        try:
            while not self._stop.is_set():
                if self._wait_out_pause():
                    continue
                item = self.slot.take(timeout=0.1)
                if item is None:
                    if self.slot.closed:
                        return
                    continue
                if isinstance(item, SkeletonFrame):
                    skeletons, ids, rgb, pose_ms = item.skeletons, _replay_ids(item.skeletons), None, 0.0
                else:
                    if pipeline is None:
                        pipeline = self.make_pipeline()
                    result = pipeline.process(item)
                    skeletons, ids, rgb = result.skeletons, result.ids, item.rgb
                    pose_ms = sum(result.timings_ms.values())
                if self._wait_out_pause() and (self.live or self._stop.is_set()):  # paused while in pose
                    continue
                engine = self.engine
                if engine is not None:
                    if self._reset_engine.is_set():
                        self._reset_engine.clear()
                        engine.reset()
                    engine.push(skeletons, item.timestamp_s)
                fps = self._rate.tick(time.monotonic())
                frame = LiveFrame(item.index, item.timestamp_s, rgb, skeletons, ids, fps, pose_ms, self.slot.dropped)
                if self.output.put(frame):
                    self.emit(self.frame_ready)
        except LiveactionError as error:
            self.emit(self.failed, str(error))
        except Exception as error:  # a bug: logged with its traceback, shown as a message, app stays up
            log.exception("analysis failed")
            self.emit(self.failed, f"Analysing frames failed: {type(error).__name__}: {error}")
        finally:
            if pipeline is not None:
                pipeline.pose.close()


def _replay_ids(skeletons: np.ndarray) -> tuple[int | None, ...]:
    """A replayed clip's person slots are its identities: slot m is person m when present."""
    return tuple(m if (skeletons[m, :, 2] > 0).any() else None for m in range(len(skeletons)))


def default_pipeline():
    """Pose (MediaPipe, ≤ 2 persons) + tracking: the one live path of `recognizer.pipeline`."""
    from recognizer.pipeline import Pipeline
    from recognizer.pose import PoseConfig, PoseEstimator

    return Pipeline(PoseEstimator(PoseConfig(max_persons=2)))


class Session(QObject):
    """One opened source being watched: its capture and analysis threads.

    Lives on the GUI thread. `frame` carries each `LiveFrame` the GUI should draw;
    `stop()` never blocks — `finished` says when both threads are done.
    """

    frame = Signal(object)  # LiveFrame
    lost = Signal(str)
    failed = Signal(str)
    ended = Signal()
    finished = Signal()

    def __init__(self, spec: SourceSpec, source, engine=None,
                 make_pipeline: Callable[[], Any] = default_pipeline, parent: QObject | None = None):
        super().__init__(parent)
        self.spec = spec
        self.source = source
        self.name = source.name
        self.source_fps = float(source.fps)
        self.has_video = not isinstance(source, ClipReplaySource)
        self._frames = LatestSlot()
        self._output = LatestSlot()
        self.capture = CaptureThread(source, self._frames, paced=not spec.is_live)
        self.analysis = AnalysisThread(self._frames, self._output, make_pipeline, spec.is_live, engine)
        self.capture.lost.connect(self.lost)
        self.capture.failed.connect(self.failed)
        self.capture.ended.connect(self.ended)
        self.analysis.failed.connect(self.failed)
        self.analysis.frame_ready.connect(self._deliver)
        self.capture.finished.connect(self._thread_done)
        self.analysis.finished.connect(self._thread_done)
        self.paused = False
        self.running = False

    def start(self) -> None:
        self.running = True
        self.analysis.reset_engine()  # whatever the engine saw before belongs to another source
        self.analysis.start()
        self.capture.start()

    def set_engine(self, engine) -> None:
        self.analysis.engine = engine

    def set_paused(self, paused: bool) -> None:
        resuming = self.paused and not paused
        self.paused = paused
        if resuming and self.spec.is_live:
            self.analysis.reset_engine()  # the window from before the pause is stale
            self._output.take()  # and so is a frame analysed just before it
        elif resuming:
            self._deliver()  # the frame that was on its way at the pause, before the threads send newer ones
        self.analysis.pause(paused)
        self.capture.pause(paused)

    def set_loop(self, loop: bool) -> None:
        if hasattr(self.source, "loop"):
            self.source.loop = loop

    def stop(self) -> None:
        self.capture.stop()
        self.analysis.stop()

    def wait(self, timeout_s: float = 5.0) -> bool:
        """Block until both threads are done, at most about `timeout_s` (shutdown and tests only)."""
        return self.capture.wait(timeout_s) and self.analysis.wait(timeout_s)

    def _deliver(self) -> None:
        if self.paused:  # a frame that was on its way stays in the slot: it is shown first on resume
            return
        frame = self._output.take()
        if frame is not None:
            self.frame.emit(frame)

    def _thread_done(self) -> None:
        if not self.capture.is_running() and not self.analysis.is_running() and self.running:
            self.running = False
            self.finished.emit()
