import threading

import numpy as np
import pytest

from app.sources import ClipReplaySource, LatestSlot, Pacer, RateMeter, Session, SourceSpec, open_source
from recognizer.data.formats import SkeletonClip, write_kinetics_json
from recognizer.errors import BadFileError, LiveactionError
from tests.app.conftest import FakePipeline, FakeSource, waving_skeletons


def test_latest_slot_keeps_only_the_newest_and_counts_the_replaced():
    slot = LatestSlot()
    assert slot.put(1) is True  # was empty: the consumer should be told
    assert slot.put(2) is False and slot.put(3) is False
    assert slot.take() == 3 and slot.dropped == 2
    assert slot.take() is None
    slot.close()
    assert slot.closed and slot.take(timeout=1.0) is None


def test_latest_slot_wakes_a_waiting_consumer():
    slot = LatestSlot()
    threading.Timer(0.05, slot.put, args=("frame",)).start()
    assert slot.take(timeout=5.0) == "frame"


def test_pacer_plays_at_real_time_and_catches_up_when_far_behind():
    pacer = Pacer()
    assert pacer.delay(10.0, now=100.0) == 0.0
    assert pacer.delay(10.5, now=100.1) == pytest.approx(0.4)
    assert pacer.delay(10.6, now=100.7) == 0.0  # already due
    assert pacer.delay(12.0, now=105.0) == 0.0  # far behind: restart from here
    assert pacer.delay(12.5, now=105.0) == pytest.approx(0.5)
    pacer.resume(12.5, now=200.0)  # after a pause the next frame keeps its distance from the last one
    assert pacer.delay(12.6, now=200.0) == pytest.approx(0.1)
    pacer.resume(None, now=300.0)  # paused before any frame went out: the first is due at once
    assert pacer.delay(0.0, now=300.0) == 0.0


def test_rate_meter_measures_events_per_second_even_when_jittery():
    meter = RateMeter()
    assert meter.rate == 0.0
    for i in range(50):
        meter.tick(i / 20)
    assert meter.rate == pytest.approx(20.0)
    jittery = RateMeter(smoothing=0.02)
    now = 0.0
    for i in range(400):  # 30 events/s on average, alternating 1/60 s and 3/60 s apart
        now += (1 if i % 2 else 3) / 60
        jittery.tick(now)
    assert jittery.rate == pytest.approx(30.0, rel=0.05)


def test_open_source_reports_bad_files_in_one_line(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 50)
    with pytest.raises(BadFileError, match="notes.mp4"):
        open_source(SourceSpec("video", str(text)))
    with pytest.raises(BadFileError, match="no such file"):
        open_source(SourceSpec("clip", str(tmp_path / "missing.json")))
    with pytest.raises(LiveactionError):
        open_source(SourceSpec("stream", "http://127.0.0.1:9/nothing-listens-here"))


def test_clip_replay_yields_the_clip_skeletons_at_its_fps(tmp_path):
    data = np.stack([waving_skeletons(t / 15) for t in range(6)]).transpose(3, 0, 2, 1)  # (T, M, V, C) → (C, T, V, M)
    write_kinetics_json(tmp_path / "clip.json", SkeletonClip(data=data, label="waving", fps=15.0))
    source = open_source(SourceSpec("clip", str(tmp_path / "clip.json"), loop=True))
    assert isinstance(source, ClipReplaySource) and source.fps == 15.0
    frames = [f for _, f in zip(range(9), source.frames())]
    assert [f.index for f in frames] == list(range(9)) and frames[7].timestamp_s == pytest.approx(7 / 15)
    np.testing.assert_allclose(frames[6].skeletons, frames[0].skeletons)  # looped
    np.testing.assert_allclose(frames[1].skeletons, waving_skeletons(1 / 15), atol=1e-6)


@pytest.fixture
def sessions():
    """Sessions a test starts; stopped at its end even when an assert failed half-way."""
    started: list[Session] = []
    yield started
    for session in started:
        session.stop()


