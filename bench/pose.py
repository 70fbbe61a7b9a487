"""Pose speed at 640×480 on real video: MediaPipe alone vs our whole per-frame path.

Prints ms/frame (median, p95) for one person (ta_chi.mp4) and two people (clean_and_jerk
and ta_chi side by side), each with `max_persons` 1 and 2, and what mapping + tracking add.

    .venv/bin/python bench/pose.py [--frames 300]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from recognizer.pipeline import Pipeline
from recognizer.pose import PoseConfig, PoseEstimator
from recognizer.video import VideoFileSource, import_cv2

VIDEOS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "videos"
SIZE = (640, 480)


def frames_640x480(names: list[str], count: int) -> list[np.ndarray]:
    """Frames of the videos side by side, letterboxed to 4:3 (no stretching) and resized to 640×480 RGB."""
    cv2 = import_cv2()
    streams = []
    for name in names:
        with VideoFileSource(VIDEOS / name) as source:
            streams.append([f.rgb for _, f in zip(range(count), source.frames())])
    n = min(len(s) for s in streams)
    out = []
    for i in range(n):
        row = np.hstack([s[i] for s in streams])
        height = max(row.shape[0], row.shape[1] * SIZE[1] // SIZE[0])
        canvas = np.zeros((height, row.shape[1], 3), np.uint8)
        top = (height - row.shape[0]) // 2
        canvas[top:top + row.shape[0]] = row
        out.append(cv2.resize(canvas, SIZE, interpolation=cv2.INTER_AREA))
    return out


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def measure(frames: list[np.ndarray], max_persons: int) -> dict[str, float]:
    with PoseEstimator(PoseConfig(max_persons=max_persons)) as pose:
        mediapipe_ms = []
        for i, rgb in enumerate(frames):  # MediaPipe alone: detect_for_video + landmark copy
            t0 = time.perf_counter()
            pose.detect33(rgb, i / 30.0)
            mediapipe_ms.append((time.perf_counter() - t0) * 1e3)
    with PoseEstimator(PoseConfig(max_persons=max_persons)) as pose:
        from recognizer.video import Frame

        pipeline = Pipeline(pose)
        total_ms, persons = [], []
        for i, rgb in enumerate(frames):
            t0 = time.perf_counter()
            result = pipeline.process(Frame(i, i / 30.0, rgb))
            total_ms.append((time.perf_counter() - t0) * 1e3)
            persons.append(sum(x is not None for x in result.ids))
    skip = 10  # the first frames load the graph
    mp, total = mediapipe_ms[skip:], total_ms[skip:]
    return {"mp_median": statistics.median(mp), "mp_p95": p95(mp), "median": statistics.median(total),
            "p95": p95(total), "added": statistics.median(total) - statistics.median(mp),
            "persons": float(np.mean(persons))}


def map_and_track_us(repeats: int = 2000) -> float:
    """Microseconds per frame for mapping two MediaPipe people to OpenPose-18 and tracking them."""
    from recognizer.pose import to_openpose18
    from recognizer.tracking import PersonTracker

    rng = np.random.default_rng(0)
    pose33 = rng.uniform(0.2, 0.8, size=(2, 33, 3)).astype(np.float32)
    tracker = PersonTracker(max_persons=2)
    t0 = time.perf_counter()
    for _ in range(repeats):
        tracker.update(to_openpose18(pose33 + rng.normal(0, 0.002, pose33.shape).astype(np.float32)))
    return (time.perf_counter() - t0) / repeats * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    cases = [("1 person (ta_chi)", ["ta_chi.mp4"]), ("2 people (clean_and_jerk | ta_chi)",
                                                       ["clean_and_jerk.mp4", "ta_chi.mp4"])]
    print("| video at 640×480 | max_persons | people found/frame | MediaPipe median / p95 ms | "
          "pipeline median / p95 ms | added by map+track ms |")
    print("|---|---|---|---|---|---|")
    for label, names in cases:
        frames = frames_640x480(names, args.frames)
        for max_persons in (1, 2):
            r = measure(frames, max_persons)
            print(f"| {label} | {max_persons} | {r['persons']:.2f} | {r['mp_median']:.1f} / {r['mp_p95']:.1f} | "
                  f"{r['median']:.1f} / {r['p95']:.1f} | {r['added']:+.2f} |")
    print(f"\nmapping + tracking alone, 2 people: {map_and_track_us():.0f} µs/frame")


if __name__ == "__main__":
    main()
