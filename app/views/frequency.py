"""What the rFA module sees and weighs: the window's spectrum and the learned cos/sin masks.

One row per stream (position, velocity): the spectrum magnitude (log scale) and the two
attention masks, as heatmaps over temporal frequency (Hz) × joint frequency, with colour
bars. "Freeze" holds the maps on screen while the stream goes on; hovering reads a value.
The joint-frequency axis counts frequencies over the transform net's virtual joints (the
rFA works after the N → N' skeleton transform), so it is not a list of body joints.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from recognizer.engine import Prediction
from recognizer.maps import FrequencyMaps

KINDS = (("magnitude", "spectrum |X|"), ("cos_mask", "cos mask"), ("sin_mask", "sin mask"))
STREAMS = ("position", "velocity")  # what two-stream models show; built up front (building takes ~0.3 s)
MAGNITUDE_MAP = "inferno"
MASK_MAP = "viridis"


def log_magnitude(magnitude: np.ndarray) -> np.ndarray:
    """`log(1 + |X|)`: the spectrum spans orders of magnitude; this keeps the small terms visible."""
    return np.log1p(np.maximum(magnitude, 0.0)).astype(np.float32)


def mask_levels(cos_mask: np.ndarray, sin_mask: np.ndarray) -> tuple[float, float]:
    """Colour range shared by a stream's two masks: their own span within [0, 1].

    Learned masks sit in a narrow band (e.g. 0.43-0.56); on a fixed 0-1 scale they would
    look flat, so the colours stretch over what the masks actually use (the bar says how much).
    """
    low = float(min(cos_mask.min(), sin_mask.min()))
    high = float(max(cos_mask.max(), sin_mask.max()))
    if high - low < 1e-3:
        centre = (low + high) / 2
        low, high = max(0.0, centre - 0.05), min(1.0, centre + 0.05)
    return low, high


class _Cell:
    """One heatmap: a plot with axes and its image."""

    def __init__(self, plot: pg.PlotItem, image: pg.ImageItem):
        self.plot = plot
        self.image = image
        self.values: np.ndarray | None = None  # (F_t, F_v) as displayed
        self.hz = np.zeros(0)
        self.joint_frequency = np.zeros(0)

    def set(self, values: np.ndarray, hz: np.ndarray, joint_frequency: np.ndarray,
            levels: tuple[float, float]) -> None:
        self.values, self.hz, self.joint_frequency = values, hz, joint_frequency
        self.image.setImage(values, autoLevels=False, levels=levels)
        dx, dy = _step(hz), _step(joint_frequency)
        rect = QRectF(hz[0] - dx / 2, joint_frequency[0] - dy / 2, dx * len(hz), dy * len(joint_frequency))
        if rect != self.image.mapRectToParent(self.image.boundingRect()):
            # Axes are redrawn only when their range changes, which here is once per model.
            self.image.setRect(rect)
            self.plot.setRange(rect=rect, padding=0)

    def value_at(self, x: float, y: float) -> tuple[float, float, float] | None:
        """(Hz, joint frequency, value) under plot coordinates (x, y), or None outside."""
        if self.values is None or not len(self.hz):
            return None
        row = int(round((x - self.hz[0]) / _step(self.hz)))
        col = int(round((y - self.joint_frequency[0]) / _step(self.joint_frequency)))
        if 0 <= row < self.values.shape[0] and 0 <= col < self.values.shape[1]:
            return float(self.hz[row]), float(self.joint_frequency[col]), float(self.values[row, col])
        return None


def _step(axis: np.ndarray) -> float:
    """Spacing of an evenly spaced axis (1 for a single value)."""
    return float(axis[1] - axis[0]) if len(axis) > 1 else 1.0


class FrequencyView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.freeze = QCheckBox("Freeze (inspect)")
        self.freeze.setToolTip("Hold the maps on screen while the video goes on")
        self.readout = QLabel("")
        self.info = QLabel("Frequency maps appear with the next prediction.")
        top = QHBoxLayout()
        top.addWidget(self.info, 1)
        top.addWidget(self.readout)
        top.addWidget(self.freeze)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("#101214")
        self.graphics.setMinimumHeight(150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addWidget(self.graphics, 1)
        self.maps: tuple[FrequencyMaps, ...] | None = None
        self.updates = 0
        self._streams: tuple[str, ...] = ()
        self._cells: dict[tuple[str, str], _Cell] = {}
        self._magnitude_bars: dict[str, pg.ColorBarItem] = {}
        self._mask_bars: dict[str, pg.ColorBarItem] = {}
        self._wide: bool | None = None
        self.graphics.scene().sigMouseMoved.connect(self._hover)
        self._build(STREAMS)

    @property
    def frozen(self) -> bool:
        return self.freeze.isChecked()

    def show_prediction(self, prediction: Prediction) -> None:
        if prediction.frequency is not None and not self.frozen:
            self.show_maps(prediction.frequency)

    def show_maps(self, maps: tuple[FrequencyMaps, ...]) -> None:
        streams = tuple(m.stream for m in maps)
        if streams != self._streams:
            self._build(streams)
        for m in maps:
            magnitude = log_magnitude(m.magnitude)
            high = float(magnitude.max()) if magnitude.size else 1.0
            axes = (m.temporal_hz, m.joint_frequency)
            self._cells[(m.stream, "magnitude")].set(magnitude, *axes, (0.0, high or 1.0))
            self._magnitude_bars[m.stream].setLevels(low=0.0, high=high or 1.0)
            levels = mask_levels(m.cos_mask, m.sin_mask)
            self._cells[(m.stream, "cos_mask")].set(np.asarray(m.cos_mask, np.float32), *axes, levels)
            self._cells[(m.stream, "sin_mask")].set(np.asarray(m.sin_mask, np.float32), *axes, levels)
            self._mask_bars[m.stream].setLevels(low=levels[0], high=levels[1])
        self.maps = maps
        self.updates += 1
        f_t, f_v = maps[0].magnitude.shape
        info = (f"Latest window: {f_t} temporal × {f_v} joint frequencies per stream "
                "(joint frequency: over the transform net's virtual joints)")
        if info != self.info.text():
            self.info.setText(info)

    def _build(self, streams: tuple[str, ...]) -> None:
        self.graphics.clear()
        self._cells.clear()
        self._magnitude_bars.clear()
        self._mask_bars.clear()
        for stream in streams:
            mask_images = []
            for kind, title in KINDS:
                plot = pg.PlotItem(title=f"{stream} · {title}")
                plot.setMenuEnabled(False)
                plot.setMouseEnabled(x=False, y=False)
                plot.hideButtons()
                plot.disableAutoRange()
                plot.setLabel("bottom", "temporal frequency", units="Hz")
                if kind == "magnitude":
                    plot.setLabel("left", "joint frequency")
                image = pg.ImageItem(axisOrder="col-major")
                plot.addItem(image)
                self._cells[(stream, kind)] = _Cell(plot, image)
                if kind == "magnitude":
                    bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=pg.colormap.get(MAGNITUDE_MAP),
                                          interactive=False, width=12, label="log(1+|X|)")
                    bar.setImageItem(image, insert_in=plot)
                    self._magnitude_bars[stream] = bar
                else:
                    image.setColorMap(pg.colormap.get(MASK_MAP))
                    mask_images.append(image)
            bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=pg.colormap.get(MASK_MAP), interactive=False,
                                  width=12, label="weight")
            bar.setImageItem(mask_images, insert_in=self._cells[(stream, "sin_mask")].plot)
            self._mask_bars[stream] = bar
        self._streams = streams
        self._wide = None
        self._arrange()

    def _arrange(self) -> None:
        """One row per stream in a tall panel; everything in one row in a wide, short one."""
        wide = self.graphics.width() > 2.5 * self.graphics.height()
        if wide == self._wide:
            return
        layout = self.graphics.ci
        for cell in self._cells.values():
            if cell.plot.scene() is not None:
                layout.removeItem(cell.plot)
        for i, stream in enumerate(self._streams):
            for j, (kind, _) in enumerate(KINDS):
                row, col = (0, 3 * i + j) if wide else (i, j)
                layout.addItem(self._cells[(stream, kind)].plot, row=row, col=col)
        self._wide = wide

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _hover(self, position: QPointF) -> None:
        for (stream, kind), cell in self._cells.items():
            if cell.plot.sceneBoundingRect().contains(position):
                point = cell.plot.vb.mapSceneToView(position)
                hit = cell.value_at(point.x(), point.y())
                if hit is not None:
                    hz, joint_frequency, value = hit
                    name = dict(KINDS)[kind]
                    self.readout.setText(f"{stream} {name} at {hz:.2f} Hz, joint freq. {joint_frequency:+.0f}: "
                                         f"{value:.3f}")
                    return
        self.readout.setText("")
