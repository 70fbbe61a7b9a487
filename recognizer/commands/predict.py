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


def adapted_engine_config(frames: int, threshold: float | None):
    """Window and stride that fit the video: a 1 s clip still gets several windows."""
    from recognizer.engine import EngineConfig

    stride = max(1, min(4, frames // 8))
    min_frames = max(2, min(15, frames // 2))
    return EngineConfig(stride=stride, min_frames=min_frames, threshold=threshold, threaded=False)


def run(args: argparse.Namespace) -> int:
    from recognizer.engine import StreamingRecognizer, load_recognizer
    from recognizer.pipeline import Pipeline
    from recognizer.pose import PoseEstimator
    from recognizer.video import VideoFileSource
    from recognizer.video_summary import summarize

    model, spec = load_recognizer(args.model)
    with VideoFileSource(args.video) as source, PoseEstimator() as pose:
        config = adapted_engine_config(source.frame_count or 300, args.threshold)
        engine = StreamingRecognizer(model, spec, config)
        pipeline = Pipeline(pose)
        predictions, frames, with_person = [], 0, 0
        for result in tqdm(pipeline.run(source), total=source.frame_count or None, unit="frame",
                           desc=source.name, file=sys.stderr, disable=None):
            frames += 1
            with_person += result.has_person
            prediction = engine.push(result.skeletons, result.frame.timestamp_s)
            if prediction is not None and prediction.window_probs is not None:
                predictions.append(prediction)
        final = engine.flush()
        if final is not None:
            predictions.append(final)
        fps = source.fps
    summary = summarize(predictions, spec.labels, engine.threshold, spec.background_label,
                        config.stride / spec.fps)
    report = {"video": str(args.video), "frames": frames, "fps": round(fps, 3),
              "person_ratio": round(with_person / frames, 4) if frames else 0.0,
              "label": summary.label, "score": round(summary.score, 4), "threshold": engine.threshold,
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
