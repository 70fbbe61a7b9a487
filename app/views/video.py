"""The video with every person's skeleton drawn over it; click a joint to ask about it.

Persons keep their colour as long as the tracker keeps their id. The acting person (the
one the label is about) is drawn thicker; joints the pose model is unsure of are faint.
A replayed clip has no picture: its skeletons are drawn on a blank canvas. While a clip
is being recorded, the countdown is drawn big in the middle and a red "● REC" badge in a
corner.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.sources import LiveFrame
from recognizer.skeleton import OPENPOSE18

PERSON_COLOURS = (QColor(255, 140, 0), QColor(0, 188, 212), QColor(156, 204, 101), QColor(236, 64, 122))
LOW_SCORE = 0.3  # joints the pose model is less sure of than this are drawn faint
CLICK_RADIUS_PX = 24.0  # how close a click must be to a joint to pick it
CANVAS = QColor(32, 36, 40)  # background of skeleton-only replays
BLANK_ASPECT = 4 / 3  # a replay's canvas (Kinetics clips are about 4:3)
REC_COLOUR = QColor(229, 57, 53)


def person_colour(track_id: int) -> QColor:
    return PERSON_COLOURS[track_id % len(PERSON_COLOURS)]


def fit_rect(width: float, height: float, aspect: float) -> QRectF:
    """The largest rectangle of `aspect` (w / h) centred in a `width` × `height` area."""
    if width / max(height, 1.0) > aspect:
        w, h = height * aspect, height
    else:
        w, h = width, width / aspect
    return QRectF((width - w) / 2, (height - h) / 2, w, h)


def nearest_joint(skeletons: np.ndarray, point: tuple[float, float], rect: QRectF,
                  radius_px: float = CLICK_RADIUS_PX) -> tuple[int, int] | None:
    """(person slot, joint) of the seen joint nearest to `point` (widget pixels), within `radius_px`."""
    if skeletons.size == 0:
        return None
    xy = skeletons[..., :2] * np.array([rect.width(), rect.height()]) + np.array([rect.x(), rect.y()])  # (M, V, 2)
    distance = np.hypot(xy[..., 0] - point[0], xy[..., 1] - point[1])  # (M, V)
    distance[skeletons[..., 2] <= 0] = np.inf
    slot, joint = np.unravel_index(np.argmin(distance), distance.shape)
    return (int(slot), int(joint)) if distance[slot, joint] <= radius_px else None


class VideoView(QWidget):
    joint_clicked = Signal(int)  # OpenPose-18 joint index

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.frame: LiveFrame | None = None
        self._image: QImage | None = None
        self._pixels: np.ndarray | None = None
        self._aspect = BLANK_ASPECT
        self.actor: int | None = None
        self.query_joint: int | None = None
        self.overlay = ""
        self.countdown = ""  # big digits of a recording's countdown
        self.rec_badge = ""  # "● REC 1.2 s" while recording

    # ---- what the view shows -----------------------------------------------------------
    def show_frame(self, frame: LiveFrame) -> None:
        self.frame = frame
        if frame.rgb is not None:
            height, width, _ = frame.rgb.shape
            # QImage reads the array in place; `_pixels` keeps it alive until the next frame.
            self._pixels = np.ascontiguousarray(frame.rgb)
            self._image = QImage(self._pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
            self._aspect = width / height
        else:
            self._image = None
        self.update()

    def set_actor(self, slot: int | None) -> None:
        if slot != self.actor:
            self.actor = slot
            self.update()

    def set_query_joint(self, joint: int | None) -> None:
        self.query_joint = joint
        self.update()

    def set_overlay(self, text: str) -> None:
        """A short word over the picture ("Paused", "Reconnecting…"); empty to clear."""
        if text != self.overlay:
            self.overlay = text
            self.update()

    def set_recording(self, countdown: str, badge: str) -> None:
        """The countdown before a recording (big, centred) and the badge while it records."""
        if (countdown, badge) != (self.countdown, self.rec_badge):
            self.countdown, self.rec_badge = countdown, badge
            self.update()

    def clear(self) -> None:
        self.frame, self._image = None, None
        self.update()

    # ---- geometry ------------------------------------------------------------------------
    def picture_rect(self) -> QRectF:
        return fit_rect(self.width(), self.height(), self._aspect)

    def joint_position(self, slot: int, joint: int) -> QPointF | None:
        """Where a seen joint of person `slot` is drawn (widget pixels), or None."""
        if self.frame is None or slot >= len(self.frame.skeletons):
            return None
        x, y, score = self.frame.skeletons[slot, joint]
        if score <= 0:
            return None
        rect = self.picture_rect()
        return QPointF(rect.x() + x * rect.width(), rect.y() + y * rect.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.frame is None:
            return super().mousePressEvent(event)
        hit = nearest_joint(self.frame.skeletons, (event.position().x(), event.position().y()), self.picture_rect())
        if hit is not None:
            self.joint_clicked.emit(hit[1])

    # ---- drawing ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(12, 12, 14))
        rect = self.picture_rect()
        if self._image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(rect, self._image)
        elif self.frame is not None:
            painter.fillRect(rect, CANVAS)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.frame is not None:
            scale = max(rect.height() / 480.0, 0.6)
            main = self.actor if self.actor is not None else 0
            for slot, track_id in enumerate(self.frame.ids):
                if track_id is not None:
                    self._draw_person(painter, rect, self.frame.skeletons[slot], person_colour(track_id),
                                      scale * (1.6 if slot == self.actor else 1.0), slot == main)
        if self.overlay:
            self._draw_overlay(painter, rect)
        if self.countdown:
            self._draw_countdown(painter, rect)
        if self.rec_badge:
            self._draw_rec_badge(painter, rect)
        painter.end()

    def _draw_person(self, painter: QPainter, rect: QRectF, skeleton: np.ndarray, colour: QColor,
                     scale: float, is_main: bool) -> None:
        points = [QPointF(rect.x() + x * rect.width(), rect.y() + y * rect.height()) for x, y, _ in skeleton]
        scores = skeleton[:, 2]
        for a, b in OPENPOSE18.bones:
            if scores[a] <= 0 or scores[b] <= 0:
                continue
            faint = min(scores[a], scores[b]) < LOW_SCORE
            pen = QPen(_with_alpha(colour, 70 if faint else 230), 3.0 * scale)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawLine(points[a], points[b])
        painter.setPen(QPen(QColor(20, 20, 20, 160), 1.0))
        for joint, (point, score) in enumerate(zip(points, scores)):
            if score <= 0:
                continue
            faint = score < LOW_SCORE
            painter.setBrush(_with_alpha(QColor(255, 255, 255) if not faint else colour, 70 if faint else 235))
            painter.drawEllipse(point, 3.5 * scale, 3.5 * scale)
            if is_main and joint == self.query_joint:
                painter.save()
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor(255, 235, 59), 2.5))
                painter.drawEllipse(point, 10 * scale, 10 * scale)
                painter.restore()

    def _draw_overlay(self, painter: QPainter, rect: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(18, int(rect.height() / 14)))
        font.setBold(True)
        painter.setFont(font)
        box = painter.fontMetrics().boundingRect(self.overlay).adjusted(-18, -10, 18, 10)
        box.moveCenter(rect.center().toPoint())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.overlay)

    def _draw_countdown(self, painter: QPainter, rect: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(48, int(rect.height() / 3)))
        font.setBold(True)
        painter.setFont(font)
        side = font.pixelSize() * 1.5
        circle = QRectF(0, 0, side, side)
        circle.moveCenter(rect.center())
        painter.setPen(QPen(REC_COLOUR, max(4.0, side / 30)))
        painter.setBrush(QColor(0, 0, 0, 140))
        painter.drawEllipse(circle)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, self.countdown)

    def _draw_rec_badge(self, painter: QPainter, rect: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(16, int(rect.height() / 18)))
        font.setBold(True)
        painter.setFont(font)
        box = painter.fontMetrics().boundingRect(self.rec_badge).adjusted(-12, -6, 12, 6)
        box.moveTopLeft(rect.topLeft().toPoint() + QPointF(14, 14).toPoint())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_with_alpha(REC_COLOUR, 225))
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.rec_badge)


def _with_alpha(colour: QColor, alpha: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(alpha)
    return c
