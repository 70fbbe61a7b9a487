"""The frozen build's recipe agrees with the code: assets, entry point, desktop entry, icons.

The real build (`make package`, minutes) is not run here; these checks catch the usual
ways a one-folder build breaks at run time: an asset left out or placed where
recognizer/paths.py does not look, a command module the lazy CLI imports by name missing,
a desktop entry pointing at a program or icon that is not there.
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import shutil
import struct
import subprocess
import tomllib
from pathlib import Path

import pytest

from recognizer import paths
from recognizer.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"


def _load(name: str):
    """A module from packaging/ (not importable by name: PyPI's `packaging` owns that name)."""
    spec = importlib.util.spec_from_file_location(f"_liveaction_packaging_{name}", PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


layout = _load("bundle_layout")
icons = _load("render_icons")


def bundled_paths() -> set[str]:
    """Where each asset lands, relative to the bundle's `_internal` folder."""
    return {f"{dest}/{Path(src).name}" for src, dest in layout.asset_datas()}


def test_every_asset_file_is_bundled_at_its_repository_path():
    on_disk = {p.relative_to(REPO).as_posix() for folder in layout.ASSET_DIRS
               for p in (REPO / "assets" / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert on_disk and bundled_paths() == on_disk


def test_assets_resolve_in_the_frozen_layout():
    # paths.py: ASSETS = <recognizer package dir>/../assets; frozen, the package is _internal/recognizer.
    assert paths.ASSETS == Path(paths.__file__).resolve().parent.parent / "assets" == REPO / "assets"
    assert "recognizer" in layout.PACKAGES
    needed = [paths.POSE_MODEL, paths.POSE_MODEL.parent / "NOTICE.md", REPO / "assets" / "icons" / "liveaction.svg"]
    if paths.STARTER_MODEL.exists():  # trained separately; bundled whenever present at build time
        needed += [paths.STARTER_MODEL, paths.STARTER_MODEL.with_suffix(".json")]
    for path in needed:
        assert path.relative_to(REPO).as_posix() in bundled_paths(), path


def test_lazily_loaded_commands_and_the_app_are_bundled():
    modules = set(layout.own_modules())
    assert {f"recognizer.commands.{name}" for name in COMMANDS} <= modules
    assert {"recognizer", "recognizer.cli", "app", "app.main", "app.main_window"} <= modules


def test_entry_script_is_the_console_script():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[layout.NAME] == layout.ENTRY_POINT
    module, function = layout.ENTRY_POINT.split(":")
    tree = ast.parse((PACKAGING / "liveaction_entry.py").read_text())
    imports = [(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names]
    assert (module, function) in imports


def test_spec_builds_from_the_layout():
    spec = (PACKAGING / "liveaction.spec").read_text()
    ast.parse(spec)
    for use in ("liveaction_entry.py", "layout.asset_datas()", "layout.own_modules()",
                "layout.MEDIAPIPE_NATIVE_PACKAGE", 'collect_dynamic_libs("mediapipe")', "layout.WITH_SOURCE",
                "name=layout.NAME"):
        assert use in spec, use


def test_mediapipe_native_library_is_where_the_spec_collects_it():
    from importlib import resources

    assert (resources.files(layout.MEDIAPIPE_NATIVE_PACKAGE) / "libmediapipe.so").is_file()
    assert not layout.dropped("mediapipe/tasks/c/libmediapipe.so")


def test_only_unused_files_are_dropped():
    assert layout.dropped("cv2/qt/plugins/platforms/libqxcb.so")
    assert layout.dropped("torch/bin/test_api") and layout.dropped("torch/test/Dict_test")
    assert not layout.dropped("torch/bin/torch_shm_manager")
    assert not layout.dropped("torch/lib/libtorch_cpu.so") and not layout.dropped("cv2/cv2.abi3.so")


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_icon_sizes_are_rendered():
    for size in icons.SIZES:
        assert png_size(icons.png_path(size)) == (size, size)


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / "liveaction.desktop")
    return parser["Desktop Entry"]


def test_desktop_entry_starts_the_app_with_our_icon():
    entry = desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split() == [layout.NAME, "app"]
    assert entry["TryExec"] == layout.NAME
    assert entry["Icon"] == layout.NAME == icons.SVG.stem
    assert entry["Terminal"] == "false"


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate not installed (apt-get install desktop-file-utils)")
def test_desktop_entry_is_valid():
    result = subprocess.run(["desktop-file-validate", str(PACKAGING / "liveaction.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_make_package_pins_pyinstaller_and_runs_the_build():
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("\npackage:", 1)[1].split("\n\n", 1)[0]
    assert "pyinstaller==" in recipe and "pyinstaller-hooks-contrib==" in recipe
    assert "packaging/build.sh" in recipe
