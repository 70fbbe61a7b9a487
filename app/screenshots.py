"""Screenshots of the app for the docs: the main window, the frequency and the attention panel,
and (`--shots clips`) the Library panel, a recording in progress and the Train dialog after
a real fine-tuning run on the library's clips.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python -m app.screenshots \\
        --video ../shared/data/videos/ta_chi.mp4 --model MODEL.safetensors --out docs/screenshots

Runs the real app on a video (settings and clips kept in a temporary folder, not the
user's), asks for the attention of one joint, lets it play for a while and grabs the
widgets as drawn. For the clip shots the library holds generated clips of two actions
the model does not know, five each, so they show as few-shot classes.
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
    parser.add_argument("--record-label", default="tai chi", help="the label recorded in recording.png")
    parser.add_argument("--shots", choices=("panels", "clips", "all"), default="all",
                        help="panels: main window, frequency, attention; clips: library and recording")
    args = parser.parse_args(argv)

    app = create_application(sys.argv[:1])
    prepare_runtime()
    from app.main_window import AppContext, MainWindow

    with tempfile.TemporaryDirectory() as folder:
        store = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        clips = Path(folder) / "clips"
        if args.shots != "panels":
            _fill_library(clips)
        window = MainWindow(AppContext(store=store, clip_library=clips, user_models=Path(folder) / "models"),
                            StartOptions(video=args.video, model=args.model))
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
        shots = {}
        if args.shots != "clips":
            shots.update({"main_window.png": window, "frequency_view.png": window.docks["frequency"],
                          "attention_view.png": window.docks["attention"]})
        if args.shots != "panels":
            _wait(app, lambda: window.model is not None and window.model.spec.few_shot, 60)
            shots["library.png"] = window.docks["library"]
        for name, widget in shots.items():
            widget.grab().save(str(args.out / name))
            print(args.out / name)
        if args.shots != "panels":
            window.record_bar.set_label(args.record_label)
            window.toggle_recording()
            if not _wait(app, lambda: window.video.rec_badge, 60):
                print("the recording did not start within a minute", file=sys.stderr)
                return 1
            _wait(app, lambda: False, 0.6)
            window.grab().save(str(args.out / "recording.png"))
            print(args.out / "recording.png")
            if not _grab_training(app, window, args.out / "train_dialog.png"):
                return 1
        window.close()
    return 0


def _grab_training(app, window, path: Path) -> bool:
    """Fine-tune on the library's clips with the dialog's defaults; grab the dialog when done."""
    window.open_train_dialog()
    dialog = window.train_dialog
    ended = []
    dialog.run_ended.connect(ended.append)
    dialog.start_button.click()
    if not _wait(app, lambda: ended, 600) or ended != ["done"]:
        print(f"the training run did not finish: {ended or 'still running'} {dialog.error.text()}", file=sys.stderr)
        return False
    dialog.grab().save(str(path))
    print(path)
    dialog.close()
    return True


def _wait(app, done, seconds: float) -> bool:
    """Run the event loop until `done()` or `seconds` have passed; whether it is done."""
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    return bool(done())


def _fill_library(folder: Path) -> None:
    """Five generated clips each of two everyday actions the starter model does not know."""
    import numpy as np

    from recognizer.clips import ClipLibrary
    from recognizer.data.formats import SkeletonClip
    from recognizer.data.synthetic import everyday_clips

    library = ClipLibrary(folder)
    rng = np.random.default_rng(0)
    for kind in ("drinking", "rowing"):
        for data in everyday_clips(kind, 5, rng, fps=30.0):
            library.add(SkeletonClip(data, kind, None, 30.0, {"source": "generator"}))


if __name__ == "__main__":
    sys.exit(main())
