"""`liveaction bench --json`: one JSON object with the fields the issue names, from a real run."""

import json
import math
import subprocess
import sys

LIVEACTION = [sys.executable, "-m", "recognizer.cli"]
REQUIRED = {"device": str, "model": str, "pose_ms": float, "model_ms": float, "end_to_end_ms": float,
            "fps_sustained": float, "fps_realtime_dropped": int, "onset_latency_s": float}


def test_bench_json_has_every_figure(shared_data, small_model):
    result = subprocess.run(LIVEACTION + ["bench", "--json", "--seconds", "1.5", "--max-persons", "1",
                                          "--video", str(shared_data / "videos" / "ta_chi.mp4"),
                                          "--model", str(small_model)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.strip().splitlines()
    report = json.loads(line)
    for key, kind in REQUIRED.items():
        assert isinstance(report[key], kind), (key, report[key])
    assert report["model"] == "small" and report["max_persons"] == 1
    assert 0 < report["pose_ms"] < 1000 and report["fps_sustained"] > 0 and report["predictions"] > 0
    # the small model knows none of the switch pairs' actions: no onset to measure, said as such
    assert math.isnan(report["onset_latency_s"]) and report["onset_followed"] == "0/5"
