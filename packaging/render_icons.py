"""Render the app icon's PNG sizes from assets/icons/liveaction.svg (run after editing the SVG).

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py

Desktops pick the PNG nearest the size they draw (the freedesktop hicolor theme wants
square PNGs at these sizes); the SVG stays the one source.
"""

from __future__ import annotations

from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"
SVG = ICONS / "liveaction.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICONS / f"liveaction-{size}.png"


def render(size: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png_path(size)), "PNG"):
        raise SystemExit(f"could not write {png_path(size)}")


def main() -> None:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # QPainter needs one  # noqa: F841
    for size in SIZES:
        render(size)
        print(png_path(size))


if __name__ == "__main__":
    main()
