"""Recording a labelled clip from what the window shows, and saving it off the GUI thread.

`RecordController` feeds the session's `LiveFrame`s (the skeletons the model sees, and the
picture) to the pure `recognizer.recorder.Recorder`, reports its countdown and progress,
and when the clip is complete saves it with `ClipLibrary.add` in a `BackgroundCall`. The
window keeps running meanwhile; a failed save (a full disk) leaves every earlier clip as
it was and is reported through `failed`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.background import BackgroundCall
from app.sources import LiveFrame, SourceSpec
from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip
from recognizer.recorder import COUNTDOWN, DONE, RECORDING, Recorder, RecordingConfig, RecordingStatus

MIN_PERSON_SHARE = 0.5  # a clip where a person is seen in fewer of its frames than this is not saved
JOINTS_FOR_PERSON = 4  # joints seen in a frame for it to count as showing a person


@dataclass(frozen=True)
class RecordingView:
    """What the window draws for a recording in progress."""

    countdown: str  # big digits over the video while counting down, else ""
    badge: str  # the red "● REC 1.2 s" while recording, else ""
    recording: bool  # counting down or recording (the Record button says Stop)


IDLE_VIEW = RecordingView("", "", False)


def recording_view(status: RecordingStatus, elapsed_s: float) -> RecordingView:
    """Pure: the overlay texts for a recorder status (`elapsed_s`: time recorded so far)."""
    if status.state == COUNTDOWN:
        return RecordingView(str(max(1, math.ceil(status.remaining_s - 1e-6))), "", True)
    if status.state == RECORDING:
        shown = elapsed_s if math.isinf(status.remaining_s) else status.remaining_s
        return RecordingView("", f"● REC {shown:.1f} s", True)
    return IDLE_VIEW


def recording_problem(clip: SkeletonClip) -> str | None:
    """Why a recorded clip is not worth saving (nobody in it), or None."""
    seen = (clip.data[2] > 0).sum(axis=1).max(axis=-1) >= JOINTS_FOR_PERSON  # (T,) a person in the frame
    if not seen.any():
        return "No person was seen during the recording, so it was not saved. Step into the picture and try again."
    if seen.mean() < MIN_PERSON_SHARE:
        return (f"A person was seen in only {seen.mean():.0%} of the recording, so it was not saved. "
                "Stay in the picture while recording.")
    return None


def source_name(spec: SourceSpec) -> str:
    """What a clip records as its source: the camera, stream or file it was recorded from."""
    return f"{spec.kind}:{spec.target}"


class RecordController(QObject):
    """One recording at a time: start, feed frames, stop or cancel; saving in the background."""

    view_changed = Signal(object)  # RecordingView
    saved = Signal(object)  # ClipInfo
    failed = Signal(str)  # a one-line message (nothing saved, full disk, …)
    cancelled = Signal(str)  # why a recording was dropped before it was complete

    def __init__(self, run: Callable[[BackgroundCall], None], parent: QObject | None = None):
        super().__init__(parent)
        self._run = run
        self.recorder: Recorder | None = None
        self.library: ClipLibrary | None = None
        self._recording_from: float | None = None
        self.view = IDLE_VIEW
        self.saving = 0  # saves still on their way

    @property
    def active(self) -> bool:
        return self.recorder is not None

    def start(self, label: str, config: RecordingConfig, spec: SourceSpec, library: ClipLibrary) -> None:
        """Count down, then record from the next frames. Raises `LiveactionError` (no label)."""
        recorder = Recorder(config)
        recorder.start(label, source_name(spec))
        self.recorder, self.library, self._recording_from = recorder, library, None
        self._show(RecordingView(str(math.ceil(config.countdown_s)) if config.countdown_s > 0 else "", "", True))

    def feed(self, frame: LiveFrame) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        status = recorder.feed(frame.time, frame.skeletons, frame.rgb)
        if status.state == RECORDING and self._recording_from is None:
            self._recording_from = frame.time
        elapsed = frame.time - self._recording_from if self._recording_from is not None else 0.0
        self._show(recording_view(status, elapsed))
        if status.state == DONE:
            self._finish()

    def stop(self, reason_if_cancelled: str = "") -> None:
        """End a recording here (and save it), or cancel a countdown (saying `reason_if_cancelled`)."""
        if self.recorder is None:
            return
        self.recorder.stop()
        if self.recorder.state == DONE:
            self._finish()
        else:
            self.cancel(reason_if_cancelled)

    def cancel(self, reason: str = "") -> None:
        """Drop the recording in progress (the source changed, or the user asked)."""
        if self.recorder is None:
            return
        self.recorder = None
        self._show(IDLE_VIEW)
        if reason:
            self.cancelled.emit(reason)

    def _finish(self) -> None:
        recorder, library, self.recorder = self.recorder, self.library, None
        self._show(IDLE_VIEW)
        clip, frames = recorder.result()
        problem = recording_problem(clip)
        if problem is not None:
            self.failed.emit(problem)
            return
        call = BackgroundCall(library.add, clip, frames, what=f"Saving the clip of {clip.label}")
        call.succeeded.connect(self.saved)
        call.failed.connect(self._save_failed)
        call.finished.connect(self._saved_or_not)
        self.saving += 1
        self._run(call)

    def _save_failed(self, message: str) -> None:
        self.failed.emit(f"The clip was not saved: {message}")

    def _saved_or_not(self) -> None:
        self.saving -= 1

    def _show(self, view: RecordingView) -> None:
        if view != self.view:
            self.view = view
            self.view_changed.emit(view)
