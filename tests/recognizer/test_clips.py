"""Recording clips from a video source and managing the clip library."""

import errno
import os

import numpy as np
import pytest

from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip, read_kinetics_json
from recognizer.errors import LiveactionError
from recognizer.recorder import COUNTDOWN, DONE, RECORDING, Recorder, RecordingConfig


def clip(label="wave", frames=30, seed=0) -> SkeletonClip:
    rng = np.random.default_rng(seed)
    data = rng.uniform(0.1, 0.9, size=(3, frames, 18, 2)).astype(np.float32)
    data[..., 1] = 0
    return SkeletonClip(data, label, None, 30.0, {"source": "test"})


def record_from_video(video, label, config, max_frames=400):
    from recognizer.pipeline import Pipeline
    from recognizer.pose import PoseEstimator
    from recognizer.video import VideoFileSource

    recorder = Recorder(config)
    recorder.start(label, source=str(video))
    statuses = []
    with VideoFileSource(video) as source, PoseEstimator() as pose:
        pipeline = Pipeline(pose)
        for result in pipeline.run(source):
            statuses.append(recorder.feed(result.frame.timestamp_s, result.skeletons, result.frame.rgb))
            if recorder.state == DONE or len(statuses) >= max_frames:
                break
    return recorder, statuses


def test_record_from_a_video_source_gives_a_labelled_clip_with_video(shared_data, tmp_path):
    recorder, statuses = record_from_video(shared_data / "videos" / "ta_chi.mp4", "tai chi",
                                           RecordingConfig(countdown_s=1.0, length_s=2.0, keep_video=True))
    assert statuses[0].state == COUNTDOWN and statuses[0].remaining_s == pytest.approx(1.0)
    assert any(s.state == RECORDING for s in statuses) and recorder.state == DONE
    assert [s.remaining_s for s in statuses if s.state == COUNTDOWN] == sorted(
        [s.remaining_s for s in statuses if s.state == COUNTDOWN], reverse=True), "a visible countdown"
    recorded, frames = recorder.result()
    assert recorded.label == "tai chi" and recorded.fps == pytest.approx(30.0, rel=0.02)
    assert 59 <= recorded.num_frames <= 61 and len(frames) == recorded.num_frames
    assert (recorded.data[2, :, 1, 0] > 0.3).mean() > 0.9, "the person is in the clip"

    library = ClipLibrary(tmp_path)
    info = library.add(recorded, frames)
    again = read_kinetics_json(info.path)
    assert again.label == "tai chi" and again.data.shape == (3, recorded.num_frames, 18, 2)
    assert info.video is not None and info.video.stat().st_size > 1000
    from recognizer.video import VideoFileSource

    with VideoFileSource(info.video) as source:
        assert sum(1 for _ in source.frames()) == recorded.num_frames


def test_start_stop_recording_and_errors():
    recorder = Recorder(RecordingConfig(countdown_s=0.0, length_s=None))
    with pytest.raises(LiveactionError, match="label"):
        recorder.start("  ")
    recorder.start("clap")
    for i in range(10):
        status = recorder.feed(i / 30, np.zeros((1, 18, 3), np.float32))
    assert status.state == RECORDING and status.remaining_s == float("inf")
    recorder.stop()
    data, frames = recorder.result()
    assert data.num_frames == 10 and frames is None
    with pytest.raises(LiveactionError, match="nothing recorded"):
        Recorder().result()


def test_relabel_delete_undo_and_listing(tmp_path):
    library = ClipLibrary(tmp_path)
    a = library.add(clip("wave", seed=1))
    b = library.add(clip("wave", seed=2))
    c = library.add(clip("clap", seed=3))
    assert {k: len(v) for k, v in library.by_label().items()} == {"clap": 1, "wave": 2}
    library.relabel(b.id, "clap")
    assert {k: len(v) for k, v in library.by_label().items()} == {"clap": 2, "wave": 1}
    library.delete(a.id)
    assert [i.id for i in library.clips()] == sorted([b.id, c.id])
    library.restore(a.id)
    assert library.load(a.id).label == "wave"
    np.testing.assert_allclose(library.load(a.id).data, clip("wave", seed=1).data, atol=1e-6)
    library.delete(c.id)
    library.empty_trash()
    with pytest.raises(LiveactionError, match="not in the trash"):
        library.restore(c.id)


def test_corrupt_clip_is_listed_as_a_problem_not_a_crash(tmp_path):
    library = ClipLibrary(tmp_path)
    library.add(clip())
    (tmp_path / "broken.json").write_text('{"data": [')
    assert len(library.clips()) == 1
    assert [p.name for p, _ in library.problems] == ["broken.json"]


def test_kill_during_write_leaves_no_partial_clip_and_keeps_earlier_ones(tmp_path, monkeypatch):
    library = ClipLibrary(tmp_path)
    earlier = library.add(clip("wave", seed=1))
    before = sorted(os.listdir(tmp_path))

    import recognizer.atomic as atomic

    real_replace = os.replace

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # killed right before the rename

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        library.add(clip("clap", seed=2), [np.zeros((48, 64, 3), np.uint8)] * 5)
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    assert sorted(os.listdir(tmp_path)) == before, "no partial or temporary file left"
    assert library.load(earlier.id).label == "wave"


def test_full_disk_is_a_clear_error_and_loses_nothing(tmp_path, monkeypatch):
    library = ClipLibrary(tmp_path)
    earlier = library.add(clip("wave", seed=1))
    import recognizer.atomic as atomic

    def no_space(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "write", no_space)
    with pytest.raises(LiveactionError, match="disk is full"):
        library.add(clip("clap", seed=2))
    monkeypatch.undo()
    assert [i.id for i in library.clips()] == [earlier.id]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_import_export_folder_and_pyskl(tmp_path):
    library = ClipLibrary(tmp_path / "lib")
    for i in range(3):
        library.add(clip("wave" if i < 2 else "clap", seed=i))
    assert library.export_folder(tmp_path / "out", labels=["wave"]) == 2
    (tmp_path / "out" / "junk.json").write_text("not json")
    other = ClipLibrary(tmp_path / "other")
    imported, problems = other.import_folder(tmp_path / "out")
    assert imported == 2 and [p.name for p, _ in problems] == ["junk.json"]
    assert library.export_pyskl(tmp_path / "clips.pkl") == 3
    assert (tmp_path / "clips.pkl").stat().st_size > 0
