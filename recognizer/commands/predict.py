"""`liveaction predict VIDEO`: what action a video shows, over time and overall.

Runs the live path — pose, tracking, the streaming engine with its sliding window and
smoothing — over the whole file, so the answer is what the app would have shown.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from tqdm import tqdm


def add_parser(sub, name: str, summary: str) -> None:
    from recognizer.paths import STARTER_MODEL

    parser = sub.add_parser(name, help=summary, description=summary)
    parser.add_argument("video", type=Path, help="video file to read")
    parser.add_argument("--model", type=Path, default=STARTER_MODEL,
                        help="model file (.safetensors with its .json); default: the bundled starter model")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    parser.add_argument("--threshold", type=float, default=None,
                        help="confidence below which the answer is 'unknown' (default: the model's own)")


def run(args: argparse.Namespace) -> int:
    from recognizer.engine import load_recognizer
    from recognizer.offline import recognize
    from recognizer.pipeline import Pipeline
    from recognizer.pose import PoseEstimator
    from recognizer.video import VideoFileSource

    model, spec = load_recognizer(args.model)
    counts = {"frames": 0, "with_person": 0}

    def tracked_frames(pipeline, source):
        for result in tqdm(pipeline.run(source), total=source.frame_count or None, unit="frame",
                           desc=source.name, file=sys.stderr, disable=None):
            counts["frames"] += 1
            counts["with_person"] += result.has_person
            yield result.skeletons, result.frame.timestamp_s

    with VideoFileSource(args.video) as source, PoseEstimator() as pose:
        seconds = (source.frame_count or 300) / source.fps
        result = recognize(model, spec, tracked_frames(Pipeline(pose), source), seconds, args.threshold)
        fps = source.fps
    summary, frames = result.summary, counts["frames"]
    report = {"video": str(args.video), "frames": frames, "fps": round(fps, 3),
              "person_ratio": round(counts["with_person"] / frames, 4) if frames else 0.0,
              "label": summary.label, "score": round(summary.score, 4), "threshold": result.threshold,
              "top5": [[label, round(score, 4)] for label, score in summary.top5],
              "segments": [{k: (round(v, 3) if isinstance(v, float) else v)
                            for k, v in dataclasses.asdict(s).items()} for s in summary.segments]}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{args.video}: {summary.label} ({summary.score:.0%}), person in {report['person_ratio']:.0%} "
              f"of {frames} frames")
        for label, score in summary.top5:
            print(f"  {score:6.1%}  {label}")
        for s in summary.segments:
            print(f"  {s.start_s:6.1f}–{s.end_s:5.1f} s  {s.label} ({s.score:.0%})")
    return 0
