"""Where the network looks: the non-local attention of one joint at one moment.

Pick a joint (on the video, on the diagram, or on the heatmap) and a moment (on the
timeline of the model's window). The diagram colours every joint by the spatial attention
of that query and traces the query joint through the window; the timeline shows the
temporal attention; the heatmap shows attention over every (frame, joint). The view
follows the live stream, or the paused window when the video is paused.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from recognizer.engine import Prediction
from recognizer.maps import AttentionMaps, AttentionQuery
from recognizer.skeleton import OPENPOSE18

COLOUR_MAP = "inferno"
DEFAULT_JOINT = OPENPOSE18.index("right_wrist")
SHORT_NAMES = tuple(name.replace("right_", "R ").replace("left_", "L ") for name in OPENPOSE18.joints)
# A standing person facing the camera (their right on the image's left), for picking a joint
# before the first maps arrive.
TEMPLATE_POSE = np.array([
    (0.50, 0.10), (0.50, 0.20), (0.38, 0.21), (0.33, 0.36), (0.30, 0.50), (0.62, 0.21), (0.67, 0.36),
    (0.70, 0.50), (0.44, 0.52), (0.43, 0.72), (0.42, 0.92), (0.56, 0.52), (0.57, 0.72), (0.58, 0.92),
    (0.47, 0.08), (0.53, 0.08), (0.44, 0.09), (0.56, 0.09),
], np.float32)


def joint_name(joint: int) -> str:
    return OPENPOSE18.joints[joint].replace("_", " ")


def pose_in_box(xy: np.ndarray, present: np.ndarray, box: QRectF, margin: float = 0.08) -> np.ndarray:
    """Scale `(V, 2)` positions (or `(T, V, 2)`) uniformly into `box`, keeping the aspect.

    The bounding box is taken over the present joints of everything passed, so a whole
    window keeps one scale and the figure does not breathe from frame to frame.
    """
    points = xy[present] if present.any() else np.zeros((1, 2), np.float32)
    low, high = points.min(axis=0), points.max(axis=0)
    span = max(float((high - low).max()), 1e-6)
    size = min(box.width(), box.height()) * (1 - 2 * margin)
    centre = (low + high) / 2
    scaled = (xy - centre) / span * size
    return scaled + np.array([box.center().x(), box.center().y()])


class SkeletonDiagram(QWidget):
    """The actor at the query moment; joints coloured by spatial attention. Click a joint to ask about it."""

    joint_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.maps: AttentionMaps | None = None
        self.query_joint = DEFAULT_JOINT
        self.aspect = 1.0  # frame width / height: x and y are normalized by different lengths
        self._colours = pg.colormap.get(COLOUR_MAP)
        self._points = np.zeros((0, 2))

    def show_maps(self, maps: AttentionMaps) -> None:
        self.maps = maps
        self.query_joint = maps.query.joint
        self.update()

    def set_query_joint(self, joint: int) -> None:
        self.query_joint = joint
        self.update()

    def joint_position(self, joint: int) -> QPointF | None:
        if joint >= len(self._points):
            return None
        x, y = self._points[joint]
        return QPointF(float(x), float(y))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not len(self._points):
            return super().mousePressEvent(event)
        p = np.array([event.position().x(), event.position().y()])
        distance = np.hypot(*(self._points - p).T)
        joint = int(np.argmin(distance))
        if distance[joint] <= 24:
            self.joint_clicked.emit(joint)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(16, 18, 20))
        box = QRectF(self.rect())
        if self.maps is None:
            xy, present = TEMPLATE_POSE, np.ones(len(TEMPLATE_POSE), bool)
            points = pose_in_box(xy, present, box)
            spatial, trail = None, None
        else:
            window = self.maps.window  # (C, T, V)
            t = min(max(self.maps.query.time, 0), window.shape[1] - 1)
            all_xy = window[:2].transpose(1, 2, 0) * np.array([self.aspect, 1.0], np.float32)  # (T, V, 2)
            all_present = window[-1] > 0  # (T, V)
            everything = pose_in_box(all_xy, all_present, box)  # (T, V, 2)
            points, present = everything[t], all_present[t]
            spatial = self.maps.spatial / max(float(self.maps.spatial.max()), 1e-9)
            trail = (everything[:, self.query_joint], all_present[:, self.query_joint],
                     self.maps.temporal / max(float(self.maps.temporal.max()), 1e-9))
        self._points = np.where(present[:, None], points, np.inf)
        if trail is not None:
            self._draw_trail(painter, *trail)
        bone_pen = QPen(QColor(110, 118, 128), 3.0)
        bone_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(bone_pen)
        for a, b in OPENPOSE18.bones:
            if present[a] and present[b]:
                painter.drawLine(QPointF(*points[a]), QPointF(*points[b]))
        for joint in range(len(points)):
            if not present[joint]:
                continue
            strength = 0.0 if spatial is None else float(spatial[joint])
            colour = self._colours.map(strength, mode="qcolor") if spatial is not None else QColor(200, 205, 210)
            radius = 4.0 + 7.0 * strength
            painter.setPen(QPen(QColor(0, 0, 0, 180), 1.0))
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(*points[joint]), radius, radius)
            if joint == self.query_joint:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(QColor(0, 229, 255), 2.5))
                painter.drawEllipse(QPointF(*points[joint]), radius + 6, radius + 6)
        painter.end()

    def _draw_trail(self, painter: QPainter, xy: np.ndarray, present: np.ndarray, weight: np.ndarray) -> None:
        """The query joint's path through the window; brighter where the temporal attention is high."""
        painter.setPen(Qt.PenStyle.NoPen)
        for (x, y), seen, w in zip(xy, present, weight):
            if seen:
                painter.setBrush(QColor(0, 229, 255, int(25 + 200 * w)))
                painter.drawEllipse(QPointF(x, y), 2.0 + 3.0 * w, 2.0 + 3.0 * w)


