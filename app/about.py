"""The About box: what this is, the versions it runs on, and the device doing the work."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from recognizer import __version__

_PACKAGES = ("torch", "numpy", "mediapipe", "pyqtgraph", "safetensors")


def versions() -> list[tuple[str, str]]:
    found = [("liveaction", __version__), ("Python", platform.python_version()),
             ("PySide6", pyside_version), ("Qt", qVersion())]
    for name in _PACKAGES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return found


def about_html(device: str, model: str) -> str:
    rows = "".join(f"<tr><td>{name}</td><td>&nbsp;{version}</td></tr>" for name, version in versions())
    return (f"<h3>liveaction {__version__}</h3>"
            "<p>Live action recognition from skeletons with the SLnL-rFA network "
            "(Hu et al., ICME 2019 / IEEE TMM 2020).</p>"
            f"<p><b>Model:</b> {model}<br><b>Device:</b> {device}<br>"
            f"<b>System:</b> {platform.system()} {platform.machine()}</p>"
            f"<table>{rows}</table>")


def show_about(parent: QWidget, device: str, model: str) -> QMessageBox:
    """Open the About box without blocking the window (the video keeps running)."""
    box = QMessageBox(QMessageBox.Icon.Information, "About liveaction", about_html(device, model),
                      QMessageBox.StandardButton.Close, parent)
    box.open()
    return box
