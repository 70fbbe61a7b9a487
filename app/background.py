"""`BackgroundCall`: run one slow call (open a camera, load a model) off the GUI thread.

The result or a one-line error comes back as a signal. The caller keeps the object until
`finished`; if a newer request has superseded it meanwhile, the caller ignores (and
cleans up) the stale result — the latest request wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThread, Signal

from recognizer.errors import LiveactionError

log = logging.getLogger(__name__)


class BackgroundCall(QThread):
    succeeded = Signal(object)  # what `fn` returned
    failed = Signal(str)  # a one-line message for the user

    def __init__(self, fn: Callable[..., Any], *args: Any, what: str = "The operation"):
        super().__init__()
        self.fn = fn
        self.args = args
        self.what = what

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except LiveactionError as error:
            self.failed.emit(str(error))
        except Exception as error:  # a bug: logged with its traceback, reported in one line
            log.exception("%s failed", self.what)
            self.failed.emit(f"{self.what} failed: {type(error).__name__}: {error}")
        else:
            self.succeeded.emit(result)
