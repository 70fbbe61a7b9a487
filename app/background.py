"""Work off the GUI thread, reported back through Qt signals.

`Worker` runs its `run()` on a daemon Python thread and emits `finished` at the end; its
other signals carry results (plain data) to the GUI thread, where Qt delivers them.
It is not a `QThread` on purpose: a QThread must never be destroyed while it runs (Qt
aborts the process), yet a capture blocked on a silent network stream or a model still
loading can outlive the window that started it. A daemon thread can be left to finish on
its own, and cannot keep the app from exiting.

`BackgroundCall` is the one-shot kind: one slow call (open a camera, load a model), its
result or a one-line error. The caller keeps the object until `finished`; if a newer
request has superseded it meanwhile, the caller ignores (and cleans up) the stale result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from recognizer.errors import LiveactionError

log = logging.getLogger(__name__)


_running: set[Worker] = set()  # every worker between `start` and the end of its `run`
_running_lock = threading.Lock()


def wait_for_workers(timeout_s: float) -> bool:
    """Wait until no worker runs any more, at most `timeout_s`; True if none does.

    At exit: Python must not tear itself down under a thread that is still inside native
    code (torch loading a model, OpenCV reading a stream); that crashes.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        with _running_lock:
            workers = list(_running)
        if not workers:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        workers[0].wait(remaining)


def emit_safely(signal, *args) -> None:
    """Emit from a worker thread; a no-op once Qt has deleted the objects (the app has quit)."""
    try:
        signal.emit(*args)
    except RuntimeError:  # "Signal source has been deleted": nobody is left to tell
        pass


class Worker(QObject):
    finished = Signal()

    def __init__(self, name: str):
        super().__init__()  # no Qt parent: the thread's reference keeps the object alive while it runs
        self.name = name
        self._thread: threading.Thread | None = None
        self._done = False  # set before `finished` is emitted, so slots of `finished` see it

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
        with _running_lock:
            _running.add(self)
        self._thread.start()

    def run(self) -> None:
        raise NotImplementedError

    def _main(self) -> None:
        try:
            self.run()
        finally:
            self._done = True
            with _running_lock:
                _running.discard(self)
            self.emit(self.finished)

    @staticmethod
    def emit(signal, *args) -> None:
        emit_safely(signal, *args)

    def is_running(self) -> bool:
        return self._thread is not None and not self._done

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the work is done, at most `timeout_s` (shutdown and tests); True if done."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.is_running()


class BackgroundCall(Worker):
    succeeded = Signal(object)  # what `fn` returned
    failed = Signal(str)  # a one-line message for the user

    def __init__(self, fn: Callable[..., Any], *args: Any, what: str = "The operation"):
        super().__init__(name=what)
        self.fn = fn
        self.args = args
        self.what = what

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except LiveactionError as error:
            self.emit(self.failed, str(error))
        except Exception as error:  # a bug: logged with its traceback, reported in one line
            log.exception("%s failed", self.what)
            self.emit(self.failed, f"{self.what} failed: {type(error).__name__}: {error}")
        else:
            self.emit(self.succeeded, result)
