from pathlib import Path

from app.sources import SourceSpec
from app.startup import (StartOptions, camera_to_open, dropped_kind, model_to_load, remembered_source,
                         requested_source)


def test_the_command_line_names_the_source():
    assert requested_source(StartOptions(video=Path("a.mp4")), True, None) == SourceSpec("video", "a.mp4", loop=True)
    assert requested_source(StartOptions(video=Path("clip.json")), False, None).kind == "clip"
    assert requested_source(StartOptions(camera="2"), True, (640, 480)) == SourceSpec("camera", "2", 640, 480)
    url = "http://127.0.0.1:8080/video"
    assert requested_source(StartOptions(camera=url), True, None) == SourceSpec("stream", url)
    assert requested_source(StartOptions(), True, None) is None


def test_remembered_files_that_are_gone_and_cameras_are_not_reopened_blindly(tmp_path):
    video = tmp_path / "v.mp4"
    video.write_bytes(b"x")
    assert remembered_source(SourceSpec("video", str(video))) == SourceSpec("video", str(video))
    assert remembered_source(SourceSpec("video", str(tmp_path / "gone.mp4"))) is None
    assert remembered_source(SourceSpec.camera(0)) is None  # cameras are probed first
    assert remembered_source(SourceSpec("stream", "rtsp://cam/1")) == SourceSpec("stream", "rtsp://cam/1")


def test_which_camera_opens():
    assert camera_to_open([], None, None) is None
    assert camera_to_open([0, 2], None, None) == SourceSpec.camera(0)
    assert camera_to_open([0, 2], SourceSpec.camera(2), (1280, 720)) == SourceSpec.camera(2, (1280, 720))
    assert camera_to_open([0], SourceSpec.camera(3), None) == SourceSpec.camera(0)


def test_which_model_loads(tmp_path):
    starter, mine = tmp_path / "starter.safetensors", tmp_path / "mine.safetensors"
    mine.write_bytes(b"x")
    assert model_to_load(StartOptions(model=Path("cli.safetensors")), str(mine), starter) == Path("cli.safetensors")
    assert model_to_load(StartOptions(), str(mine), starter) == mine
    assert model_to_load(StartOptions(), str(tmp_path / "deleted.safetensors"), starter) == starter
    assert model_to_load(StartOptions(), None, starter) == starter


def test_dropped_files_are_told_apart(tmp_path):
    (tmp_path / "m.safetensors").write_bytes(b"x")
    assert dropped_kind(tmp_path / "m.safetensors") == "model"
    assert dropped_kind(tmp_path / "m.json") == "model"  # a model's card
    assert dropped_kind(tmp_path / "clip.json") == "clip"
    assert dropped_kind(tmp_path / "walk.MP4") == "video"
