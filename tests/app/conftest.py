"""Fixtures for the app's tests: small real models, fake sources and pipelines, hand-made maps.

Most window tests use a fake pipeline (a moving skeleton, no MediaPipe) and fake sources
(frames from memory), so they are fast and need no camera; the end-to-end tests run the
real pose model on a real video from ../shared/data.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, QTimer

from recognizer.engine import Prediction
from recognizer.maps import AttentionMaps, AttentionQuery, FrequencyMaps
from recognizer.video import Frame, SourceLost

LABELS_A = ("tai chi", "clean and jerk", "skateboarding", "waving", "squatting")
LABELS_B = ("jumping", "clapping", "kicking")
T = 32  # the test models' window (frames): small, so inference is quick on a busy CPU


def save_tiny_model(path: Path, labels: tuple[str, ...]) -> Path:
    import torch

    from recognizer.checkpoint import ModelCard, save_model
    from recognizer.models import create_model
    from recognizer.preprocess import Preprocessing

    torch.manual_seed(len(labels))
    model = create_model("slnl_rfa_lite", len(labels), T=T)
    save_model(path, model, ModelCard.for_model(model, labels, Preprocessing(T=T, normalization="clip"), persons=1))
    return path


TIMEOUT_MS = 120_000  # an upper bound only: the test machine is a busy, shared 2-core box


@pytest.fixture
def make_window(qtbot, store, tiny_models, tmp_path):
    """Makes shown windows; each is closed after the test as a user would close it (the list
    keeps them alive until then: a window collected unclosed would leave its threads running)."""
    from app.main_window import AppContext, MainWindow
    from app.startup import StartOptions

    windows: list[MainWindow] = []

    def make(options: StartOptions = StartOptions(), size=(1400, 900), **context) -> MainWindow:
        context.setdefault("starter_model", tiny_models["a"])
        context.setdefault("user_models", tmp_path / "user-models")
        context.setdefault("clip_library", tmp_path / "clips")
        context.setdefault("find_cameras", lambda: [])
        context.setdefault("make_pipeline", FakePipeline)
        window = MainWindow(AppContext(store=store, **context), options)
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture(scope="session")
def qt_binding() -> str | None:
    from app.main import qt_binding_problem

    return qt_binding_problem()  # checked once: on a broken binding the check itself costs references


@pytest.fixture(autouse=True)
def sound_qt_binding(request, qt_binding):
    """Skip the app's tests on a PySide6 that would abort the whole run (test_bindings fails instead)."""
    if qt_binding is not None and request.node.name != "test_qt_calls_keep_python_none_intact":
        pytest.skip(qt_binding)


@pytest.fixture(autouse=True)
def workers_finish():
    """After each test, wait for its worker threads (a frame in pose, a model loading) to end,
    so they neither compete with the next test nor run on into interpreter shutdown."""
    yield
    from app.background import wait_for_workers

    if not wait_for_workers(120.0):
        import faulthandler
        import sys

        faulthandler.dump_traceback(sys.stderr, all_threads=True)
        pytest.fail("a worker thread did not end within 2 minutes (stacks above)")


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """Two untrained SLnL-rFA lite models (5 and 3 labels), saved as model files."""
    folder = tmp_path_factory.mktemp("models")
    return {"a": save_tiny_model(folder / "a.safetensors", LABELS_A),
            "b": save_tiny_model(folder / "b.safetensors", LABELS_B)}


@pytest.fixture
def store(tmp_path) -> QSettings:
    """Settings in a file of this test's own (never the user's)."""
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ta_chi(shared_data) -> Path:
    path = shared_data / "videos" / "ta_chi.mp4"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


# ---- a moving person without MediaPipe --------------------------------------------------
STANDING = np.array([
    (0.50, 0.20), (0.50, 0.30), (0.44, 0.30), (0.41, 0.42), (0.40, 0.52), (0.56, 0.30), (0.59, 0.42),
    (0.60, 0.52), (0.46, 0.55), (0.46, 0.70), (0.46, 0.85), (0.54, 0.55), (0.54, 0.70), (0.54, 0.85),
    (0.49, 0.18), (0.51, 0.18), (0.48, 0.19), (0.52, 0.19),
], np.float32)


def waving_skeletons(t: float) -> np.ndarray:
    """`(2, 18, 3)`: one person in slot 0 waving the right arm (a 1 Hz wave), slot 1 empty."""
    skeletons = np.zeros((2, 18, 3), np.float32)
    skeletons[0, :, :2] = STANDING
    skeletons[0, :, 2] = 0.9
    angle = np.sin(2 * np.pi * t)
    skeletons[0, 3] = (0.38, 0.30 - 0.06 * (1 + angle), 0.9)  # right elbow
    skeletons[0, 4] = (0.36 + 0.04 * angle, 0.18 - 0.05 * (1 + angle), 0.9)  # right wrist
    return skeletons