class AttentionView(QWidget):
    query_changed = Signal(object)  # AttentionQuery

    def __init__(self, window_frames: int = 64, parent: QWidget | None = None):
        super().__init__(parent)
        self.window_frames = window_frames
        self.query = AttentionQuery(DEFAULT_JOINT, window_frames // 2)
        self.maps: AttentionMaps | None = None
        self.updates = 0
        self.paused = False
        self.header = QLabel()
        font = QFont(self.header.font())
        font.setBold(True)
        self.header.setFont(font)
        self.header.setWordWrap(True)
        # Fixed height: a new query's text must not re-lay out (and redraw) the plots below.
        self.header.setFixedHeight(3 * self.header.fontMetrics().lineSpacing() + 4)
        self.header.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.diagram = SkeletonDiagram()
        self.diagram.joint_clicked.connect(self.set_query_joint)

        self.timeline = pg.PlotWidget(background="#101214")
        self.timeline.setMenuEnabled(False)
        self.timeline.setMouseEnabled(x=False, y=False)
        self.timeline.hideButtons()
        self.timeline.setLabel("bottom", "window frame (oldest → newest)")
        self.timeline.setLabel("left", "relative")
        self.timeline.setYRange(0, 1.05, padding=0)
        self.timeline.setMinimumHeight(90)
        self._temporal = pg.BarGraphItem(x=[], height=[], width=0.9, brush="#ff8c00")
        self.timeline.addItem(self._temporal)
        self._moment = pg.InfiniteLine(pos=self.query.time, angle=90, movable=True, pen=pg.mkPen("#00e5ff", width=2))
        self._moment.sigPositionChangeFinished.connect(lambda line: self.set_query_time(int(round(line.value()))))
        self.timeline.addItem(self._moment)
        self.timeline.scene().sigMouseClicked.connect(self._timeline_clicked)

        self.heatmap = pg.PlotWidget(background="#101214")
        self.heatmap.setMenuEnabled(False)
        self.heatmap.setMouseEnabled(x=False, y=False)
        self.heatmap.hideButtons()
        self.heatmap.setLabel("bottom", "window frame")
        self.heatmap.setMinimumHeight(150)
        self._heat = pg.ImageItem(axisOrder="col-major")
        self.heatmap.addItem(self._heat)
        self._heat_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=pg.colormap.get(COLOUR_MAP), interactive=False,
                                         width=12, label="relative to the peak")
        self._heat_bar.setImageItem(self._heat, insert_in=self.heatmap.getPlotItem())
        self._marker = pg.ScatterPlotItem(size=14, pen=pg.mkPen("#00e5ff", width=2), brush=None)
        self.heatmap.addItem(self._marker)
        joints_axis = self.heatmap.getAxis("left")
        joints_axis.setTicks([list(enumerate(SHORT_NAMES))])
        small = QFont(self.font())
        small.setPixelSize(10)
        joints_axis.setStyle(tickFont=small)
        self.heatmap.scene().sigMouseClicked.connect(self._heatmap_clicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.diagram, 3)
        layout.addWidget(self.timeline, 2)
        layout.addWidget(self.heatmap, 4)
        self.set_window_length(window_frames)

    # ---- the query ---------------------------------------------------------------------
    def set_window_length(self, frames: int) -> None:
        """The model's window T (frames); keeps the query's moment inside it."""
        self.window_frames = frames
        self.timeline.setXRange(-0.5, frames - 0.5, padding=0)
        self.heatmap.setXRange(-0.5, frames - 0.5, padding=0)
        self.heatmap.setYRange(-0.5, len(SHORT_NAMES) - 0.5, padding=0)
        self._moment.setBounds((0, frames - 1))
        if self.query.time >= frames:
            self._set_query(AttentionQuery(self.query.joint, frames // 2))
        self._describe()

    def set_query_joint(self, joint: int) -> None:
        self._set_query(AttentionQuery(int(joint), self.query.time))

    def set_query_time(self, time: int) -> None:
        self._set_query(AttentionQuery(self.query.joint, int(min(max(time, 0), self.window_frames - 1))))

    def _set_query(self, query: AttentionQuery) -> None:
        if query == self.query:
            return
        self.query = query
        self.diagram.set_query_joint(query.joint)
        self._moment.setValue(query.time)
        self._marker.setData([query.time], [query.joint])
        self._describe()
        self.query_changed.emit(query)

    def _timeline_clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            x = self.timeline.getPlotItem().vb.mapSceneToView(event.scenePos()).x()
            self.set_query_time(int(round(x)))

    def _heatmap_clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            point = self.heatmap.getPlotItem().vb.mapSceneToView(event.scenePos())
            joint, time = int(round(point.y())), int(round(point.x()))
            if 0 <= joint < len(SHORT_NAMES) and 0 <= time < self.window_frames:
                self._set_query(AttentionQuery(joint, time))

    # ---- the maps ----------------------------------------------------------------------
    def set_aspect(self, aspect: float) -> None:
        """The source's width / height, so the diagram keeps the person's proportions."""
        if aspect != self.diagram.aspect:
            self.diagram.aspect = aspect
            self.diagram.update()

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._describe()

    def show_prediction(self, prediction: Prediction) -> None:
        if prediction.attention is not None:
            self.show_maps(prediction.attention)

    def show_maps(self, maps: AttentionMaps) -> None:
        self.maps = maps
        self.updates += 1
        self.diagram.show_maps(maps)
        frames = len(maps.temporal)
        # Relative to the peak: the y axis stays put (redrawing axes is what costs here).
        self._temporal.setOpts(x=np.arange(frames), height=maps.temporal / max(float(maps.temporal.max()), 1e-12),
                               width=0.9)
        # Each map sums to 1 over T × 18 cells, so its values are tiny; shown relative to its peak.
        high = max(float(maps.spatiotemporal.max()), 1e-12)
        self._heat.setImage((maps.spatiotemporal / high).astype(np.float32), autoLevels=False, levels=(0.0, 1.0))
        rect = QRectF(-0.5, -0.5, frames, maps.spatiotemporal.shape[1])
        if rect != self._heat.mapRectToParent(self._heat.boundingRect()):
            self._heat.setRect(rect)
        self._marker.setData([maps.query.time], [maps.query.joint])
        self._describe()

    def _describe(self) -> None:
        q = self.query
        follows = "paused window" if self.paused else "live"
        state = "" if self.maps is not None else " — waiting for the next prediction"
        text = (f"Query: {joint_name(q.joint)} at frame {q.time + 1} of {self.window_frames} ({follows}){state}. "
                "Click a joint, the timeline or the heatmap.")
        if text != self.header.text():
            self.header.setText(text)
