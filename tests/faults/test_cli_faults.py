"""Faults a user can cause, met the way a user meets them: the real `liveaction` program.

Each case runs the command in a child process and asserts what the user sees (exit status
2, one line on stderr naming the problem, no traceback) and what must not happen (a
payload running, a half-written file, an earlier file lost). Real kills and a real full
disk (a small tmpfs in a private mount namespace) are used where the machine allows it;
the unit tests beside each module cover the same paths in-process.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip
from tests.recognizer.test_video import write_avi

ROOT = Path(__file__).resolve().parents[2]
LIVEACTION = [sys.executable, "-m", "recognizer.cli"]
TIMEOUT_S = 300  # an upper bound only


def liveaction(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(LIVEACTION + [str(a) for a in args], capture_output=True, text=True, timeout=TIMEOUT_S,
                          cwd=cwd or ROOT)


def assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> None:
    message = result.stderr.strip()
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr}"
    assert "Traceback" not in result.stderr and len(message.splitlines()) == 1, result.stderr
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


@pytest.fixture
def video(tmp_path) -> Path:
    write_avi(tmp_path / "clip.avi", frames=20, size=(160, 120))
    return tmp_path / "clip.avi"


# ---- corrupt inputs ---------------------------------------------------------------------
CORRUPT_VIDEOS = {
    "empty": b"",
    "text": b"these are my holiday notes, not a video\n" * 20,
    "cut mp4 header": b"\x00\x00\x00\x18ftypmp42" + bytes(500),
}


@pytest.mark.parametrize("command", ["predict", "extract"])
@pytest.mark.parametrize("kind", sorted(CORRUPT_VIDEOS))
def test_a_corrupt_video_is_one_line_naming_it(command, kind, tmp_path, small_model):
    bad = tmp_path / "holiday.mp4"
    bad.write_bytes(CORRUPT_VIDEOS[kind])
    extra = ["--model", small_model] if command == "predict" else ["-o", tmp_path / "out.json"]
    result = liveaction(command, bad, *extra)
    assert_one_clear_line(result, "holiday.mp4")
    assert not (tmp_path / "out.json").exists()


def test_a_truncated_real_video_is_one_line(shared_data, tmp_path, small_model):
    cut = tmp_path / "ta_chi_cut.mp4"
    raw = (shared_data / "videos" / "ta_chi.mp4").read_bytes()
    cut.write_bytes(raw[: len(raw) // 3])
    assert_one_clear_line(liveaction("predict", cut, "--model", small_model), "ta_chi_cut.mp4")


def test_corrupt_skeleton_json_is_one_line_and_good_files_still_count(tmp_path, small_model):
    data = tmp_path / "clips"
    data.mkdir()
    (data / "broken.json").write_text('{"data": [{"frame_index": 1, "skeleton": [')
    result = liveaction("eval", "--model", small_model, "--data", data)
    assert_one_clear_line(result, "broken.json")


# ---- wrong and hostile model files ---------------------------------------------------------
class _Payload:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def test_a_hostile_checkpoint_is_refused_and_runs_nothing(tmp_path, small_model, video):
    evil = tmp_path / "evil.safetensors"
    marker = tmp_path / "pwned"
    raw = pickle.dumps({"weight": _Payload(marker)})
    evil.write_bytes(raw)
    card = json.loads(small_model.with_suffix(".json").read_text())
    card["weights_sha256"] = hashlib.sha256(raw).hexdigest()  # the card vouches for it: only the content is wrong
    evil.with_suffix(".json").write_text(json.dumps(card))
    assert_one_clear_line(liveaction("predict", video, "--model", evil), "evil.safetensors")
    assert not marker.exists(), "the pickle's code ran"


@pytest.mark.parametrize("wrong, named", [("random bytes", "model.safetensors"), ("a photo", "model.safetensors"),
                                          ("no card beside it", "model.json")])
def test_a_wrong_model_file_is_one_line_naming_the_file(wrong, named, tmp_path, small_model, video, opencv_samples):
    path = tmp_path / "model.safetensors"
    if wrong == "random bytes":
        path.write_bytes(os.urandom(4096))
    elif wrong == "a photo":
        shutil.copy(opencv_samples / "messi5.jpg", path)
    else:
        shutil.copy(small_model, path)
    if wrong != "no card beside it":
        card = json.loads(small_model.with_suffix(".json").read_text())
        card["weights_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()  # so the content itself is judged
        path.with_suffix(".json").write_text(json.dumps(card))
    assert_one_clear_line(liveaction("predict", video, "--model", path), named)


# ---- full disk -------------------------------------------------------------------------------
def in_full_disk(folder: Path, *command, size_kb: int = 64) -> subprocess.CompletedProcess:
    """Run `command` with `folder` on a private `size_kb` tmpfs (root and util-linux's unshare needed)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a real full disk needs root and unshare (CI has both)")
    namespace = ["unshare", "-m", "--propagation", "private"]
    probe = subprocess.run([*namespace, "sh", "-c", 'mount -t tmpfs -o size=64k liveaction-probe "$1"', "sh",
                            str(folder)], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:  # e.g. a container without CAP_SYS_ADMIN
        pytest.skip(f"cannot mount a private tmpfs here: {probe.stderr.strip()}")
    script = 'mount -t tmpfs -o size="$1"k liveaction-full "$2" && shift 2 && exec "$@"'
    return subprocess.run([*namespace, "sh", "-c", script, "sh", str(size_kb), str(folder), *map(str, command)],
                          capture_output=True, text=True, timeout=TIMEOUT_S, cwd=ROOT)


FILL_THEN_EXTRACT = """
import json, os, sys
from pathlib import Path
from recognizer.cli import main
folder, keep, args = Path(sys.argv[1]), Path(sys.argv[2]).read_text(), sys.argv[3:]
(folder / "earlier.json").write_text(keep)
fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)  # take what space is left
try:
    while os.write(fd, bytes(4096)):
        pass
except OSError:
    pass
os.close(fd)
code = main(args)
print(json.dumps({"earlier_intact": (folder / "earlier.json").read_text() == keep,
                  "files": sorted(p.name for p in folder.iterdir())}))
sys.exit(code)
"""


def test_extract_onto_a_full_disk_says_so_and_keeps_the_earlier_file(tmp_path, video):
    folder = tmp_path / "disk"
    folder.mkdir()
    earlier = tmp_path / "earlier.json"
    earlier.write_text(json.dumps({"label": "kept", "data": []}))
    result = in_full_disk(folder, sys.executable, "-c", FILL_THEN_EXTRACT, folder, earlier,
                          "extract", video, "-o", folder / "new.json")
    assert_one_clear_line(result, "disk is full", "new.json")
    after = json.loads(result.stdout)
    assert after["earlier_intact"] and after["files"] == ["earlier.json", "filler"]  # no partial or temp file


LIBRARY_ON_FULL_DISK = """
import json, sys
import numpy as np
from pathlib import Path
from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip
from recognizer.errors import LiveactionError
library = ClipLibrary(sys.argv[1])
rng = np.random.default_rng(0)
saved = []
try:
    while True:
        clip = SkeletonClip(rng.random((3, 90, 18, 1), dtype=np.float32), label="wave", fps=30.0)
        saved.append(library.add(clip).id)
except LiveactionError as error:
    message = str(error)
problems = []
for info in library.clips():
    loaded = library.load(info.id)
    problems += [] if loaded.data.shape[:3] == (3, 90, 18) else [info.id]
print(json.dumps({"saved": len(saved), "listed": len(library.clips()), "problems": problems, "message": message,
                  "visible": sorted(p.name for p in Path(sys.argv[1]).iterdir() if not p.name.startswith("."))}))
"""


def test_recording_until_the_disk_is_full_loses_no_earlier_clip(tmp_path):
    folder = tmp_path / "library"
    folder.mkdir()
    result = in_full_disk(folder, sys.executable, "-c", LIBRARY_ON_FULL_DISK, folder, size_kb=256)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["saved"] >= 2 and "disk is full" in report["message"]
    assert report["listed"] == report["saved"] and report["problems"] == []
    assert len(report["visible"]) == report["saved"], "a half-written clip is visible"


# ---- kill during save ------------------------------------------------------------------------
KEEP_SAVING = """
import sys
import numpy as np
from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip
library = ClipLibrary(sys.argv[1])
rng = np.random.default_rng(int(sys.argv[2]))
print("ready", flush=True)
while True:
    library.add(SkeletonClip(rng.random((3, 300, 18, 2), dtype=np.float32), label="squat", fps=30.0))
"""


def test_killing_the_program_while_it_saves_leaves_only_whole_clips(tmp_path):
    folder = tmp_path / "library"
    for attempt in range(4):
        child = subprocess.Popen([sys.executable, "-c", KEEP_SAVING, str(folder), str(attempt)], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.3 + 0.37 * attempt)  # land the kill somewhere inside a write
        child.send_signal(signal.SIGKILL)
        child.wait(TIMEOUT_S)
        child.stdout.close()
    library = ClipLibrary(folder)
    clips = library.clips()
    assert clips and library.problems == []
    for info in clips:
        assert library.load(info.id).data.shape == (3, 300, 18, 2)
    visible = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert len(visible) == len(clips), "a partial clip is visible"


def test_a_clip_written_before_a_kill_reads_back_identically(tmp_path):
    library = ClipLibrary(tmp_path / "library")
    data = np.random.default_rng(1).random((3, 60, 18, 1), dtype=np.float32)
    first = library.add(SkeletonClip(data, label="clapping", fps=30.0))
    child = subprocess.Popen([sys.executable, "-c", KEEP_SAVING, str(library.folder), "9"], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    child.kill()
    child.wait(TIMEOUT_S)
    child.stdout.close()
    again = library.load(first.id)
    assert again.label == "clapping" and np.allclose(again.data[..., :1], data, atol=1e-3)
