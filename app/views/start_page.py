"""What a user sees when there is nothing to watch yet: why, and what to do about it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class StartPage(QWidget):
    open_video = Signal()
    retry_camera = Signal()
    open_stream = Signal()
    open_clip = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("StartPage")
        self.setStyleSheet("#StartPage { background: #16191c; } QLabel { color: #e6e8eb; }")
        title = QLabel("liveaction")
        font = QFont(title.font())
        font.setPixelSize(40)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel("Looking for a camera…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        body = QFont(self.message.font())
        body.setPixelSize(18)
        self.message.setFont(body)
        hint = QLabel("You can also drop a video file anywhere on this window.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet("color: #8a939c;")

        self.open_video_button = QPushButton("Open video…")
        self.retry_button = QPushButton("Retry camera")
        self.stream_button = QPushButton("Network camera…")
        self.clip_button = QPushButton("Replay a clip…")
        self.open_video_button.setDefault(True)
        self.open_video_button.clicked.connect(self.open_video)
        self.retry_button.clicked.connect(self.retry_camera)
        self.stream_button.clicked.connect(self.open_stream)
        self.clip_button.clicked.connect(self.open_clip)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.open_video_button, self.retry_button, self.stream_button, self.clip_button):
            button.setMinimumHeight(40)
            button.setMinimumWidth(120)
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addSpacing(16)
        layout.addWidget(self.message)
        layout.addSpacing(24)
        layout.addLayout(buttons)
        layout.addSpacing(16)
        layout.addWidget(hint)
        layout.addStretch(3)

    def set_message(self, text: str) -> None:
        self.message.setText(text)
