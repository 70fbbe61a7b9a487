"""LatestWinsWorker: one background thread that runs only the newest request.

Live inference must never queue: if the model is still busy when the next stride's window
arrives, the window that was waiting is stale and is replaced, not kept. At any time there
is at most one job running and one pending; `dropped` counts the replaced ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class LatestWinsWorker:
    def __init__(self, run: Callable[[Any], Any], on_result: Callable[[Any], None],
                 on_error: Callable[[BaseException], None] | None = None, name: str = "latest-wins"):
        self._run = run
        self._on_result = on_result
        self._on_error = on_error
        self._pending: Any = None
        self._has_pending = False
        self._busy = False
        self._stopping = False
        self._wakeup = threading.Condition()
        self.dropped = 0
        self.finished = 0
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Any) -> None:
        """Ask for `job` to run next, replacing any job still waiting."""
        with self._wakeup:
            if self._has_pending:
                self.dropped += 1
            self._pending, self._has_pending = job, True
            self._wakeup.notify()

    @property
    def pending(self) -> int:
        """Jobs waiting (0 or 1, never more)."""
        with self._wakeup:
            return int(self._has_pending)

    def idle(self) -> bool:
        with self._wakeup:
            return not self._busy and not self._has_pending

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing runs or waits (for tests and orderly shutdown)."""
        with self._wakeup:
            return self._wakeup.wait_for(lambda: not self._busy and not self._has_pending, timeout)

    def _loop(self) -> None:
        while True:
            with self._wakeup:
                self._wakeup.wait_for(lambda: self._has_pending or self._stopping)
                if self._stopping:
                    return
                job, self._pending, self._has_pending = self._pending, None, False
                self._busy = True
            try:
                result = self._run(job)
            except Exception as error:  # reported, never kills the worker
                if self._on_error is not None:
                    self._on_error(error)
            else:
                self._on_result(result)
            finally:
                with self._wakeup:
                    self._busy = False
                    self.finished += 1
                    self._wakeup.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify_all()
        self._thread.join(timeout)
