"""A video file played like a camera: frames offered at the source's own rate, newest wins.

Benchmarks and the soak run need what the app sees from a webcam — frames arriving on
their own clock whether or not the pipeline is ready — but from a file, so runs are
repeatable. A producer thread offers each frame into a one-item slot; a frame it
overwrites before the consumer took it counts as dropped, as a camera's would be.
"""

from __future__ import annotations

import threading
import time

from recognizer.video import Frame, VideoFileSource


class RealtimeFeeder:
    """Offers `source`'s frames at `source.fps` on a daemon thread; `take()` gets the newest.

    Use as a context manager (or `start()` / `stop()`); counters are read under `lock`.
    """

    def __init__(self, source: VideoFileSource, name: str = "realtime-feeder"):
        self.source = source
        self.lock = threading.Condition()  # guards the slot and counters; notified when a frame arrives
        self.offered = 0
        self.dropped = 0
        self._slot: Frame | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)

    def __enter__(self) -> RealtimeFeeder:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._done.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def waiting(self) -> int:
        """Frames waiting in the slot (0 or 1)."""
        with self.lock:
            return int(self._slot is not None)

    def take(self, timeout: float = 1.0) -> Frame | None:
        """The newest frame, waiting up to `timeout` s for one; None if none came."""
        with self.lock:
            self.lock.wait_for(lambda: self._slot is not None, timeout=timeout)
            frame, self._slot = self._slot, None
        return frame

    def _produce(self) -> None:
        period = 1.0 / self.source.fps
        next_t = time.perf_counter()
        for frame in self.source.frames():
            next_t += period
            delay = next_t - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            with self.lock:
                if self._slot is not None:
                    self.dropped += 1
                self._slot = frame
                self.offered += 1
                self.lock.notify()
            if self._done.is_set():
                return
