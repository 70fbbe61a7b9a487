"""Start the app: a QApplication with a dark theme, the main window, the event loop."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.startup import StartOptions

# OpenCV (through mediapipe) may point Qt at its own bundled plugins and fonts, which do
# not match PySide6's Qt and stop the window from opening.
_CV2_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def create_application(argv: list[str]) -> QApplication:
    for name in _CV2_QT_VARIABLES:
        os.environ.pop(name, None)
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName("liveaction")
    app.setApplicationName("liveaction")
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    return app


def dark_palette() -> QPalette:
    """Dark, so the video and the heatmaps stand out and the label reads from afar."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(30, 33, 37), QPalette.ColorRole.WindowText: QColor(230, 232, 235),
        QPalette.ColorRole.Base: QColor(22, 25, 28), QPalette.ColorRole.AlternateBase: QColor(36, 40, 45),
        QPalette.ColorRole.Text: QColor(230, 232, 235), QPalette.ColorRole.Button: QColor(45, 50, 56),
        QPalette.ColorRole.ButtonText: QColor(230, 232, 235), QPalette.ColorRole.Highlight: QColor(255, 140, 0),
        QPalette.ColorRole.HighlightedText: QColor(20, 20, 20), QPalette.ColorRole.ToolTipBase: QColor(45, 50, 56),
        QPalette.ColorRole.ToolTipText: QColor(230, 232, 235), QPalette.ColorRole.Link: QColor(255, 167, 38),
        QPalette.ColorRole.PlaceholderText: QColor(138, 147, 156),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(110, 116, 122))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(110, 116, 122))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(110, 116, 122))
    return palette


def share_cpu() -> None:
    """Leave cores for pose estimation and drawing: on the CPU, the model gets half of them."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))


def run(options: StartOptions) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app = create_application(sys.argv[:1])
    share_cpu()
    from app.main_window import AppContext, MainWindow

    window = MainWindow(AppContext(store=QSettings()), options)
    window.show()
    window.start()
    return app.exec()
