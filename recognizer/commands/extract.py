"""`liveaction extract VIDEO -o OUT.json`: skeletons of a video as Kinetics-skeleton JSON."""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from tqdm import tqdm


def add_parser(sub, name: str, summary: str) -> None:
    parser = sub.add_parser(name, help=summary, description=summary)
    parser.add_argument("video", type=Path, help="video file to read")
    parser.add_argument("-o", "--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--max-persons", type=int, default=2, choices=(1, 2, 3, 4),
                        help="people to track (default 2)")
    parser.add_argument("--label", default=None, help="action label to store in the file")


def run(args: argparse.Namespace) -> int:
    from recognizer.data.formats import SkeletonClip, write_kinetics_json
    from recognizer.pipeline import Pipeline, stack_sequence
    from recognizer.pose import PoseConfig, PoseEstimator
    from recognizer.video import VideoFileSource

    with VideoFileSource(args.video) as source, PoseEstimator(PoseConfig(max_persons=args.max_persons)) as pose:
        pipeline = Pipeline(pose)
        results = []
        total = source.frame_count if source.frame_count > 0 else None
        for result in tqdm(pipeline.run(source), total=total, unit="frame", desc=source.name,
                           file=sys.stderr, disable=None):
            results.append(result)
        fps = source.fps
    if not results:
        from recognizer.errors import BadFileError

        raise BadFileError(args.video, "contains no decodable frames")
    clip = SkeletonClip(data=stack_sequence(results), label=args.label, label_index=None, fps=fps,
                        meta={"source": str(args.video), "persons": args.max_persons})
    write_kinetics_json(args.out, clip)
    with_person = sum(r.has_person for r in results)
    ms = statistics.median(r.timings_ms["pose"] + r.timings_ms["map_track"] for r in results)
    print(f"{args.out}: {len(results)} frames at {fps:.1f} fps, person in {with_person} "
          f"({100 * with_person / len(results):.0f}%), {ms:.1f} ms/frame (median pose+tracking)")
    return 0
