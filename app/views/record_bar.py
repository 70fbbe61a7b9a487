"""The recording toolbar: which label, how long, keep the video, and the Record button.

It only holds the user's choices and says when Record is pressed; the window starts
the recording (`app.recording`) and tells the bar whether one is running.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QInputDialog, QLabel, QToolBar, QWidget

NEW_LABEL = "New label…"


class RecordBar(QToolBar):
    record_clicked = Signal()
    options_changed = Signal()  # length, start/stop mode or keep-video changed

    def __init__(self, record_action: QAction, parent: QWidget | None = None):
        super().__init__("Recording", parent)
        self.setObjectName("toolbar-recording")
        self.record_action = record_action
        self.addWidget(QLabel(" Label "))
        self.label_box = QComboBox()
        self.label_box.setEditable(True)
        self.label_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.label_box.setMinimumContentsLength(16)
        self.label_box.setToolTip("The action you are about to record: one the model knows, one of your clips' "
                                  "labels, or type a new one")
        self.label_box.lineEdit().setPlaceholderText("action to record")
        self.label_box.activated.connect(self._picked)
        self.addWidget(self.label_box)
        self.addWidget(QLabel("  Length "))
        self.length_spin = QDoubleSpinBox()
        self.length_spin.setRange(0.5, 60.0)
        self.length_spin.setSingleStep(0.5)
        self.length_spin.setDecimals(1)
        self.length_spin.setSuffix(" s")
        self.length_spin.setToolTip("How long each clip records after the countdown")
        self.length_spin.valueChanged.connect(self.options_changed)
        self.addWidget(self.length_spin)
        self.until_stopped = QCheckBox("until I stop")
        self.until_stopped.setToolTip("Record until Record (R) is pressed again, instead of a fixed length")
        self.until_stopped.toggled.connect(self._until_stopped_toggled)
        self.addWidget(self.until_stopped)
        self.keep_video = QCheckBox("keep video")
        self.keep_video.setToolTip("Also save the video (mp4) beside the skeletons")
        self.keep_video.toggled.connect(self.options_changed)
        self.addWidget(self.keep_video)
        self.addSeparator()
        self.addAction(record_action)
        self.set_recording(False)

    # ---- what the window sets ------------------------------------------------------------------
    def set_options(self, length_s: float, until_stopped: bool, keep_video: bool) -> None:
        self.length_spin.setValue(length_s)
        self.until_stopped.setChecked(until_stopped)
        self.length_spin.setEnabled(not until_stopped)
        self.keep_video.setChecked(keep_video)

    def set_labels(self, labels: Iterable[str]) -> None:
        """Offer `labels` (the model's and the library's), keeping what is typed or chosen."""
        current = self.label()
        self.label_box.blockSignals(True)
        self.label_box.clear()
        self.label_box.addItems(sorted(set(labels), key=str.lower))
        self.label_box.addItem(NEW_LABEL)
        self.label_box.setCurrentText(current)
        self.label_box.blockSignals(False)

    def set_label(self, label: str) -> None:
        self.label_box.setCurrentText(label)

    def set_recording(self, recording: bool) -> None:
        self.record_action.setText("■ Stop" if recording else "● Record")
        self.record_action.setToolTip("Stop recording (R)" if recording else
                                      "Record a clip of the chosen label after a countdown (R)")
        for widget in (self.label_box, self.until_stopped, self.keep_video):
            widget.setEnabled(not recording)
        self.length_spin.setEnabled(not recording and not self.until_stopped.isChecked())

    # ---- what the window reads -----------------------------------------------------------------
    def label(self) -> str:
        text = self.label_box.currentText().strip()
        return "" if text == NEW_LABEL else text

    def length_s(self) -> float | None:
        """The clip length, or None to record until stopped."""
        return None if self.until_stopped.isChecked() else float(self.length_spin.value())

    # ---- reacting to the user ------------------------------------------------------------------
    def _picked(self, index: int) -> None:
        if self.label_box.itemText(index) != NEW_LABEL:
            return
        name, ok = QInputDialog.getText(self, "New label", "Name of the new action:")
        self.label_box.setCurrentText(name.strip() if ok else "")

    def _until_stopped_toggled(self, checked: bool) -> None:
        self.length_spin.setEnabled(not checked)
        self.options_changed.emit()