@pytest.fixture
def run_session(qtbot, sessions):
    def run(source, spec, pipeline, seconds):
        session = Session(spec, source, make_pipeline=lambda: pipeline)
        sessions.append(session)
        frames = []
        session.frame.connect(frames.append)
        session.start()
        qtbot.wait(int(seconds * 1000))
        return session, frames

    return run


def test_a_slow_pipeline_drops_old_frames_instead_of_queueing(run_session):
    source = FakeSource(fps=60.0)
    pipeline = FakePipeline(delay_s=0.05)  # 20 frames/s at most
    session, frames = run_session(source, SourceSpec.camera(0), pipeline, 1.0)
    session.stop()
    assert session.wait(5.0)
    assert frames and frames[-1].dropped > 0
    indices = [f.index for f in frames]
    assert indices == sorted(indices) and indices[-1] - indices[0] > len(indices)  # skipped, never behind
    assert source.closed and pipeline.pose.closed


def test_pausing_a_file_stops_reading_and_resuming_continues(qtbot, run_session):
    source = FakeSource(name="file", fps=30.0, live=False)
    session, frames = run_session(source, SourceSpec("video", "file.mp4"), FakePipeline(), 0.4)
    session.set_paused(True)
    qtbot.wait(150)
    seen = len(frames)
    qtbot.wait(300)
    assert len(frames) == seen  # nothing new while paused
    session.set_paused(False)
    qtbot.waitUntil(lambda: len(frames) > seen + 3, timeout=30_000)
    # continues with the next frame: the one in pose at the pause is shown, the one waiting is not replaced
    assert frames[seen].index - frames[seen - 1].index == 1
    session.stop()
    assert session.wait(5.0)


class GatedPipeline(FakePipeline):
    """Analyses a frame only when the test lets one through; remembers which frames came in."""

    def __init__(self):
        super().__init__()
        self.entered = threading.Semaphore(0)
        self.gate = threading.Semaphore(0)
        self.indices: list[int] = []

    def process(self, frame):
        self.indices.append(frame.index)
        self.entered.release()
        self.gate.acquire(timeout=10)  # (a failed test must not leave the thread blocked)
        return super().process(frame)


def test_a_frame_in_pose_at_the_pause_is_shown_on_resume(qtbot, sessions):
    pipeline = GatedPipeline()
    session = Session(SourceSpec("video", "file.mp4"), FakeSource(name="file", live=False),
                      make_pipeline=lambda: pipeline)
    sessions.append(session)
    frames = []
    session.frame.connect(frames.append)
    session.start()
    for shown in range(1, 4):
        assert pipeline.entered.acquire(timeout=10)
        pipeline.gate.release()
        qtbot.waitUntil(lambda: len(frames) == shown)
    assert pipeline.entered.acquire(timeout=10)  # a fourth frame is in pose when the user pauses
    session.set_paused(True)
    pipeline.gate.release()
    qtbot.wait(300)
    assert len(frames) == 3  # nothing new on screen while paused
    session.set_paused(False)
    qtbot.waitUntil(lambda: len(frames) == 4)
    pipeline.gate.release()
    qtbot.waitUntil(lambda: len(frames) == 5)
    assert frames[3].index == pipeline.indices[3]  # shown first on resume, not thrown away
    assert 0 < frames[4].index - frames[3].index < 5  # and the file did not run on during the pause
    pipeline.gate.release(1000)


def test_a_lost_camera_is_reported_and_the_threads_end(qtbot, sessions):
    source = FakeSource(lose_after=5)
    session = Session(SourceSpec.camera(0), source, make_pipeline=FakePipeline)
    sessions.append(session)
    messages = []
    session.lost.connect(messages.append)
    with qtbot.waitSignals([session.lost, session.finished], timeout=30_000):
        session.start()
    assert "stopped delivering" in messages[0]
    assert source.closed and not session.running
