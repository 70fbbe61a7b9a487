"""A tiny MJPEG-over-HTTP server on 127.0.0.1, as phone-as-webcam apps and IP cameras serve.

Serves the frames of a real video, JPEG-encoded, as `multipart/x-mixed-replace` at the
video's frame rate, looping. Loopback only; `stop()` drops every client (a camera that
goes away), `start()` again on the same port (the camera coming back).
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BOUNDARY = "liveactionframe"


def jpeg_frames(video: Path, limit: int = 90) -> tuple[list[bytes], float]:
    from recognizer.video import import_cv2

    cv2 = import_cv2()
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while len(frames) < limit:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes())
    capture.release()
    return frames, fps


class MjpegServer:
    def __init__(self, frames: list[bytes], fps: float, port: int = 0):
        self.frames = frames
        self.fps = fps
        self.port = port
        self.served = 0
        self._server: ThreadingHTTPServer | None = None
        self._running = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/video"

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                i = 0
                try:
                    while server._running.is_set():
                        jpeg = server.frames[i % len(server.frames)]
                        self.wfile.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                                         f"Content-Length: {len(jpeg)}\r\n\r\n".encode() + jpeg + b"\r\n")
                        self.wfile.flush()
                        server.served += 1
                        i += 1
                        time.sleep(1.0 / server.fps)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._running.set()
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving and cut every open stream."""
        self._running.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.socket.close()
            self._server = None
        # wait until the port really refuses connections
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)
