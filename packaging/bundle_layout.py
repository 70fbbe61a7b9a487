"""What goes into the frozen build besides the code PyInstaller finds by itself.

Pure and importable without PyInstaller, so the spec (`liveaction.spec`) and a fast test
(`tests/packaging/`) read the same lists and cannot drift apart.

Assets keep their repository-relative path inside the bundle: `recognizer/paths.py`
finds them as `<dir of the recognizer package>/../assets`, and in a one-folder build the
`recognizer` package sits at `_internal/recognizer`, so assets go to `_internal/assets`.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NAME = "liveaction"  # the program's name: dist/liveaction/liveaction, the desktop entry's Exec
ENTRY_POINT = "recognizer.cli:main"  # the console script in pyproject.toml
PACKAGES = ("recognizer", "app")  # our own code; every module is bundled (commands load lazily by name)
ASSET_DIRS = ("pose", "models", "icons")  # whatever is in these at build time goes in
# mediapipe's Python side loads its C library with ctypes from the `mediapipe.tasks.c`
# package folder, which PyInstaller's import analysis cannot see.
MEDIAPIPE_NATIVE_PACKAGE = "mediapipe.tasks.c"
# Packages whose code reads its own Python source at run time (onnxscript compiles its
# torch ops from their source with `inspect` when `export onnx` runs): bundled as .py too.
WITH_SOURCE = ("onnxscript",)
# Installed beside the app (dev tools) or only optionally imported by a dependency; none is
# used at run time, and together they would add several hundred MB.
EXCLUDES = ("tkinter", "pytest", "_pytest", "hypothesis", "pytestqt", "skimage", "scipy", "IPython",
            "PyQt5", "PyQt6", "PySide2", "PyInstaller")
# Collected by the OpenCV and torch hooks but never used at run time (paths in the bundle):
# OpenCV's own Qt 5 GUI plugins and fonts (we never open a cv2 window; leaving them out also
# keeps a second Qt's plugins away from PySide6's), torch's C++ test programs and protoc.
DROP_PREFIXES = ("cv2/qt/", "torch/test/", "torch/bin/")
KEEP = ("torch/bin/torch_shm_manager",)  # torch's shared-memory helper for data-loader workers


def asset_datas(repo: Path = REPO) -> list[tuple[str, str]]:
    """`(source file, destination folder in the bundle)` for every file under assets/ASSET_DIRS."""
    datas = []
    for folder in ASSET_DIRS:
        root = repo / "assets" / folder
        for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else ():
            if "__pycache__" in path.parts:
                continue
            datas.append((str(path), path.parent.relative_to(repo).as_posix()))
    return datas


def own_modules(repo: Path = REPO) -> list[str]:
    """Every module of our packages, by dotted name (so lazily imported commands are bundled)."""
    modules = []
    for package in PACKAGES:
        for path in sorted((repo / package).rglob("*.py")):
            parts = path.relative_to(repo).with_suffix("").parts
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def dropped(destination: str) -> bool:
    """Whether a collected file (its path inside the bundle) is left out."""
    destination = destination.replace("\\", "/")
    return destination.startswith(DROP_PREFIXES) and destination not in KEEP
