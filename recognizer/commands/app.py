"""`liveaction app [--video FILE] [--model PATH] [--camera N|URL]`: open the desktop app.

The app lives in the `app` package (PySide6); it is imported only here, when asked for,
so the library and the other commands never load Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub, name: str, summary: str) -> None:
    parser = sub.add_parser(name, help=summary, description=summary)
    parser.add_argument("--video", type=Path, default=None,
                        help="start on this video file (or a recorded clip, .json)")
    parser.add_argument("--model", type=Path, default=None,
                        help="model file (.safetensors with its .json); default: the last one used, "
                             "else the bundled starter model")
    parser.add_argument("--camera", default=None, metavar="N|URL",
                        help="start on camera N, or on a network camera's stream URL (HTTP MJPEG, RTSP)")


def run(args: argparse.Namespace) -> int:
    from app.main import run as run_app
    from app.startup import StartOptions

    return run_app(StartOptions(video=args.video, model=args.model, camera=args.camera))
