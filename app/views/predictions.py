"""The current label, large enough to read across a room, and the top-5 probabilities.

Both widgets show `Prediction`s as the engine emits them; the engine has already
smoothed them and applied hysteresis, so nothing here flickers or decides anything.
Labels recognized from the user's clips by prototype rather than learned by the model are
marked as such ("drinking (few-shot)"), in the banner and in the bars.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from recognizer.engine import NO_PERSON, RECOGNIZED, UNKNOWN, WARMING_UP, Prediction

TOP_K = 5
STATE_TEXT = {NO_PERSON: "no person", WARMING_UP: "warming up…", UNKNOWN: "unknown"}
STATE_HINT = {
    NO_PERSON: "Step into the picture",
    WARMING_UP: "Watching the first moments…",
    UNKNOWN: "Not sure what this is",
}
RECOGNIZED_COLOUR = QColor(255, 255, 255)
STATE_COLOUR = QColor(150, 160, 170)
BAR_COLOUR = QColor(255, 140, 0)


def shown_label(label: str, few_shot: tuple[str, ...]) -> str:
    """A label as shown: few-shot ones say so."""
    return f"{label} (few-shot)" if label in few_shot else label


class LabelBanner(QWidget):
    """The shown label in big letters, with the state or the confidence below it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.setStyleSheet("LabelBanner { background: #16191c; }")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.label = QLabel("—")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel("")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 8)
        layout.setSpacing(0)
        layout.addWidget(self.label)
        layout.addWidget(self.detail)
        self._big = QFont(self.font())
        self._big.setBold(True)
        self._big.setPixelSize(64)
        self.label.setFont(self._big)
        small = QFont(self.font())
        small.setPixelSize(18)
        self.detail.setFont(small)
        self.setFixedHeight(110)
        self._colour(self.detail, STATE_COLOUR)
        self.few_shot: tuple[str, ...] = ()
        self.show_message("No model", "")

    def set_few_shot(self, labels: tuple[str, ...]) -> None:
        """The labels of the current model that are few-shot classes."""
        self.few_shot = tuple(labels)

    def show_prediction(self, prediction: Prediction) -> None:
        if prediction.state == RECOGNIZED:
            self._set(shown_label(prediction.label, self.few_shot), f"{prediction.score:.0%} sure", RECOGNIZED_COLOUR)
        else:
            self._set(STATE_TEXT.get(prediction.state, prediction.state), STATE_HINT.get(prediction.state, ""),
                      STATE_COLOUR)

    def show_message(self, text: str, detail: str) -> None:
        """A state that is not the engine's: no model, model loading, source ended."""
        self._set(text, detail, STATE_COLOUR)

    def text(self) -> str:
        return self.label.text()

    def _set(self, text: str, detail: str, colour: QColor) -> None:
        if text != self.label.text():
            self.label.setText(text)
            self._fit()
        self.detail.setText(detail)
        self._colour(self.label, colour)

    def _fit(self) -> None:
        """Shrink the font until the label fits the width (long labels stay whole)."""
        font = QFont(self._big)
        available = max(self.width() - 32, 100)
        while font.pixelSize() > 22 and QFontMetrics(font).horizontalAdvance(self.label.text()) > available:
            font.setPixelSize(font.pixelSize() - 4)
        self.label.setFont(font)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    @staticmethod
    def _colour(label: QLabel, colour: QColor) -> None:
        label.setStyleSheet(f"color: {colour.name()};")


class TopKBars(QWidget):
    """The five most likely labels as horizontal bars; the shown label's bar is bright."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[str, float]] = []
        self.shown_label: str | None = None
        self.few_shot: tuple[str, ...] = ()
        self.setMinimumWidth(220)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def set_few_shot(self, labels: tuple[str, ...]) -> None:
        """The labels of the current model that are few-shot classes."""
        self.few_shot = tuple(labels)

    def show_prediction(self, prediction: Prediction) -> None:
        if prediction.probs.size and prediction.probs.sum() > 0:
            self.rows = prediction.top(TOP_K)
        else:  # a state without probabilities ("no person", "warming up"): no bars
            self.rows = []
        self.shown_label = prediction.label if prediction.state == RECOGNIZED else None
        self.update()

    def clear(self) -> None:
        self.rows, self.shown_label = [], None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(22, 25, 28))
        margin, row_h = 12.0, min(56.0, (self.height() - 40) / TOP_K)
        font = QFont(self.font())
        font.setPixelSize(max(12, int(row_h * 0.32)))
        painter.setFont(font)
        painter.setPen(STATE_COLOUR)
        painter.drawText(QRectF(margin, 6, self.width() - 2 * margin, 24), Qt.AlignmentFlag.AlignLeft,
                         f"Top {TOP_K}")
        width = self.width() - 2 * margin
        for i in range(TOP_K):
            top = 34 + i * row_h
            text_rect = QRectF(margin, top, width, row_h * 0.45)
            bar_rect = QRectF(margin, top + row_h * 0.48, width, row_h * 0.32)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(45, 50, 56))
            painter.drawRoundedRect(bar_rect, 3, 3)
            if i >= len(self.rows):
                continue
            label, score = self.rows[i]
            colour = BAR_COLOUR if label == self.shown_label else QColor(120, 130, 140)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(bar_rect.x(), bar_rect.y(), max(2.0, width * score), bar_rect.height()),
                                    3, 3)
            painter.setPen(QColor(230, 232, 235))
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                             QFontMetrics(font).elidedText(shown_label(label, self.few_shot),
                                                           Qt.TextElideMode.ElideRight, int(width * 0.78)))
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, f"{score:.0%}")
        painter.end()
