"""Recording clips in the window: countdown, REC badge, saving (with video), and what goes wrong.

One test records from a real video with the real pose model; the others use a fake
camera and pose so they stay quick.
"""

from __future__ import annotations

import errno
import os

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app import settings as settings_io
from app.recording import IDLE_VIEW, RecordingView, recording_problem, recording_view
from app.settings import AppSettings
from app.sources import SourceSpec, default_pipeline
from app.startup import StartOptions
from recognizer import atomic
from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip, read_kinetics_json
from recognizer.recorder import COUNTDOWN, DONE, RECORDING, RecordingStatus
from tests.app.conftest import TIMEOUT_MS, FakePipeline, FakeResult, FakeSource
from tests.app.test_main_window import Sources


# ---- pure pieces ---------------------------------------------------------------------------------
def test_overlay_texts_count_down_then_show_rec_time():
    assert recording_view(RecordingStatus(COUNTDOWN, 2.4, 0), 0.0) == RecordingView("3", "", True)
    assert recording_view(RecordingStatus(COUNTDOWN, 0.2, 0), 0.0).countdown == "1"
    assert recording_view(RecordingStatus(RECORDING, 1.23, 10), 1.8) == RecordingView("", "● REC 1.2 s", True)
    assert recording_view(RecordingStatus(RECORDING, float("inf"), 50), 4.31).badge == "● REC 4.3 s"  # start/stop
    assert recording_view(RecordingStatus(DONE, 0.0, 60), 3.0) == IDLE_VIEW


def test_a_clip_without_a_person_is_not_worth_saving():
    data = np.zeros((3, 20, 18, 2), np.float32)
    assert "No person" in recording_problem(SkeletonClip(data, "wave"))
    data[2, :6, :10, 0] = 0.9  # a person in 6 of 20 frames
    assert "only 30%" in recording_problem(SkeletonClip(data, "wave"))
    data[2, :, :10, 0] = 0.9
    assert recording_problem(SkeletonClip(data, "wave")) is None


def test_recording_settings_round_trip():
    value = AppSettings(record_label="drinking", record_length_s=4.5, record_until_stopped=True, keep_video=True,
                        few_shot=False)
    assert settings_io.from_json(settings_io.to_json(value)) == value
    doc = settings_io.to_json(value).replace("4.5", "400.0")
    assert settings_io.from_json(doc).record_length_s == 3.0  # out of range: the default


