"""Frame sources: real videos, bad files, looping, and the camera error paths."""

import os

import numpy as np
import pytest

from recognizer.errors import BadFileError, LiveactionError
from recognizer.video import CameraSource, SourceLost, VideoFileSource, import_cv2


def write_avi(path, frames: int = 60, size=(64, 48)) -> None:
    cv2 = import_cv2()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, size)
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), (i * 4) % 256, np.uint8))
    writer.release()


def test_import_cv2_keeps_qt_environment(monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM_PLUGIN_PATH", raising=False)
    import_cv2()
    assert "QT_QPA_PLATFORM_PLUGIN_PATH" not in os.environ


def test_real_video_frames_and_timestamps(shared_data):
    with VideoFileSource(shared_data / "videos" / "ta_chi.mp4") as source:
        frames = list(source.frames())
    assert len(frames) == source.frame_count == 300
    assert frames[0].rgb.shape == (256, 340, 3) and frames[0].rgb.dtype == np.uint8
    times = np.array([f.timestamp_s for f in frames])
    assert (np.diff(times) > 0).all()
    assert np.diff(times).mean() == pytest.approx(1 / source.fps, rel=0.02)


def test_loop_keeps_time_increasing(tmp_path):
    write_avi(tmp_path / "short.avi", frames=10)
    with VideoFileSource(tmp_path / "short.avi", loop=True) as source:
        frames = []
        for frame in source.frames():
            frames.append(frame)
            if len(frames) == 25:
                break
    assert [f.index for f in frames] == list(range(25))
    assert (np.diff([f.timestamp_s for f in frames]) > 0).all()


@pytest.mark.parametrize("name, content, problem", [
    ("missing.mp4", None, "no such file"),
    ("", None, "is a directory"),
    ("empty.mp4", b"", "is empty"),
    ("text.mp4", b"hello", "cannot be opened"),
    ("notes.txt", b"some notes\n" * 50, "text file"),
])
def test_bad_files_give_one_clear_error(tmp_path, name, content, problem):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BadFileError, match=problem) as info:
        VideoFileSource(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_truncated_video_is_reported_after_what_could_be_read(tmp_path):
    write_avi(tmp_path / "whole.avi")
    data = (tmp_path / "whole.avi").read_bytes()
    (tmp_path / "cut.avi").write_bytes(data[: len(data) // 2])
    with VideoFileSource(tmp_path / "cut.avi") as source:
        frames = []
        with pytest.raises(BadFileError, match="truncated"):
            for frame in source.frames():
                frames.append(frame)
    assert 0 < len(frames) < 60


def test_truncated_real_video_cannot_be_opened(tmp_path, shared_data):
    data = (shared_data / "videos" / "clean_and_jerk.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 3])
    with pytest.raises(BadFileError, match="cut.mp4"):
        VideoFileSource(tmp_path / "cut.mp4")


def test_absent_camera_is_a_clear_error():
    with pytest.raises(LiveactionError, match="camera 97 cannot be opened"):
        CameraSource(97)


def test_stream_that_stops_raises_source_lost(tmp_path):
    """A live source that ends (camera unplugged, stream dropped) is reported, not silently finished."""
    write_avi(tmp_path / "stream.avi", frames=5)
    with CameraSource(str(tmp_path / "stream.avi")) as source:
        got = []
        with pytest.raises(SourceLost, match="stopped delivering frames after 5"):
            for frame in source.frames():
                got.append(frame)
    assert len(got) == 5
