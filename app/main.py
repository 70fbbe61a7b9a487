"""Start the app: a QApplication with a dark theme, the main window, the event loop."""

from __future__ import annotations

import gc
import logging
import os
import sys

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app.background import wait_for_workers
from app.startup import StartOptions
from recognizer.errors import LiveactionError
from recognizer.paths import ICONS

# OpenCV (through mediapipe) may point Qt at its own bundled plugins and fonts, which do
# not match PySide6's Qt and stop the window from opening.
_CV2_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")


def create_application(argv: list[str]) -> QApplication:
    for name in _CV2_QT_VARIABLES:
        os.environ.pop(name, None)
    app = QApplication.instance() or QApplication(argv)
    app.setOrganizationName("liveaction")
    app.setApplicationName("liveaction")
    app.setDesktopFileName("liveaction")  # Wayland and task bars match the window to liveaction.desktop
    app.setWindowIcon(application_icon())
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    return app


def application_icon() -> QIcon:
    """The liveaction icon in every rendered size, so each place it shows picks a sharp one."""
    icon = QIcon()
    for png in sorted(ICONS.glob("liveaction-*.png")):
        icon.addFile(str(png))
    return icon


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


def prepare_runtime() -> None:
    """Process-wide settings and one-time costs, settled before the window exists.

    * The model gets half of the CPU cores, leaving the rest to pose estimation and drawing.
    * Loading a model file first builds the network on torch's meta device, and the first
      time that happens torch imports sympy (1-3 s). Done in the loading thread, that import
      starves the GUI thread for up to half a second; done here, it only delays the start.
    * Likewise MediaPipe, which the pose thread would otherwise import (1-2 s) while the
      window is trying to draw.
    * Python's full garbage collections stop every thread, the GUI's too, for as long as
      they take to walk all objects: with torch, sympy, MediaPipe and Qt loaded, 0.2-0.8 s.
      Freezing what exists after start-up (modules, classes, functions: nearly all of it,
      and none of it garbage) leaves them only the objects made while running.
    """
    import torch
    import torch.fx.experimental.symbolic_shapes  # noqa: F401 — see above
    from mediapipe.tasks.python import vision  # noqa: F401 — see above

    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
    gc.collect()
    gc.freeze()


def qt_binding_problem() -> str | None:
    """Why this PySide6 cannot run the app, or None when it can.

    PySide6 6.12.0 on Python 3.11 gives back None from every method that returns nothing
    without counting the reference (Python 3.12 made None immortal; 3.11 still counts).
    Each Qt call then takes one reference away from None, and the interpreter aborts
    ("deallocating None") a few seconds into drawing video. 6.11.3 does not do this.
    """
    if sys.version_info >= (3, 12):
        return None
    import PySide6
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        probe.setObjectName("probe")
    if before - sys.getrefcount(None) < 50:
        return None
    return (f"PySide6 {PySide6.__version__} loses a reference to None on every Qt call under Python "
            f"{sys.version.split()[0]}, which crashes the app within seconds; install PySide6-Essentials "
            "6.11.3 (pip install 'PySide6-Essentials==6.11.3')")


def run(options: StartOptions) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    problem = qt_binding_problem()
    if problem is not None:
        raise LiveactionError(problem)
    app = create_application(sys.argv[:1])
    prepare_runtime()
    from app.main_window import AppContext, MainWindow

    window = MainWindow(AppContext(store=QSettings()), options)
    window.show()
    window.start()
    code = app.exec()
    # Work still under way (a model that finishes loading after the window closed) must end,
    # and its results be delivered and released, while Python is whole: torn down under a
    # thread in native code, or with results still queued in Qt, the interpreter crashes.
    finished = wait_for_workers(10.0)
    app.processEvents()  # late results reach the closed window, which lets them go
    finished = wait_for_workers(5.0) and finished
    del window  # widgets go before the QApplication; the other order crashes at exit
    if not finished:  # stuck in native code (a stalled network read): leave without teardown
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
