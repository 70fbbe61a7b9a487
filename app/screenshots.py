"""Screenshots of the app for the docs: the main window, the frequency and the attention panel.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m app.screenshots \\
        --video ../shared/data/videos/ta_chi.mp4 --model MODEL.safetensors --out docs/screenshots

Runs the real app on a video (settings kept in a temporary folder, not the user's), asks
for the attention of one joint, lets it play for a while and grabs the widgets as drawn.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings

from app.main import create_application, prepare_runtime
from app.startup import StartOptions
from recognizer.skeleton import OPENPOSE18


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None, help="default: the starter model")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--joint", default="right_wrist", choices=OPENPOSE18.joints, help="attention query joint")
    parser.add_argument("--seconds", type=float, default=12.0, help="play this long before grabbing")
    parser.add_argument("--size", default="1600x1000", help="window size, WxH")
    args = parser.parse_args(argv)

    app = create_application(sys.argv[:1])
    prepare_runtime()
    from app.main_window import AppContext, MainWindow

    with tempfile.TemporaryDirectory() as folder:
        store = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(AppContext(store=store), StartOptions(video=args.video, model=args.model))
        width, height = (int(v) for v in args.size.split("x"))
        window.resize(width, height)
        window.show()
        window.start()
        window.attention_view.set_query_joint(OPENPOSE18.index(args.joint))
        end = time.monotonic() + args.seconds
        while time.monotonic() < end or window.attention_view.maps is None:
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end + 60:
                print("no attention maps after a minute of playing; is a model loaded?", file=sys.stderr)
                return 1
        args.out.mkdir(parents=True, exist_ok=True)
        shots = {"main_window.png": window, "frequency_view.png": window.docks["frequency"],
                 "attention_view.png": window.docks["attention"]}
        for name, widget in shots.items():
            widget.grab().save(str(args.out / name))
            print(args.out / name)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
