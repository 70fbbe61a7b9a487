"""`liveaction extract` as a user runs it: real videos, bad inputs, and no network."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from recognizer.cli import main
from recognizer.data.formats import read_kinetics_json

LIVEACTION = [sys.executable, "-m", "recognizer.cli"]


def test_extract_real_video_writes_kinetics_json(shared_data, tmp_path, capsys):
    out = tmp_path / "tai_chi.json"
    assert main(["extract", str(shared_data / "videos" / "ta_chi.mp4"), "-o", str(out), "--label", "tai chi"]) == 0
    summary = capsys.readouterr().out.strip()
    assert summary.startswith(str(out)) and "300 frames" in summary and "ms/frame" in summary
    clip = read_kinetics_json(out)
    assert clip.data.shape == (3, 300, 18, 2) and clip.label == "tai chi"
    seen = clip.data[2, :, 1, 0] > 0.3
    assert seen.mean() > 0.95, "a person in nearly every frame"
    assert (clip.data[:2] >= 0).all() and (clip.data[:2] <= 1).all()
    raw = json.loads(out.read_text())
    assert raw["data"][0]["frame_index"] == 1 and len(raw["data"][0]["skeleton"][0]["pose"]) == 36


def test_extract_video_game_footage_is_robust(shared_data, tmp_path):
    """skateboarding.mp4 is a rendered video game: no crash, whatever is found is in range."""
    out = tmp_path / "skate.json"
    assert main(["extract", str(shared_data / "videos" / "skateboarding.mp4"), "-o", str(out)]) == 0
    data = read_kinetics_json(out).data
    assert np.isfinite(data).all() and (data[:2] >= 0).all() and (data[:2] <= 1).all()


@pytest.mark.parametrize("target, problem", [
    ("missing.mp4", "no such file"),
    (".", "is a directory"),
    ("notes.txt", "video"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, target, problem):
    (tmp_path / "notes.txt").write_text("not a video\n" * 20)
    result = subprocess.run(LIVEACTION + ["extract", str(tmp_path / target), "-o", str(tmp_path / "o.json")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert problem in lines[0] and str(tmp_path / target) in lines[0], "names the file and the problem"
    assert not (tmp_path / "o.json").exists()


def test_extract_runs_with_the_network_unavailable(shared_data, tmp_path):
    """The offline guarantee: a network namespace with no interfaces up (CI runs as root)."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a network namespace here (needs root and util-linux unshare)")
    out = tmp_path / "offline.json"
    result = subprocess.run([unshare, "-n"] + LIVEACTION + ["extract", str(shared_data / "videos" / "ta_chi.mp4"),
                                                            "-o", str(out)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert read_kinetics_json(out).data.shape[1] == 300


def test_extract_never_opens_a_socket(shared_data, tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("liveaction tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert main(["extract", str(shared_data / "videos" / "clean_and_jerk.mp4"), "-o", str(tmp_path / "o.json")]) == 0


def test_library_imports_no_qt():
    code = ("import sys, recognizer, recognizer.cli, recognizer.pose, recognizer.pipeline, recognizer.video, "
            "recognizer.tracking, recognizer.data.formats; "
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'pyqtgraph'))]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
