"""Frame sources behind one small interface: video files, cameras and network streams.

Everything downstream (pose, the engine, `extract`, the app's capture worker) reads
`Frame`s from a `FrameSource` and never cares where they come from, which is how the
camera path is tested without a camera: a video file goes through the same interface.

OpenCV does the decoding. Importing cv2 may set QT_QPA_PLATFORM_PLUGIN_PATH, which breaks
PySide6; `import_cv2` clears what it sets.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from recognizer.errors import BadFileError, LiveactionError

_QT_VARIABLES_CV2_SETS = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def import_cv2():
    """Import OpenCV without letting it redirect Qt's plugin and font lookup.

    FFmpeg's own log lines ("moov atom not found", decode warnings) are silenced: they
    would bury our one-line errors, and every problem they describe is reported by us.
    """
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    before = {name: os.environ.get(name) for name in _QT_VARIABLES_CV2_SETS}
    import cv2

    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    return cv2


@dataclass(frozen=True)
class Frame:
    """One decoded frame: `rgb` is `uint8 (H, W, 3)`; `timestamp_s` is source time."""

    index: int
    timestamp_s: float
    rgb: np.ndarray


class FrameSource(Protocol):
    """What every source offers. Iterating yields frames until the source ends."""

    name: str
    fps: float

    def frames(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


class SourceLost(LiveactionError):
    """A live source (camera, network stream) stopped delivering frames mid-run."""


class _CaptureSource:
    """Shared reading loop over a `cv2.VideoCapture`.

    Timestamps come from the container when it has them and fall back to index / fps, so
    they are always increasing (MediaPipe's VIDEO mode requires that).
    """

    name: str
    fps: float

    def __init__(self, capture, name: str, default_fps: float = 30.0):
        cv2 = import_cv2()
        self._cv2 = cv2
        self._capture = capture
        self.name = name
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and 1.0 <= fps <= 240.0 else default_fps
        self.width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        self.height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))

    def _read(self) -> tuple[bool, np.ndarray | None, float]:
        ok, bgr = self._capture.read()
        msec = self._capture.get(self._cv2.CAP_PROP_POS_MSEC) if ok else 0.0
        return ok, bgr, msec

    def frames(self) -> Iterator[Frame]:
        index, last_t = 0, -1.0
        while True:
            ok, bgr, msec = self._read()
            if not ok or bgr is None:
                self._on_end(index)
                return
            t = msec / 1000.0 if msec > 0 else index / self.fps
            if t <= last_t:
                t = last_t + 1.0 / self.fps
            last_t = t
            yield Frame(index, t, self._cv2.cvtColor(bgr, self._cv2.COLOR_BGR2RGB))
            index += 1

    def _on_end(self, frames_read: int) -> None:
        """Called when the capture stops delivering; a file just ends."""

    def close(self) -> None:
        self._capture.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class VideoFileSource(_CaptureSource):
    """A video file. Missing, directory, empty or undecodable files raise `BadFileError`."""

    def __init__(self, path: str | os.PathLike, loop: bool = False):
        path = Path(path)
        if not path.exists():
            raise BadFileError(path, "no such file")
        if path.is_dir():
            raise BadFileError(path, "is a directory, not a video file")
        if path.stat().st_size == 0:
            raise BadFileError(path, "is empty")
        cv2 = import_cv2()
        capture = cv2.VideoCapture(str(path))
        if not capture.isOpened():
            capture.release()
            raise BadFileError(path, "cannot be opened as a video (unknown format or corrupt)")
        if _fourcc(capture) in _TEXT_CODECS:
            capture.release()
            raise BadFileError(path, "is a text file, not a video")
        super().__init__(capture, path.name)
        self.path = path
        self.loop = loop
        self.frame_count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        ok, _ = capture.read()
        if not ok:
            capture.release()
            raise BadFileError(path, "contains no decodable frames (corrupt or truncated)")
        capture.set(cv2.CAP_PROP_POS_FRAMES, 0)

    def _on_end(self, frames_read: int) -> None:
        """A file whose header promises more frames than decode was cut short or damaged."""
        if self.frame_count > 0 and frames_read < self.frame_count * 0.98 - 1:
            raise BadFileError(self.path, f"ends after {frames_read} of {self.frame_count} frames "
                                          "(truncated or corrupt)")

    def frames(self) -> Iterator[Frame]:
        """Frames in order; with `loop`, starts over at the end and keeps time increasing."""
        offset_s, offset_index = 0.0, 0
        while True:
            last = None
            for frame in super().frames():
                last = Frame(frame.index + offset_index, frame.timestamp_s + offset_s, frame.rgb)
                yield last
            if not self.loop or last is None:
                return
            self._capture.set(self._cv2.CAP_PROP_POS_FRAMES, 0)
            offset_s = last.timestamp_s + 1.0 / self.fps
            offset_index = last.index + 1


# FFmpeg "decodes" text files as ANSI art; they are not videos.
_TEXT_CODECS = {"ansi", "tty"}


def _fourcc(capture) -> str:
    cv2 = import_cv2()
    code = int(capture.get(cv2.CAP_PROP_FOURCC))
    return "".join(chr((code >> 8 * i) & 0xFF) for i in range(4))


class CameraSource(_CaptureSource):
    """A local camera by index, or a network stream by URL (HTTP MJPEG, RTSP).

    A camera that cannot be opened raises `LiveactionError`; one that stops delivering
    frames mid-run raises `SourceLost`, so the caller can show a message and retry.
    """

    def __init__(self, device: int | str = 0, width: int | None = None, height: int | None = None):
        cv2 = import_cv2()
        capture = cv2.VideoCapture(device)
        if width and height:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        what = f"camera {device}" if isinstance(device, int) else f"stream {device}"
        if not capture.isOpened():
            capture.release()
            raise LiveactionError(f"{what} cannot be opened (not connected, in use, or no permission)")
        super().__init__(capture, what)
        self.device = device

    def _read(self) -> tuple[bool, np.ndarray | None, float]:
        ok, bgr = self._capture.read()
        # Live sources have no container clock: stamp frames with the wall clock.
        return ok, bgr, (time.monotonic() * 1000.0 if ok else 0.0)

    def _on_end(self, frames_read: int) -> None:
        raise SourceLost(f"{self.name} stopped delivering frames after {frames_read} frames")


def list_cameras(max_index: int = 8) -> list[int]:
    """Indices of the local cameras that open. Probing is slow, so call it off the GUI thread."""
    cv2 = import_cv2()
    found = []
    for index in range(max_index):
        if not Path(f"/dev/video{index}").exists() and os.name == "posix":
            continue
        capture = cv2.VideoCapture(index)
        if capture.isOpened():
            found.append(index)
        capture.release()
    return found
