"""`liveaction bench`: how fast and how timely the live path is on this machine."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from recognizer.paths import STARTER_MODEL

_SHARED_VIDEO = Path(__file__).resolve().parents[3] / "shared" / "data" / "videos" / "ta_chi.mp4"


def add_parser(sub, name: str, summary: str) -> None:
    parser = sub.add_parser(name, help=summary, description=summary)
    parser.add_argument("--video", type=Path, default=_SHARED_VIDEO if _SHARED_VIDEO.exists() else None,
                        help="a video with a person in it (looped)")
    parser.add_argument("--model", type=Path, default=STARTER_MODEL, help="model file (default: starter model)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per throughput measurement")
    parser.add_argument("--max-persons", type=int, choices=(1, 2), default=2,
                        help="people the pose model looks for (default 2, as the app)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from recognizer.bench import run_bench
    from recognizer.engine import load_recognizer
    from recognizer.errors import LiveactionError

    if args.video is None:
        raise LiveactionError("give a video of a person with --video (none bundled)")
    model, spec = load_recognizer(args.model)
    report = run_bench(args.video, model, spec, args.model.stem, args.seconds, max_persons=args.max_persons)
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"device {report['device']}, model {report['model']}, {report['torch_threads']} torch threads, "
          f"pose looks for {report['max_persons']} persons")
    for stage in ("decode", "pose", "map_track", "push", "model", "end_to_end"):
        print(f"  {stage:11s} median {report[stage + '_ms']:7.2f} ms   p95 {report[stage + '_p95_ms']:7.2f} ms")
    print(f"  sustained {report['fps_sustained']:.1f} fps; real time {report['fps_realtime']:.1f} of "
          f"{report['fps_realtime_offered']:.1f} fps offered, {report['fps_realtime_dropped']} frames dropped")
    print(f"  onset → label {report['onset_latency_s']:.2f} s ({report['onset_followed']} switches followed); "
          f"the model's own top-1 after {report['onset_model_s']:.2f} s")
    return 0
