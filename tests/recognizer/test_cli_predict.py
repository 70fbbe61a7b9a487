"""`liveaction predict` as a user runs it: one JSON object, short clips, nobody, bad files."""

import json
import subprocess
import sys

import pytest

from recognizer.paths import STARTER_MODEL
from tests.recognizer.test_video import write_avi

LIVEACTION = [sys.executable, "-m", "recognizer.cli"]
FIELDS = {"video": str, "frames": int, "fps": float, "person_ratio": float, "label": str, "score": float,
          "threshold": float, "top5": list, "segments": list}


def predict_json(*args) -> tuple[dict, subprocess.CompletedProcess]:
    result = subprocess.run(LIVEACTION + ["predict", *map(str, args), "--json"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1, "exactly one JSON object on stdout"
    return json.loads(result.stdout), result


def check_fields(report: dict) -> None:
    for key, kind in FIELDS.items():
        assert isinstance(report[key], kind if kind is not float else (int, float)), key
    for label, score in report["top5"]:
        assert isinstance(label, str) and 0 <= score <= 1
    for segment in report["segments"]:
        assert set(segment) == {"start_s", "end_s", "label", "score"} and segment["end_s"] >= segment["start_s"]


def test_predict_json_on_a_real_video(shared_data, small_model):
    report, _ = predict_json(shared_data / "videos" / "ta_chi.mp4", "--model", small_model)
    check_fields(report)
    assert report["frames"] == 300 and report["person_ratio"] > 0.95 and len(report["top5"]) == 3
    assert report["fps"] == pytest.approx(29.97, abs=0.01)


def test_one_second_clip_still_gets_a_prediction(shared_data, tmp_path, small_model):
    from recognizer.video import VideoFileSource, import_cv2

    cv2 = import_cv2()
    short = tmp_path / "one_second.avi"
    with VideoFileSource(shared_data / "videos" / "clean_and_jerk.mp4") as source:
        writer = cv2.VideoWriter(str(short), cv2.VideoWriter_fourcc(*"MJPG"), 30, (340, 256))
        for frame, _ in zip(source.frames(), range(30)):
            writer.write(cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR))
        writer.release()
    report, _ = predict_json(short, "--model", small_model)
    assert report["frames"] == 30 and report["top5"], "a 30-frame clip is resized to T as in training"


def test_personless_video_says_unknown(tmp_path, small_model):
    write_avi(tmp_path / "empty_room.avi", frames=45, size=(160, 120))
    report, _ = predict_json(tmp_path / "empty_room.avi", "--model", small_model)
    assert report["person_ratio"] == 0.0 and report["label"] == "unknown" and report["segments"] == []


@pytest.mark.parametrize("what", ["corrupt video", "missing model"])
def test_bad_inputs_are_one_clear_line(tmp_path, small_model, what):
    video, model = tmp_path / "clip.mp4", small_model
    if what == "corrupt video":
        video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(500))
    else:
        write_avi(video, frames=10)
        model = tmp_path / "nope.safetensors"
    result = subprocess.run(LIVEACTION + ["predict", str(video), "--model", str(model), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_shipped_starter_model_predicts_a_real_video(shared_data):
    if not STARTER_MODEL.exists():
        pytest.fail(f"the starter model {STARTER_MODEL} is missing")
    report, _ = predict_json(shared_data / "videos" / "clean_and_jerk.mp4")
    check_fields(report)
    assert len(report["top5"]) == 5
