"""A strip above the video for things the user should know (camera lost, bad file).

Not a modal dialog: the video keeps running while the message is shown, and nothing
waits for a click. A message may offer one action (e.g. Undo after a delete).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

INFO, WARNING, ERROR = "info", "warning", "error"
_COLOURS = {INFO: ("#1d3550", "#cfe3ff"), WARNING: ("#4d3a12", "#ffe2a8"), ERROR: ("#5a1f1f", "#ffd2d2")}


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.label = QLabel()
        self.label.setWordWrap(True)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self._act)
        self.action_button.hide()
        self._on_action: Callable[[], None] | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(close)
        self.level = INFO
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    def show_message(self, text: str, level: str = INFO, timeout_ms: int = 0,
                     action: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show `text`; it stays until dismissed or replaced, or for `timeout_ms` when given.
        `action` (button text, what it does) adds a button; clicking it also dismisses."""
        self._on_action = action[1] if action is not None else None
        self.action_button.setText(action[0] if action is not None else "")
        self.action_button.setVisible(action is not None)
        background, foreground = _COLOURS[level]
        self.setStyleSheet(f"#MessageBar {{ background: {background}; }} QLabel {{ color: {foreground}; }}")
        self.level = level
        self.label.setText(text)
        self.show()
        if timeout_ms:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def text(self) -> str:
        return self.label.text()

    def dismiss(self) -> None:
        self._timer.stop()
        self._on_action = None
        self.action_button.hide()
        self.label.setText("")
        self.hide()

    def _act(self) -> None:
        on_action = self._on_action
        self.dismiss()
        if on_action is not None:
            on_action()
