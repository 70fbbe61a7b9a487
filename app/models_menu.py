"""The Model menu: the bundled starter model, the user's own models, any model file.

The menu is rebuilt each time it opens, so a model saved by training (issue: recording
and fine-tuning) shows up without restarting. Choosing only emits the path; the window
loads it off the GUI thread and keeps the previous model if the file is bad.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QActionGroup, QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QMenu, QVBoxLayout, QWidget

from recognizer.checkpoint import OPTIMIZER_SUFFIX, WEIGHTS_SUFFIX


def list_user_models(folder: Path) -> list[Path]:
    """Model files (`*.safetensors`, not optimizer state) in `folder`, by name."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.glob(f"*{WEIGHTS_SUFFIX}") if not p.name.endswith(OPTIMIZER_SUFFIX)),
                  key=lambda p: p.name.lower())


def model_title(path: Path | None, starter: Path) -> str:
    if path is None:
        return "no model"
    return "starter model" if Path(path) == starter else Path(path).stem


class ModelsMenu(QMenu):
    model_chosen = Signal(object)  # Path
    open_file = Signal()
    show_labels = Signal()

    def __init__(self, starter: Path, user_models: Path, settings_menu: QMenu | None = None,
                 parent: QWidget | None = None):
        super().__init__("&Model", parent)
        self.starter = starter
        self.user_models = user_models
        self.settings_menu = settings_menu  # recognition settings, shown at the end
        self.current: Path | None = None
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()

    def set_current(self, path: Path | None) -> None:
        self.current = path

    def rebuild(self) -> None:
        self.clear()
        group = QActionGroup(self)
        starter = self.addAction("Starter model" if self.starter.is_file() else "Starter model (missing)")
        starter.setEnabled(self.starter.is_file())
        self._choice(starter, self.starter, group)
        self.addSection("Your models")
        models = list_user_models(self.user_models)
        for path in models:
            self._choice(self.addAction(path.stem), path, group)
        if not models:
            self.addAction("None yet: models you train appear here").setEnabled(False)
        self.addSeparator()
        self.addAction("Open model file…").triggered.connect(self.open_file)
        labels = self.addAction("Labels of this model…")
        labels.setEnabled(self.current is not None)
        labels.triggered.connect(self.show_labels)
        self.addAction("Show models folder").triggered.connect(self._show_folder)
        if self.settings_menu is not None:
            self.addSeparator()
            self.addMenu(self.settings_menu)

    def _choice(self, action, path: Path, group: QActionGroup) -> None:
        action.setCheckable(True)
        action.setChecked(self.current is not None and Path(self.current) == path)
        group.addAction(action)
        action.triggered.connect(lambda _=False, p=path: self.model_chosen.emit(p))

    def _show_folder(self) -> None:
        self.user_models.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.user_models)))


class LabelsDialog(QDialog):
    """The actions a model knows, in its output order."""

    def __init__(self, title: str, labels: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Labels of {title}")
        self.list = QListWidget()
        self.list.addItems(list(labels))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{title} recognizes {len(labels)} actions:"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(320, 420)
