"""How the starter model does on real motion it never trained on.

1. MSR Action3D (real Kinect skeletons, ../shared/data/msr-action3d): the classes that
   map to ours (README of issue 7), each sequence recognized exactly as `predict` would
   (streaming engine, sliding window, video-level answer). Per-class top-1 and the
   confusion matrix; "unknown" counts as wrong. Unmapped MSR actions are reported as an
   open-set check (how often the model says "unknown" or "other" for them).
2. HDM05 motion capture (../shared/data/mocap), real people's motion without a detector's
   errors, seen by a fixed webcam in front of each actor (`--yaw` degrees around them,
   a 4:3 picture unless `--aspect` says otherwise):
   one repetition per take of squat, front kick, backward arm circles and jogging (on a
   circle, not in place), and seven other motions as its open set.
3. Shoppers in a mall (../shared/data/mall-openpose18): a real 2-D detector's output
   (OpenPose) of people walking, standing and sitting, often from behind. Standing is our
   *standing still*; everything else is open set, mostly people walking past. Traces of at
   least a second.
4. Real videos run through MediaPipe (st-gcn's Kinetics clips, opencv's vtest.avi): none
   is one of our actions, so the right answer is "unknown".

    .venv/bin/python bench/starter_model.py [--model assets/models/starter.safetensors]
        [--mapped-only] [--no-msr] [--no-mocap] [--no-mall] [--no-videos] [--yaw 0] [--aspect 1.333]
        [--steady-body [xy|x|y]] [--legs-hidden] [--windows kicking]

Several candidate models side by side, on the same windows: bench/compare_models.py.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import torch

from recognizer.data.hdm05 import WEBCAM_ASPECT, list_takes, read_take, webcam_view
from recognizer.data.mall import FPS as MALL_FPS
from recognizer.data.mall import list_mall_traces, read_mall_trace
from recognizer.data.msr import list_msr, msr_clip, read_msr_skeleton
from recognizer.engine import load_recognizer
from recognizer.offline import recognize, sequence_frames
from recognizer.paths import STARTER_MODEL
from recognizer.skeleton import OPENPOSE18

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
MSR_TO_OURS = {
    1: "waving one hand",  # high arm wave
    11: "waving both hands",  # two hand wave
    10: "clapping",  # hand clap
    5: "punching", 12: "punching",  # forward punch, side-boxing
    14: "kicking", 15: "kicking",  # forward kick, side kick
    13: "bending forward",  # bend
    16: "jogging in place",  # jogging
}
MALL_TO_OURS = {"standing": "standing still"}  # the one mall activity that is one of ours
MALL_MIN_FRAMES = 30  # a second: the shortest clip people share (issue 7); 297 of the 309 traces
MSR_FPS = 15.0  # MSR Action3D is usually quoted at about 15 fps
MOCAP_FPS = 30.0  # HDM05's 120 Hz taken at a webcam's rate
OPEN_SET_VIDEOS = [SHARED / "videos" / "ta_chi.mp4", SHARED / "videos" / "clean_and_jerk.mp4",
                   SHARED / "videos" / "skateboarding.mp4",
                   Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")]


LEG_JOINTS = ("right_knee", "right_ankle", "left_knee", "left_ankle")  # what `without_legs` drops
Change = Callable[[np.ndarray], np.ndarray]  # a diagnostic edit of each `(3, T, 18, 1)` sequence


def without_body_shift(data: np.ndarray, axes: str = "xy") -> np.ndarray:
    """`(3, T, 18, 1)` with every frame moved along `axes` ("x": sideways, "y": up and down)
    so that its hip centre stays where it is in the first frame that has both hips: a
    diagnostic of how much the model reads whole-body drift and bob."""
    out = data.copy()
    right, left = OPENPOSE18.index("right_hip"), OPENPOSE18.index("left_hip")
    both = (data[2, :, [right, left], 0] > 0).all(axis=0)  # (T,) frames that show both hips
    if not both.any():
        return out
    centre = 0.5 * (data[:2, :, right] + data[:2, :, left])  # (2, T, 1)
    first = np.argmax(both)
    shift = np.where(both[None, :, None], centre - centre[:, first:first + 1], 0.0)  # (2, T, 1)
    held = ["xy".index(axis) for axis in axes]
    out[held] = np.where(data[2:3] > 0, data[held] - shift[held, :, None], 0.0)
    return out


def without_legs(data: np.ndarray) -> np.ndarray:
    """`(3, T, 18, 1)` with the knees and ankles missing, as in a picture that ends at the hips:
    a diagnostic of whether the model names actions told by the legs from the legs."""
    out = data.copy()
    out[:, :, [OPENPOSE18.index(name) for name in LEG_JOINTS]] = 0.0
    return out


def edited(data: np.ndarray, changes: Sequence[Change]) -> np.ndarray:
    """`data` with the diagnostic edits `changes` made one after the other."""
    for change in changes:
        data = change(data)
    return data


def answers(model, spec, data: np.ndarray, fps: float) -> tuple[str, str, list[tuple[str, float]]]:
    """(top-1 label, label shown, each window's top label and probability) for a
    `(3, T, 18, 1)` sequence at `fps`, as `predict` runs a file."""
    result = recognize(model, spec, sequence_frames(data, fps), data.shape[1] / fps)
    windows = [(spec.labels[int(np.argmax(p.window_probs))], float(np.max(p.window_probs)))
               for p in result.predictions]
    return (result.summary.top5[0][0] if result.summary.top5 else "unknown"), result.summary.label, windows


def msr_sequences(mapped_only: bool, changes: Sequence[Change] = ()) -> Iterator[tuple[str, str | None, np.ndarray]]:
    """(name, our label or None, `(3, T, 18, 1)` skeletons at MSR_FPS) of MSR's sequences."""
    for path in list_msr(SHARED / "msr-action3d"):
        sample = read_msr_skeleton(path)
        if mapped_only and sample.name.action not in MSR_TO_OURS:
            continue
        clip = msr_clip(sample)
        if not (clip.data[2] > 0).any():
            continue  # a13_s09_e02 is all zeros: no skeleton at all
        data = edited(clip.data, changes)
        yield str(sample.name), MSR_TO_OURS.get(sample.name.action), data


def mocap_sequences(mapped_only: bool, yaw: float, aspect: float = WEBCAM_ASPECT,
                    changes: Sequence[Change] = ()) -> Iterator[tuple[str, str | None, np.ndarray]]:
    """(take, our label or None, `(3, T, 18, 1)` skeletons at MOCAP_FPS) of HDM05 filmed at `yaw`
    by a webcam whose picture is `aspect` (width / height)."""
    for take in list_takes(SHARED / "mocap"):
        if mapped_only and take.label is None:
            continue
        yield take.path.stem, take.label, edited(webcam_view(read_take(take, MOCAP_FPS), yaw, aspect), changes)


def mall_sequences(mapped_only: bool) -> Iterator[tuple[str, str | None, np.ndarray]]:
    """("video/trace activity", our label or None, `(3, T, 18, 1)` at MALL_FPS) of the mall traces."""
    root = SHARED / "mall-openpose18"
    if not (root / "traces.csv").is_file():
        return  # as MSR's and HDM05's listings: a clone without the real data has none
    for trace in list_mall_traces(root):
        if trace.frames < MALL_MIN_FRAMES or (mapped_only and trace.label not in MALL_TO_OURS):
            continue
        yield f"{trace.name} {trace.label}", MALL_TO_OURS.get(trace.label), read_mall_trace(trace).data


def msr_results(model, spec, mapped_only: bool, changes: Sequence[Change] = ()):
    """(sequence, expected, top-1, shown label, windows) per MSR sequence."""
    return [(name, expected, *answers(model, spec, data, MSR_FPS))
            for name, expected, data in msr_sequences(mapped_only, changes)]


def mocap_results(model, spec, mapped_only: bool, yaw: float, aspect: float, changes: Sequence[Change] = ()):
    """(take, expected, top-1, shown label, windows) per HDM05 take."""
    return [(name, expected, *answers(model, spec, data, MOCAP_FPS))
            for name, expected, data in mocap_sequences(mapped_only, yaw, aspect, changes)]


def mall_results(model, spec, mapped_only: bool):
    """(trace, expected, top-1, shown label, windows) per mall trace."""
    return [(name, expected, *answers(model, spec, data, MALL_FPS))
            for name, expected, data in mall_sequences(mapped_only)]


def report_by_activity(rows) -> None:
    """The label shown per mall activity (the name's last word): who walks past is 'unknown'."""
    shown = defaultdict(list)
    for name, _, _, label, _ in rows:
        shown[name.rsplit(" ", 1)[-1]].append(label)
    print("| activity | traces | answered unknown | standing still | most common other answers |\n|---|---:|---:|---:|---|")
    for activity, labels in sorted(shown.items()):
        counts = Counter(labels)
        others = [(label, n) for label, n in counts.most_common() if label not in ("unknown", "standing still")]
        print(f"| {activity} | {len(labels)} | {counts['unknown'] / len(labels):.0%} | "
              f"{counts['standing still'] / len(labels):.0%} | {others[:3]} |")
    print()


def report(source: str, view: str, unit: str, rows, spec) -> None:
    """Per-class top-1 and shown-label accuracy, the confusion matrix, and the open set."""
    if not rows:
        print(f"## {source}: no sequences found under {SHARED}\n")
        return
    mapped = [(expected, top, shown) for _, expected, top, shown, _ in rows if expected]
    per_class = defaultdict(list)
    for expected, top, shown in mapped:
        per_class[expected].append((top == expected, shown == expected))
    print(f"## {source}{view}, mapped classes ({len(mapped)} {unit})\n")
    print(f"| class | {unit} | top-1 | shown label (with open-set threshold) |\n|---|---|---|---|")
    for label in sorted(per_class):
        hits = np.array(per_class[label])
        print(f"| {label} | {len(hits)} | {hits[:, 0].mean():.1%} | {hits[:, 1].mean():.1%} |")
    all_hits = np.array([h for v in per_class.values() for h in v])
    class_mean = np.mean([np.mean([h[0] for h in v]) for v in per_class.values()])
    print(f"| **all** | {len(all_hits)} | **{all_hits[:, 0].mean():.1%}** (class mean {class_mean:.1%}) | "
          f"{all_hits[:, 1].mean():.1%} |\n")
    print("Confusion (top-1):\n")
    print(markdown_confusion([(e, t) for e, t, _ in mapped], sorted(per_class)))
    unmapped = [shown for _, expected, _, shown, _ in rows if not expected]
    if unmapped:
        rejected = sum(s in ("unknown", spec.background_label) for s in unmapped)
        print(f"\nThe open set (the other actions of {source}): {rejected}/{len(unmapped)} answered unknown "
              f"({rejected / len(unmapped):.0%}); most common other answers: "
              f"{Counter(s for s in unmapped if s != 'unknown').most_common(4)}\n")


def report_windows(label: str, rows) -> None:
    """Each window's answer over the sequences of `label`: is a wrong answer the action
    itself misread, or the rest around it?"""
    print(f"Windows of the {label} sequences (top label and probability, in time order):\n")
    print("| sequence | answer | windows |\n|---|---|---|")
    for name, expected, top, _, windows in rows:
        if expected == label:
            print(f"| {name} | {top} | " + ", ".join(f"{w} {p:.2f}" for w, p in windows) + " |")
    print()


def markdown_confusion(pairs: list[tuple[str, str]], classes: list[str]) -> str:
    predicted = sorted({p for _, p in pairs})
    counts = Counter(pairs)
    lines = ["| true \\ predicted | " + " | ".join(predicted) + " |", "|---|" + "---|" * len(predicted)]
    for c in classes:
        lines.append(f"| {c} | " + " | ".join(str(counts[(c, p)] or "") for p in predicted) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=STARTER_MODEL)
    parser.add_argument("--mapped-only", action="store_true",
                        help="skip the MSR actions and mocap motions that are not ours (open-set check)")
    parser.add_argument("--no-msr", action="store_true", help="skip MSR Action3D")
    parser.add_argument("--no-mocap", action="store_true", help="skip HDM05 motion capture")
    parser.add_argument("--no-mall", action="store_true", help="skip the mall's OpenPose traces")
    parser.add_argument("--no-videos", action="store_true", help="skip the real-video part")
    parser.add_argument("--yaw", type=float, default=0.0,
                        help="degrees the webcam that films the mocap stands around the actor (0: in front)")
    parser.add_argument("--aspect", type=float, default=WEBCAM_ASPECT,
                        help="that webcam's picture width / height (default 4:3; 1.778 for 16:9)")
    parser.add_argument("--steady-body", nargs="?", const="xy", choices=("xy", "x", "y"),
                        help="diagnostic: hold the hip centre of each MSR sequence and HDM05 take still, "
                             "along both axes or only sideways (x) or up and down (y): how much do whole-body "
                             "drift and bob sway the answers?")
    parser.add_argument("--legs-hidden", action="store_true",
                        help="diagnostic: drop the knees and ankles of MSR's sequences and HDM05's takes (are "
                             "actions told by the legs named from the legs?)")
    parser.add_argument("--windows", metavar="LABEL",
                        help="also list each window's answer over the sequences of this class")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (default 1: batch-1 windows gain little from more, and lose much "
                             "when the cores are shared)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, spec = load_recognizer(args.model, device="cpu")
    changes = [without_legs] if args.legs_hidden else []
    if args.steady_body:
        changes.append(partial(without_body_shift, axes=args.steady_body))
    if not args.no_msr:
        rows = msr_results(model, spec, args.mapped_only, changes)
        report("MSR Action3D", "", "sequences", rows, spec)
        if args.windows:
            report_windows(args.windows, rows)
    if not args.no_mocap:
        rows = mocap_results(model, spec, args.mapped_only, args.yaw, args.aspect, changes)
        report("HDM05 mocap", f", webcam at {args.yaw:g}°, aspect {args.aspect:.3g}", "takes", rows, spec)
        if args.windows:
            report_windows(args.windows, rows)
    if not args.no_mall:
        rows = mall_results(model, spec, args.mapped_only)
        report("Mall OpenPose traces", "", "traces", rows, spec)
        if rows:
            report_by_activity(rows)
    if args.no_videos:
        return
    print("## Real videos through MediaPipe (none shows a starter action: 'unknown' is right)\n")
    from recognizer.pipeline import Pipeline
    from recognizer.pose import PoseEstimator
    from recognizer.video import VideoFileSource

    print("| video | answer | top-3 |\n|---|---|---|")
    for video in OPEN_SET_VIDEOS:
        if not video.exists():
            continue
        with VideoFileSource(video) as source, PoseEstimator() as pose:
            frames = [(r.skeletons, r.frame.timestamp_s) for r in Pipeline(pose).run(source)]
        result = recognize(model, spec, frames, frames[-1][1] if frames else 0.0)
        top3 = ", ".join(f"{label} {score:.0%}" for label, score in result.summary.top5[:3])
        print(f"| {video.name} | {result.summary.label} | {top3} |")


if __name__ == "__main__":
    main()