# ---- in the window -------------------------------------------------------------------------------
def test_recording_a_real_video_saves_the_labelled_clip_and_its_video(make_window, qtbot, ta_chi, tmp_path):
    window = make_window(StartOptions(video=ta_chi), make_pipeline=default_pipeline, countdown_s=0.5)
    window.start()
    qtbot.waitUntil(lambda: window.frames_shown > 3, timeout=TIMEOUT_MS)
    window.record_bar.set_label("tai chi")
    window.record_bar.set_options(1.0, until_stopped=False, keep_video=True)
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert window.recording.active and window.video.countdown == "1"
    assert window.record_action.text() == "■ Stop" and not window.record_bar.label_box.isEnabled()
    qtbot.waitUntil(lambda: window.video.rec_badge.startswith("● REC"), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "Saved a" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert "tai chi" in window.message_bar.text() and "video" in window.message_bar.text()
    assert window.video.rec_badge == "" and window.record_action.text() == "● Record"

    [json_path] = (tmp_path / "clips").glob("*.json")
    clip = read_kinetics_json(json_path)
    assert clip.label == "tai chi" and clip.meta["source"] == f"video:{ta_chi}"
    assert clip.num_frames >= 3 and (clip.data[2, :, :, 0] > 0.3).mean() > 0.5, "the person is in the clip"
    from recognizer.video import VideoFileSource

    with VideoFileSource(json_path.with_suffix(".mp4")) as source:
        assert sum(1 for _ in source.frames()) == clip.num_frames
    qtbot.waitUntil(lambda: window.library_view.group_counts() == {"tai chi": 1}, timeout=TIMEOUT_MS)
    assert window.settings.record_label == "tai chi" and window.settings.keep_video


class NoOneThere(FakePipeline):
    def process(self, frame):
        return FakeResult(np.zeros((2, 18, 3), np.float32))


def record_half_a_second_from_the_camera(window, qtbot) -> None:
    """Open the (fake) camera, and once frames show, record a 0.5 s clip labelled "waving"."""
    window.open_source(SourceSpec.camera(0))
    qtbot.waitUntil(lambda: window.frames_shown > 2, timeout=TIMEOUT_MS)
    window.record_bar.set_label("waving")
    window.record_bar.set_options(0.5, until_stopped=False, keep_video=False)
    window.toggle_recording()


def test_a_recording_with_nobody_in_it_says_so_and_saves_nothing(make_window, qtbot, tmp_path):
    window = make_window(open_source=Sources(FakeSource), make_pipeline=NoOneThere, countdown_s=0.0)
    record_half_a_second_from_the_camera(window, qtbot)
    qtbot.waitUntil(lambda: "No person was seen" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert not list((tmp_path / "clips").glob("*.json"))


class FullDisk:
    """`os` as `recognizer.atomic` sees it on a full disk: every write fails with ENOSPC."""

    def __getattr__(self, name):
        return getattr(os, name)

    @staticmethod
    def write(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_shows_the_error_keeps_earlier_clips_and_the_app_runs(make_window, qtbot, tmp_path, monkeypatch):
    window = make_window(open_source=Sources(FakeSource), countdown_s=0.0)
    record_half_a_second_from_the_camera(window, qtbot)
    qtbot.waitUntil(lambda: "Saved a" in window.message_bar.text(), timeout=TIMEOUT_MS)
    library = ClipLibrary(tmp_path / "clips")
    [earlier] = library.clips()

    monkeypatch.setattr(atomic, "os", FullDisk())
    window.toggle_recording()
    qtbot.waitUntil(lambda: "disk is full" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert window.message_bar.level == "error" and "not saved" in window.message_bar.text()
    monkeypatch.undo()
    assert [c.id for c in library.clips()] == [earlier.id] and library.load(earlier.id).label == "waving"
    assert not [p for p in os.listdir(tmp_path / "clips") if p.endswith(".tmp")]
    shown = window.frames_shown
    qtbot.waitUntil(lambda: window.frames_shown > shown + 5, timeout=TIMEOUT_MS)
    assert window.isVisible() and not window.recording.active


def test_start_stop_recording_and_what_record_needs_first(make_window, qtbot, tmp_path):
    window = make_window(open_source=Sources(FakeSource), countdown_s=0.0)
    window.toggle_recording()
    assert "Open a camera or a video first" in window.message_bar.text()
    window.open_source(SourceSpec.camera(0))
    qtbot.waitUntil(lambda: window.frames_shown > 2, timeout=TIMEOUT_MS)
    window.record_bar.set_label("")
    window.toggle_recording()
    assert "Choose or type the label" in window.message_bar.text() and not window.recording.active
    window.record_bar.label_box.setFocus()
    qtbot.keyClicks(window.record_bar.label_box, "clapr")  # R while typing a label is a letter, not Record
    assert window.record_bar.label() == "clapr" and not window.recording.active
    window.record_bar.set_label("clapping")
    window.record_bar.set_options(3.0, until_stopped=True, keep_video=False)
    assert window.record_bar.length_s() is None and not window.record_bar.length_spin.isEnabled()
    window.toggle_recording()
    qtbot.waitUntil(lambda: window.video.rec_badge.startswith("● REC"), timeout=TIMEOUT_MS)
    qtbot.wait(300)
    window.toggle_recording()  # stop
    qtbot.waitUntil(lambda: "Saved a" in window.message_bar.text(), timeout=TIMEOUT_MS)
    [clip] = ClipLibrary(tmp_path / "clips").clips()
    assert clip.label == "clapping" and clip.video is None and clip.frames >= 2
    assert window.recording.view == IDLE_VIEW
    assert settings_io.load(window.context.store).record_until_stopped


@pytest.mark.parametrize("switch", ["source", "end"])
def test_a_countdown_is_cancelled_when_the_source_goes(make_window, qtbot, switch):
    def open_file(spec):
        return FakeSource(name="short.mp4", frames=20 if switch == "end" else 10_000, live=spec.kind == "camera")

    window = make_window(open_source=open_file, countdown_s=30.0)
    window.open_source(SourceSpec("video", "short.mp4", loop=False))
    qtbot.waitUntil(lambda: window.frames_shown > 2, timeout=TIMEOUT_MS)
    window.record_bar.set_label("waving")
    window.toggle_recording()
    assert window.recording.active
    if switch == "source":
        window.open_source(SourceSpec.camera(0))
    qtbot.waitUntil(lambda: "Recording cancelled" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert not window.recording.active and window.video.countdown == ""
