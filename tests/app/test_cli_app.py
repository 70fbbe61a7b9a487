import subprocess
import sys
from pathlib import Path

from app.startup import StartOptions
from recognizer import cli


def test_app_command_passes_its_options_to_the_window(monkeypatch):
    seen = []
    monkeypatch.setattr("app.main.run", lambda options: seen.append(options) or 0)
    assert cli.main(["app", "--video", "walk.mp4", "--model", "m.safetensors"]) == 0
    assert cli.main(["app", "--camera", "http://127.0.0.1:8080/video"]) == 0
    assert seen == [StartOptions(video=Path("walk.mp4"), model=Path("m.safetensors")),
                    StartOptions(camera="http://127.0.0.1:8080/video")]


def test_app_help_loads_no_qt():
    code = ("import sys; from recognizer import cli\n"
            "try:\n    cli.main(['app', '--help'])\nexcept SystemExit:\n    pass\n"
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "--video" in result.stdout and "--camera N|URL" in result.stdout


def test_the_application_carries_the_icon_and_desktop_name(qapp):
    from app.main import create_application

    app = create_application([])
    sizes = {size.width() for size in app.windowIcon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    assert app.desktopFileName() == "liveaction"