class FakeResult:
    def __init__(self, skeletons: np.ndarray):
        self.skeletons = skeletons
        self.ids = (0, None)
        self.timings_ms = {"pose": 1.0}


class FakePose:
    def __init__(self):
        self.closed = False

    def close(self) -> None:
        self.closed = True


class FakePipeline:
    """Stands in for pose + tracking: every frame shows the waving person."""

    def __init__(self, delay_s: float = 0.0):
        self.pose = FakePose()
        self.delay_s = delay_s
        self.frames = 0

    def process(self, frame: Frame) -> FakeResult:
        if self.delay_s:
            time.sleep(self.delay_s)
        self.frames += 1
        return FakeResult(waving_skeletons(frame.timestamp_s))


class FakeSource:
    """Frames from memory at `fps`; after `lose_after` frames it raises `SourceLost` like a camera."""

    def __init__(self, name: str = "fake camera", fps: float = 30.0, frames: int = 10_000,
                 lose_after: int | None = None, live: bool = True):
        self.name = name
        self.fps = fps
        self.count = frames
        self.lose_after = lose_after
        self.live = live
        self.closed = False
        self.loop = False

    def frames(self) -> Iterator[Frame]:
        rgb = np.full((48, 64, 3), 90, np.uint8)
        start = time.monotonic()
        for i in range(self.count):
            if self.lose_after is not None and i >= self.lose_after:
                raise SourceLost(f"{self.name} stopped delivering frames after {i} frames")
            if self.live:  # a camera delivers at its own pace
                time.sleep(max(0.0, start + i / self.fps - time.monotonic()))
            yield Frame(i, i / self.fps, rgb)

    def close(self) -> None:
        self.closed = True


# ---- hand-made engine output -------------------------------------------------------------
def frequency_maps(seed: int = 0) -> tuple[FrequencyMaps, ...]:
    rng = np.random.default_rng(seed)
    hz = np.linspace(0, 15, 17).astype(np.float32)
    joint_frequency = np.arange(-8, 8).astype(np.float32)
    return tuple(FrequencyMaps(stream, rng.random((17, 16)).astype(np.float32) * 5,
                               rng.random((17, 16)).astype(np.float32), rng.random((17, 16)).astype(np.float32),
                               hz, joint_frequency) for stream in ("position", "velocity"))


def attention_maps(joint: int = 4, time_index: int = 10, frames: int = T) -> AttentionMaps:
    rng = np.random.default_rng(joint * 100 + time_index)
    spatial = rng.random(18).astype(np.float32)
    temporal = rng.random(frames).astype(np.float32)
    st = rng.random((frames, 18)).astype(np.float32)
    window = np.zeros((3, frames, 18), np.float32)
    for t in range(frames):
        window[:, t] = waving_skeletons(t / 30.0)[0].T
    return AttentionMaps(AttentionQuery(joint, time_index), spatial / spatial.sum(), temporal / temporal.sum(),
                         st / st.sum(), window)


def prediction(label: str = "waving", state: str = "recognized", labels: tuple[str, ...] = LABELS_A,
               frequency=None, attention=None) -> Prediction:
    probs = np.linspace(1.0, 0.2, len(labels)).astype(np.float32)
    if label in labels:
        probs = np.roll(probs, labels.index(label))
    probs /= probs.sum()
    score = float(probs.max()) if state == "recognized" else 0.0
    if state in ("no person", "warming up"):
        probs = np.zeros(len(labels), np.float32)
    return Prediction(1.0, label if state == "recognized" else state, score, probs, state, 12.0, 0, labels,
                      frequency=frequency, attention=attention)


class GapMeter:
    """A 5 ms QTimer on the GUI thread that records how long each turn of the event loop took.

    Two numbers per turn: the wall-clock gap, and the CPU time the GUI thread itself spent
    in it. The CPU time is what our own code costs the GUI thread (a slow slot, a heavy
    paint); the wall-clock gap adds everything the GUI thread waited for: the GIL, a lock,
    and the CPU itself, which on a busy shared 2-core box can stretch a gap several times.
    """

    def __init__(self, interval_ms: int = 5):
        self.gaps_ms: list[float] = []
        self.busy_ms: list[float] = []
        self._last: tuple[float, float] | None = None
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = (time.perf_counter(), time.thread_time())
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last is not None:
            self.gaps_ms.append((now - self._last[0]) * 1e3)
            self.busy_ms.append((cpu - self._last[1]) * 1e3)
        self._last = (now, cpu)

    def summary(self) -> str:
        gaps = np.array(self.gaps_ms or [0.0])
        return (f"{len(self.gaps_ms)} turns over {gaps.sum() / 1e3:.1f} s: longest gap {gaps.max():.0f} ms "
                f"(median {np.median(gaps):.1f}, 99th percentile {np.percentile(gaps, 99):.0f}), longest GUI-thread "
                f"work in one turn {max(self.busy_ms, default=0):.0f} ms, load average "
                f"{open('/proc/loadavg').read().split()[0] if Path('/proc/loadavg').exists() else '?'}")
