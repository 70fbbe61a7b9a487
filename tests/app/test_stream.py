"""The live-stream path end to end: a network camera (MJPEG over HTTP on 127.0.0.1) → pose →
engine → window; the camera goes away mid-run and comes back."""

from __future__ import annotations

import pytest

from app.main_window import AppContext, MainWindow
from app.sources import default_pipeline
from app.startup import StartOptions
from tests.app.mjpeg_server import MjpegServer, jpeg_frames

TIMEOUT_MS = 120_000  # an upper bound only: the test machine is a busy, shared 2-core box


@pytest.fixture
def server(ta_chi):
    frames, fps = jpeg_frames(ta_chi)
    server = MjpegServer(frames, fps)
    server.start()
    yield server
    server.stop()


def test_network_camera_is_watched_lost_and_reconnected(qtbot, store, tiny_models, tmp_path, server):
    window = MainWindow(AppContext(store=store, starter_model=tiny_models["a"], user_models=tmp_path / "models",
                                   find_cameras=lambda: [], make_pipeline=default_pipeline, retry_s=0.3),
                        StartOptions(camera=server.url))
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.video.frame is not None
                    and any(i is not None for i in window.video.frame.ids), timeout=TIMEOUT_MS)
    assert window.video.frame.rgb.shape == (256, 340, 3)  # the video's own frames, over the network
    assert window.session.spec.kind == "stream" and window.status["source"].text().startswith("stream http://")
    qtbot.waitUntil(lambda: window.predictions > 0, timeout=TIMEOUT_MS)

    server.stop()  # the camera goes away
    qtbot.waitUntil(lambda: "stopped delivering" in window.message_bar.text(), timeout=TIMEOUT_MS)
    assert window.video.overlay == "Reconnecting…" and window.isVisible()
    qtbot.waitUntil(lambda: "attempt 2" in window.message_bar.text(), timeout=TIMEOUT_MS)

    server.start()  # and comes back on the same address
    qtbot.waitUntil(lambda: "is back" in window.message_bar.text(), timeout=TIMEOUT_MS)
    shown = window.frames_shown
    qtbot.waitUntil(lambda: window.frames_shown > shown + 5, timeout=TIMEOUT_MS)
