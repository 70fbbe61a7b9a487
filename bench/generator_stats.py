"""Does generated motion look like real motion? Compare the synthetic generator with real data.

Real data (calibration and evaluation only, never training): MSR Action3D `real3d` Kinect
skeletons (metric 3-D, assumed 15 fps) and HDM05 motion capture (ASF/AMC, 120 Hz, taken
at 30 fps), both in `../shared/data`; optionally MediaPipe run on the shared videos.

Sections (all by default; pick with --only):
- speed: milliseconds to generate a clip;
- bones: bone-length ratios (3-D, relative to the torso: mid-shoulder to mid-hip);
- motion: per-class motion figures of matching actions — joint speeds relative to the
  hips (torso lengths per second and m/s), range of motion, repetition frequency;
- kick: how a kick is done — how high the kicking knee comes, whether the kicking foot
  starts behind the other (a split stance), how far the hips go forward into the kick;
- jitter: detector jitter of still joints, MSR Action3D against generated clips;
- shape: 2-D clip shapes as the model sees them (centred and scaled once per clip) of MSR
  Action3D's mapped classes against generated depth-sensor clips at 15 fps: how high the
  wrists go and where they spend the clip, how wide they travel, hip and neck drop, the
  hips' sideways drift, leg motion (this is where the rest around each MSR performance and
  its bends' lost legs show);
- mediapipe: visibility, jitter and (world-landmark) proportions of MediaPipe on the shared videos;
- classifier: a nearest-class-mean classifier on per-joint statistics and a small temporal
  CNN, trained on generated clips only and tested on MSR Action3D's mapped classes (a
  cheap early check that generated motion resembles real motion through a model's eyes);
- starter-cnn: the same small CNN trained on all the starter model's labels ("other"
  included, 1.5–3.5 s at 15 fps), once per seed of --seeds, tested on MSR Action3D's and
  HDM05's mapped classes: the confusions the starter model can make, in half a minute per
  seed instead of a GPU run. Seeds differ by ±5 points,
  so compare means over several.

    .venv/bin/python bench/generator_stats.py [--only bones,motion] [--clips 40] [--train-clips 200]
        [--window 1.5,3.5 | none] [--seed 0] [--seeds 0,1,2,3]
"""

from __future__ import annotations

import argparse
import re
import time
import warnings
from pathlib import Path

import numpy as np

from recognizer.data.hdm05 import HDM05_TO_OURS, hips_facing, list_takes, read_take, webcam_view
from recognizer.data.synthetic import OTHER_LABEL, STARTER_CLASSES, generate_clip, generate_motion, render
from recognizer.skeleton import MEDIAPIPE33_TO_OPENPOSE18, OPENPOSE18, map_to_openpose18, mirror_permutation

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FPS = 30.0
MSR_FPS = 15.0
J = {name: i for i, name in enumerate(OPENPOSE18.joints)}

# MSR Action3D actions that match a starter class (action number → class).
MSR_CLASSES = {1: "waving one hand", 11: "waving both hands", 10: "clapping", 5: "punching", 12: "punching",
               14: "kicking", 15: "kicking", 13: "bending forward", 16: "jogging in place"}


# ---------------------------------------------------------------- real data as (T, 18, 3) metres, Y up

# MSR `real3d` row of each OpenPose-18 joint (the face joints all take the head, row 19).
_MSR_ROWS = [19, None, 1, 8, 10, 0, 7, 9, 5, 14, 16, 4, 13, 15, 19, 19, 19, 19]


def load_msr(root: Path) -> list[tuple[int, int, np.ndarray]]:
    """(action, subject, joints `(T, 18, 3)`) for every `real3d` file; lost-tracking frames dropped."""
    out = []
    for path in sorted((root / "real3d").glob("a??_s??_e??_skeleton3D.txt")):
        action, subject = (int(x) for x in re.findall(r"\d+", path.name)[:2])
        raw = np.loadtxt(path).reshape(-1, 20, 4)[..., :3]  # (T, 20, 3) X right, Y up, Z away
        raw = raw[np.abs(raw).sum(axis=(1, 2)) > 0]
        if len(raw) < 8:
            continue
        joints = np.empty((len(raw), 18, 3))
        for target, row in enumerate(_MSR_ROWS):
            if row is not None:
                joints[:, target] = raw[:, row]
        joints[:, 1] = 0.5 * (raw[:, 0] + raw[:, 1])  # OpenPose's neck: mid-shoulders
        out.append((action, subject, joints * np.array([-1.0, 1.0, -1.0])))  # face +Z, X = the left
    return out


def load_hdm05(root: Path) -> list[tuple[str, str, np.ndarray]]:
    """(folder, actor, joints `(T, 18, 3)` at 30 fps) for the takes of the matching classes."""
    return [(take.folder, take.actor, read_take(take, FPS)) for take in list_takes(root) if take.label]


# ---------------------------------------------------------------- figures


def hip_centre(joints: np.ndarray) -> np.ndarray:
    """Mid-hip point `(T, 3)` of joints `(T, 18, 3)`."""
    return 0.5 * (joints[:, J["right_hip"]] + joints[:, J["left_hip"]])


def torso(joints: np.ndarray) -> np.ndarray:
    """Mid-shoulder to mid-hip length `(T,)`."""
    return np.linalg.norm(joints[:, J["neck"]] - hip_centre(joints), axis=-1)


RATIOS = {"shoulder width": ("right_shoulder", "left_shoulder"), "hip width": ("right_hip", "left_hip"),
          "upper arm": ("right_shoulder", "right_elbow"), "forearm": ("right_elbow", "right_wrist"),
          "thigh": ("right_hip", "right_knee"), "shin": ("right_knee", "right_ankle")}


def bone_ratios(joints: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame bone length / torso length for each entry of RATIOS."""
    t = torso(joints)
    return {name: np.linalg.norm(joints[:, J[a]] - joints[:, J[b]], axis=-1) / t for name, (a, b) in RATIOS.items()}


def motion_figures(joints: np.ndarray, fps: float) -> dict[str, float]:
    """Figures of one clip: speeds relative to the hips, ranges, repetition frequency."""
    t = np.median(torso(joints))
    hips = hip_centre(joints)
    rel = joints - hips[:, None]  # (T, 18, 3): locomotion removed
    speed = np.linalg.norm(np.diff(rel, axis=0), axis=-1) * fps  # (T-1, 18) m/s
    wrists, ankles = [J["right_wrist"], J["left_wrist"]], [J["right_ankle"], J["left_ankle"]]
    wrist = wrists[int(np.argmax(np.percentile(speed[:, wrists], 90, axis=0)))]
    ankle = ankles[int(np.argmax(np.percentile(speed[:, ankles], 90, axis=0)))]
    busy = wrist if np.percentile(speed[:, wrist], 90) >= np.percentile(speed[:, ankle], 90) else ankle
    track = rel[:, busy] - rel[:, busy].mean(axis=0)
    axis = np.linalg.svd(track, full_matrices=False)[2][0]  # the joint's main direction of motion
    signal = track @ axis
    window = int(fps) | 1  # 1 s moving average: removes raising the arm before waving, etc.
    fast = signal - np.convolve(np.pad(signal, window // 2, mode="edge"), np.ones(window) / window, mode="valid")
    return {
        "wrist p90 (torso/s)": np.percentile(speed[:, wrist], 90) / t,
        "wrist p90 (m/s)": np.percentile(speed[:, wrist], 90),
        "ankle p90 (torso/s)": np.percentile(speed[:, ankle], 90) / t,
        "wrist range (torso)": np.ptp(rel[:, wrist], axis=0).max() / t,
        "ankle range (torso)": np.ptp(rel[:, ankle], axis=0).max() / t,
        "hip drop (torso)": (np.percentile(hips[:, 1], 95) - np.percentile(hips[:, 1], 5)) / t,
        "frequency (Hz)": _peak(signal, fps, 0.15),
        "fast freq. (Hz)": _peak(fast, fps, 0.7),
    }


def kick_figures(joints: np.ndarray) -> dict[str, float]:
    """Figures of one kick `(T, 18, 3)`; the kicking leg is the one whose ankle rises most."""
    t = np.median(torso(joints))
    hips = hip_centre(joints)  # (T, 3)
    hip_height = np.median(hips[:, 1]) - joints[..., 1].min()
    facing = hips_facing(joints[0])
    ankles, knees = [J["right_ankle"], J["left_ankle"]], [J["right_knee"], J["left_knee"]]
    kicking = int(np.argmax(joints[:, ankles, 1].max(axis=0) - np.median(joints[:, ankles, 1], axis=0)))
    ahead = (joints[:, ankles[kicking]] - joints[:, ankles[1 - kicking]]) @ facing  # (T,) kicking foot ahead
    forward = (hips - hips[0]) @ facing  # (T,)
    knee = joints[:, knees[kicking], 1]
    return {"knee up (hip heights)": (knee.max() - np.median(knee)) / hip_height,
            "kicking foot ahead at the start (torso)": ahead[:3].mean() / t,
            "hips forward at the most (torso)": forward.max() / t}


def _peak(signal: np.ndarray, fps: float, low: float) -> float:
    """Frequency of the strongest spectral peak between `low` and 5 Hz (NaN for short clips)."""
    if len(signal) < 20:
        return np.nan
    n = max(512, len(signal))
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal)), n=n))
    freqs = np.fft.rfftfreq(n, 1.0 / fps)
    band = (freqs >= low) & (freqs <= 5.0)
    return float(freqs[band][np.argmax(spectrum[band])])


def _table(rows: list[tuple[str, dict[str, float]]], columns: list[str]) -> None:
    print("| |" + "|".join(f" {c} " for c in columns) + "|")
    print("|---|" + "---:|" * len(columns))
    for name, values in rows:
        print(f"| {name} |" + "|".join(f" {values[c]:.2f} " if c in values else " " for c in columns) + "|")


def _summary(figures: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.nanmedian([f[k] for f in figures])) for k in figures[0]}


# ---------------------------------------------------------------- sections


def _cells(torso_m: np.ndarray, ratios: list[np.ndarray]) -> str:
    cells = [f"{np.median(v):.2f} [{np.percentile(v, 10):.2f},{np.percentile(v, 90):.2f}]" for v in [torso_m] + ratios]
    return "|".join(f" {c} " for c in cells)


def section_bones(msr, hdm, rng: np.random.Generator, n: int) -> None:
    print("\n## Bone-length ratios (3-D, / torso = mid-shoulder to mid-hip): median [p10, p90]")
    print("| | torso (m) |" + "|".join(f" {name} " for name in RATIOS) + "|")
    print("|---|" + "---|" * (len(RATIOS) + 1))
    firsts = {}
    for _, actor, joints in hdm:
        firsts.setdefault(actor, joints[:1])
    sources = {"MSR Action3D (Kinect, all frames)": np.concatenate([j for _, _, j in msr]),
               "HDM05 mocap (5 actors, rest frame)": np.concatenate(list(firsts.values()))}
    for name, joints in sources.items():
        print(f"| {name} |" + _cells(torso(joints), list(bone_ratios(joints).values())) + "|")
    motions = [generate_motion("standing still", rng, seconds=0.5) for _ in range(n)]
    for depth in (False, True):
        bodies = [m.body for m in motions if m.depth_sensor == depth]
        t = np.array([b.torso for b in bodies])
        lengths = [[2 * b.shoulder_half for b in bodies], [2 * b.hip_half for b in bodies],
                   [b.upper_arm for b in bodies], [b.forearm for b in bodies], [b.thigh for b in bodies],
                   [b.shin for b in bodies]]
        name = f"generated, {'depth sensor' if depth else 'webcam'} ({len(bodies)} bodies)"
        print(f"| {name} |" + _cells(t, [np.array(v) / t for v in lengths]) + "|")


def section_motion(msr, hdm, rng: np.random.Generator, n: int) -> None:
    columns = ["wrist p90 (torso/s)", "wrist p90 (m/s)", "ankle p90 (torso/s)", "wrist range (torso)",
               "ankle range (torso)", "hip drop (torso)", "frequency (Hz)", "fast freq. (Hz)"]
    print("\n## Motion of matching actions: medians over clips (speeds relative to the hips)")
    names = (DATA / "msr-action3d" / "action_names.txt").read_text().split("\n")
    for label in dict.fromkeys(list(MSR_CLASSES.values()) + list(HDM05_TO_OURS.values())):
        rows = []
        for action, target in MSR_CLASSES.items():
            if target == label:
                figs = [motion_figures(j, MSR_FPS) for a, _, j in msr if a == action]
                rows.append((f"MSR {names[action - 1]} ({len(figs)})", _summary(figs)))
        for folder, target in HDM05_TO_OURS.items():
            if target == label:
                figs = [motion_figures(j, FPS) for f, _, j in hdm if f == folder]
                rows.append((f"HDM05 {folder[:18]} ({len(figs)})", _summary(figs)))
        figs = [motion_figures(generate_motion(label, rng).joints, FPS) for _ in range(n)]
        generated = np.array([f["wrist p90 (m/s)"] for f in figs])
        for _, values in rows:  # where a real median falls among the generated clips
            values["gen. percentile of wrist m/s"] = 100.0 * np.mean(generated < values["wrist p90 (m/s)"])
        rows.append((f"generated ({n})", _summary(figs)))
        print(f"\n### {label}")
        _table(rows, columns + ["gen. percentile of wrist m/s"])


def section_mediapipe() -> None:
    """Proportions, visibility and jitter of MediaPipe's landmarks on the shared videos."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from recognizer.pose import PoseConfig, landmarks_to_array, to_openpose18
    from recognizer.video import VideoFileSource

    print("\n## MediaPipe on the shared videos (OpenPose-18 after our mapping)")
    for name in ("ta_chi.mp4", "clean_and_jerk.mp4"):
        config = PoseConfig()  # the app's settings: looking for 2 people makes MediaPipe jitter more
        options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(config.model_path)),
                                               running_mode=vision.RunningMode.VIDEO, num_poses=config.max_persons)
        frames, world = [], []
        with VideoFileSource(DATA / "videos" / name) as source, \
                vision.PoseLandmarker.create_from_options(options) as landmarker:
            for frame in source.frames():
                image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame.rgb))
                result = landmarker.detect_for_video(image, int(round(frame.timestamp_s * 1000)))  # as PoseEstimator
                found = to_openpose18(landmarks_to_array(result.pose_landmarks))
                size = frame.rgb.shape[1::-1]
                frames.append(found[0] if len(found) else np.zeros((18, 3), np.float32))
                if result.pose_world_landmarks:  # metric 3-D, 33 landmarks, mapped like the 2-D ones
                    points = np.array([(p.x, p.y, p.z, 1.0) for p in result.pose_world_landmarks[0]])
                    world.append(map_to_openpose18(points, MEDIAPIPE33_TO_OPENPOSE18)[:, :3])
        x = np.array(frames)  # (T, 18, 3)
        seen = x[:, :, 2] > 0
        pixels = x[..., :2] * np.array(size)
        t = np.median(torso(np.concatenate([pixels, np.zeros_like(pixels[..., :1])], -1)))
        smooth = np.stack([np.convolve(pixels[:, v, k], np.ones(5) / 5, mode="same")
                           for v in range(18) for k in (0, 1)], -1).reshape(len(x), 18, 2)
        jitter = np.linalg.norm(pixels - smooth, axis=-1)[2:-2] / t
        print(f"\n{name}: person in {np.mean(seen.any(axis=1)):.0%} of {len(x)} frames, torso {t:.0f} px")
        print("  visibility median / p10 per joint: " + ", ".join(
            f"{OPENPOSE18.joints[v]} {np.median(x[seen[:, v], v, 2]):.2f}/{np.percentile(x[seen[:, v], v, 2], 10):.2f}"
            for v in (0, 3, 4, 6, 7, 9, 10, 12, 13)))
        print("  jitter (distance to a 5-frame mean, / torso) median: " + ", ".join(
            f"{OPENPOSE18.joints[v]} {np.median(jitter[:, v]):.4f}" for v in (0, 2, 4, 7, 8, 10, 13)))
        share, shoulders, hips = _glitches(x.transpose(2, 0, 1)[..., None], size[0] / size[1])
        print(f"  {share:.2%} of joint-frames > 0.1 torso from their 5-frame median; left/right order flips "
              f"per 300 frames: shoulders {shoulders:.1f}, hips {hips:.1f}")
        world = np.array(world)  # (T, 18, 3) metres
        ratios = bone_ratios(world)
        print(f"  world landmarks: torso {np.median(torso(world)):.2f} m; / torso: " + ", ".join(
            f"{k} {np.median(v):.2f}" for k, v in ratios.items()))


def _jitter(clip: np.ndarray) -> np.ndarray | None:
    """Median distance of each joint to its 5-frame moving mean, / the clip's median torso: `(18,)`."""
    x = clip[..., 0].astype(float)  # (3, T, 18)
    present = x[2] > 0
    body = present[:, 1] & present[:, 8] & present[:, 11]
    if body.sum() < 10:
        return None
    hips = 0.5 * (x[:2, body, 8] + x[:2, body, 11])
    xy = x[:2] / np.median(np.linalg.norm(x[:2, body, 1] - hips, axis=0))
    mean = np.apply_along_axis(lambda v: np.convolve(v, np.ones(5) / 5, mode="same"), 1, xy)
    distance = np.linalg.norm(xy - mean, axis=0)[2:-2]  # (T-4, 18)
    seen = present[2:-2] & present[:-4] & present[4:]  # the whole window present
    return np.array([np.median(distance[seen[:, v], v]) if seen[:, v].sum() > 3 else np.nan for v in range(18)])


def _glitches(clip: np.ndarray, aspect: float) -> tuple[float, float, float]:
    """Share of joint-frames > 0.1 torso from their 5-frame median, and left/right order flips of
    the shoulders and hips per 300 frames, of a clip `(3, T, 18, 1)` (fast motion counts too)."""
    x = clip[..., 0].astype(float)
    xy = x[:2].transpose(1, 2, 0) * np.array([aspect, 1.0])  # (T, 18, 2), square units
    present = x[2] > 0
    body = present[:, 1] & present[:, 8] & present[:, 11]
    if body.sum() < 5:
        return np.nan, np.nan, np.nan
    t = np.median(np.linalg.norm(xy[body, 1] - 0.5 * (xy[body, 8] + xy[body, 11]), axis=-1))
    median5 = np.median(np.stack([xy[i:len(xy) - 4 + i] for i in range(5)]), axis=0)  # frames 2 … T-3
    seen = np.stack([present[i:len(xy) - 4 + i] for i in range(5)]).all(axis=0)
    far = (np.linalg.norm(xy[2:-2] - median5, axis=-1) / t > 0.1)[seen]
    if far.size == 0:
        return np.nan, np.nan, np.nan
    flips = []
    for side in ("shoulder", "hip"):
        both = present[:, J[f"right_{side}"]] & present[:, J[f"left_{side}"]]
        sign = np.sign(xy[both, J[f"right_{side}"], 0] - xy[both, J[f"left_{side}"], 0])
        flips.append((np.diff(sign) != 0).sum() * 300.0 / max(len(xy), 1))
    return float(far.mean()), flips[0], flips[1]


def section_kick(msr, hdm, rng: np.random.Generator, n: int) -> None:
    """How MSR's, HDM05's and generated kicks are done (`kick_figures`), medians over clips."""
    rows = [(f"MSR {name} ({sum(a == action for a, _, _ in msr)})",
             _summary([kick_figures(j) for a, _, j in msr if a == action]))
            for action, name in ((14, "forward kick"), (15, "side kick"))]
    figs = [kick_figures(j) for f, _, j in hdm if HDM05_TO_OURS.get(f) == "kicking"]
    rows.append((f"HDM05 front kick ({len(figs)})", _summary(figs)))
    rows.append((f"generated ({n})", _summary([kick_figures(generate_motion("kicking", rng).joints)
                                                for _ in range(n)])))
    print("\n## Kicks: medians over clips")
    _table(rows, list(rows[0][1]))


def section_jitter(rng: np.random.Generator, n: int) -> None:
    """Detector jitter of joints that hardly move in arm actions: MSR Action3D against generated clips."""
    from recognizer.data.msr import list_msr, msr_to_openpose18, read_msr_skeleton

    arm_actions = {1: "waving one hand", 5: "punching", 10: "clapping", 11: "waving both hands"}
    joints = ["nose", "neck", "right_hip", "left_hip", "right_ankle", "left_ankle"]
    print("\n## Jitter: median distance to a 5-frame mean / torso, arm actions (high arm wave, forward punch, "
          "hand clap, two hand wave)")
    print("| |" + "|".join(f" {j} " for j in joints) + "|")
    print("|---|" + "---:|" * len(joints))
    rows = {"MSR Action3D skeleton20 (15 fps)": [
        _jitter(msr_to_openpose18(read_msr_skeleton(p))) for p in list_msr(DATA / "msr-action3d")
        if int(p.name[1:3]) in arm_actions]}
    webcam, depth = [], []
    while len(webcam) < n or len(depth) < n:
        motion = generate_motion(list(arm_actions.values())[len(webcam + depth) % 4], rng)
        (depth if motion.depth_sensor else webcam).append(_jitter(render(motion, rng)))
    rows[f"generated, depth sensor ({n})"] = depth[:n]
    rows[f"generated, webcam ({n})"] = webcam[:n]
    for name, values in rows.items():
        median = np.nanmedian(np.array([v for v in values if v is not None]), axis=0)
        print(f"| {name} |" + "|".join(f" {median[J[j]]:.4f} " for j in joints) + "|")
    glitches = []
    for i in range(n):  # webcam clips of every class: outliers and left/right flips
        motion = generate_motion(STARTER_CLASSES[i % len(STARTER_CLASSES)], rng)
        if not motion.depth_sensor:
            glitches.append(_glitches(render(motion, rng), 4 / 3))
    share, shoulders, hips = np.nanmean(glitches, axis=0)
    print(f"\ngenerated webcam clips ({len(glitches)}, all classes): {share:.2%} of joint-frames > 0.1 torso from "
          f"their 5-frame median; left/right order flips per 300 frames: shoulders {shoulders:.1f}, hips {hips:.1f}")


def _msr_mapped() -> list[tuple[str, np.ndarray]]:
    """(starter class, 2-D clip `(3, T, 18, 1)`) of every MSR Action3D sequence of a matching
    action that has a skeleton at all (`skeleton20` through `recognizer.data.msr`)."""
    from recognizer.data.msr import list_msr, msr_to_openpose18, read_msr_skeleton

    out = []
    for path in list_msr(DATA / "msr-action3d"):
        sample = read_msr_skeleton(path)
        if sample.name.action in MSR_CLASSES and sample.present.any():
            out.append((MSR_CLASSES[sample.name.action], msr_to_openpose18(sample)))
    return out


def _hdm05_mapped() -> list[tuple[str, np.ndarray]]:
    """(starter class, 2-D clip `(3, T, 18, 1)` at 15 fps) of every HDM05 take of a matching
    class, as a webcam in front of the actor sees it."""
    return [(take.label, webcam_view(read_take(take, MSR_FPS))) for take in list_takes(DATA / "mocap") if take.label]


def _centred(clip: np.ndarray) -> np.ndarray | None:
    """`(T, 18, 2)` of a 2-D clip `(3, T, 18, 1)` centred once on its median hip centre and
    scaled once by its median torso length (not per frame: that would erase the body's own
    vertical motion); absent joints are NaN. None when fewer than two frames show the neck
    and both hips."""
    x = clip[:2, :, :, 0].transpose(1, 2, 0).astype(float)  # (T, 18, 2)
    present = clip[2, :, :, 0] > 0  # (T, 18)
    body = present[:, 1] & present[:, 8] & present[:, 11]
    if body.sum() < 2:
        return None
    hips = 0.5 * (x[body, 8] + x[body, 11])
    x = (x - np.median(hips, axis=0)) / max(np.median(np.linalg.norm(x[body, 1] - hips, axis=-1)), 1e-3)
    x[~present] = np.nan
    return x


def _shape(clip: np.ndarray) -> dict[str, float] | None:
    """2-D figures of a clip `(3, T, 18, 1)` (15 fps) as `_centred` gives it (y down, so a
    raised wrist is negative); None when it has no body to centre on."""
    x = _centred(clip)
    if x is None:
        return None
    wrists, ankles = x[:, [4, 7]], x[:, [10, 13]]  # (T, 2, 2)
    hip_x, hip_y = np.nanmean(x[:, [8, 11], 0], axis=1), np.nanmean(x[:, [8, 11], 1], axis=1)
    neck_y = x[:, 1, 1]

    def spread(v: np.ndarray) -> np.ndarray:  # p95 − p5 over time
        return np.nanpercentile(v, 95, axis=0) - np.nanpercentile(v, 5, axis=0)

    return {
        "highest wrist": float(np.nanmin(wrists[..., 1])),
        "median wrist y": float(np.nanmedian(wrists[..., 1])),
        "wrist x range": float(np.nanmax(spread(wrists[..., 0]))),
        "hands apart, p95": float(np.nanpercentile(np.abs(wrists[:, 0, 0] - wrists[:, 1, 0]), 95)),
        "wrist speed p90 (/s)": float(np.nanpercentile(np.linalg.norm(np.diff(wrists, axis=0), axis=-1) * MSR_FPS, 90)),
        "hip drop": float(spread(hip_y)),
        "hip drift": float(spread(hip_x)),
        "neck drop": float(spread(neck_y)),
        "ankle y range": float(np.nanmax(spread(ankles[..., 1]))),
    }


def section_shape(rng: np.random.Generator, n: int) -> None:
    """MSR Action3D's mapped classes against generated depth-sensor clips, as the model sees them."""
    with warnings.catch_warnings():  # joints never seen in a clip give all-NaN medians
        warnings.simplefilter("ignore", RuntimeWarning)
        _print_shapes(rng, n)


def _print_shapes(rng: np.random.Generator, n: int) -> None:
    from recognizer.data.synthetic import motion

    real: dict[str, list[dict[str, float]]] = {}
    for label, clip in _msr_mapped():
        figures = _shape(clip)
        if figures is not None:
            real.setdefault(label, []).append(figures)
    generated = {}
    for label in sorted(real):
        figures = []
        while len(figures) < n:
            item = motion.generate_motion(label, rng, seconds=float(rng.uniform(1.5, 4.0)), fps=MSR_FPS)
            shape = _shape(motion.render(item, rng)) if item.depth_sensor else None
            if shape is not None:
                figures.append(shape)
        generated[label] = figures
    columns = list(next(iter(real.values()))[0])
    print(f"\n## Clip shapes in 2-D (torso lengths, per-clip centre and scale; medians over clips): "
          f"MSR Action3D against {n} generated depth-sensor clips (1.5–4 s, 15 fps) per class\n")
    print("| | " + " | ".join(columns) + " |\n|---|" + "---:|" * len(columns))
    for label in sorted(real):
        for name, rows in ((f"MSR {label} ({len(real[label])})", real[label]), ("generated", generated[label])):
            print(f"| {name} | " + " | ".join(f"{np.nanmedian([r[c] for r in rows]):.2f}" for c in columns) + " |")


def _features(clip: np.ndarray) -> np.ndarray:
    """Simple per-joint statistics of a 2-D clip `(3, T, 18, 1)`.

    The clip as `_centred` gives it. Per joint and axis: median position, spread (p95 − p5),
    standard deviation and mean speed per second of clip, robust to the detector's outliers.
    """
    x = _centred(clip)
    if x is None:
        return np.zeros(18 * 2 * 4)
    speed = np.abs(np.diff(x, axis=0)) * (len(x) / 2.0)  # per 2 s of clip, so clip length does not matter
    with warnings.catch_warnings():  # joints never seen in a clip give all-NaN columns, zeroed below
        warnings.simplefilter("ignore", RuntimeWarning)
        stats = [np.nanmedian(x, axis=0), np.nanpercentile(x, 95, axis=0) - np.nanpercentile(x, 5, axis=0),
                 np.nanstd(x, axis=0), np.nanmedian(speed, axis=0)]
    return np.nan_to_num(np.concatenate([s.ravel() for s in stats]))


def _sequence(clip: np.ndarray, frames: int = 32) -> np.ndarray:
    """`(3, T, 18, 1)` → `float32 (5*18, frames)`: x, y (centred and scaled once per clip), score,
    and x, y velocity, linearly resized in time."""
    x = clip[..., 0].astype(float)  # (3, T, 18)
    present = x[2] > 0
    body = present[:, 1] & present[:, 8] & present[:, 11]
    out = np.zeros((5, frames, 18))
    if body.sum() >= 2:
        hips = 0.5 * (x[:2, body, 8] + x[:2, body, 11])  # (2, T_body)
        scale = max(np.median(np.linalg.norm(x[:2, body, 1] - hips, axis=0)), 1e-3)
        xy = (x[:2] - np.median(hips, axis=1)[:, None, None]) / scale * present
        grid = np.linspace(0, x.shape[1] - 1, frames)
        lo = np.floor(grid).astype(int)
        hi, w = np.minimum(lo + 1, x.shape[1] - 1), (grid - lo)[:, None]
        out[:2] = xy[:, lo] * (1 - w) + xy[:, hi] * w
        out[2] = present[lo] * (1 - w) + present[hi] * w
        out[3:] = np.diff(out[:2], axis=1, prepend=out[:2, :1])
    return out.transpose(0, 2, 1).reshape(5 * 18, frames).astype(np.float32)  # (C*V, frames)


def _fit_cnn(x: np.ndarray, y: np.ndarray, classes: int, seed: int, epochs: int = 20):
    """A small temporal CNN with mirror augmentation; returns a predict function."""
    import torch

    torch.manual_seed(seed)
    mirror = np.arange(5 * 18).reshape(5, 18)[:, mirror_permutation(OPENPOSE18)].ravel()
    flip_x = np.ones(5 * 18, np.float32)
    flip_x[0:18] = flip_x[54:72] = -1.0  # x and x-velocity change sign
    model = torch.nn.Sequential(
        torch.nn.Conv1d(5 * 18, 96, 5, padding=2), torch.nn.BatchNorm1d(96), torch.nn.ReLU(),
        torch.nn.Conv1d(96, 128, 5, padding=2, stride=2), torch.nn.BatchNorm1d(128), torch.nn.ReLU(),
        torch.nn.Conv1d(128, 128, 3, padding=1), torch.nn.BatchNorm1d(128), torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool1d(1), torch.nn.Flatten(), torch.nn.Dropout(0.3), torch.nn.Linear(128, classes))
    steps = epochs * ((len(x) + 63) // 64)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, 3e-3, total_steps=steps)
    inputs, targets = torch.tensor(x), torch.tensor(y)
    for _ in range(epochs):
        model.train()
        for batch in torch.randperm(len(x)).split(64):
            xb = inputs[batch].clone()
            flip = torch.rand(len(batch)) < 0.5
            xb[flip] = xb[flip][:, mirror] * torch.tensor(flip_x)[:, None]
            loss = torch.nn.functional.cross_entropy(model(xb), targets[batch], label_smoothing=0.1)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    model.eval()

    def predict(z: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.tensor(z)).argmax(1).numpy()

    return predict


def _window(clip: np.ndarray, rng: np.random.Generator, seconds: tuple[float, float] | None) -> np.ndarray:
    """A random window of `seconds` (low, high) of a clip `(3, T, 18, 1)`, as a sliding window
    (and MSR's 2–3 s clips) see it; None keeps the whole clip.

    Squashing a 10-s clip into the same 32 frames as a 2-s one teaches the model another
    time scale than the one it is tested on."""
    if seconds is None:
        return clip
    frames = int(rng.uniform(*seconds) * FPS)
    if clip.shape[1] <= frames:
        return clip
    start = int(rng.integers(0, clip.shape[1] - frames + 1))
    return clip[:, start:start + frames]


def section_classifier(rng: np.random.Generator, n: int, seed: int, window: tuple[float, float] | None) -> None:
    """Classifiers trained on generated clips only, tested on MSR Action3D's matching classes."""
    labels = sorted(set(MSR_CLASSES.values()))
    cut = f"random {window[0]}–{window[1]} s windows" if window else "whole clips"
    print(f"\n## Sanity classifiers: {n} generated clips per class of the {len(labels)} MSR-matched classes "
          f"({cut}), tested on MSR Action3D (2-D skeleton20 through recognizer.data.msr)")
    start = time.perf_counter()
    clips = [_window(generate_clip(label, rng), rng, window) for label in labels for _ in range(n)]
    target = np.repeat(np.arange(len(labels)), n)
    print(f"generated {len(clips)} clips in {time.perf_counter() - start:.1f} s")
    mapped = _msr_mapped()
    real = [clip for _, clip in mapped]
    truth = np.array([labels.index(label) for label, _ in mapped])
    train = np.array([_features(c) for c in clips])
    test = np.array([_features(c) for c in real])
    mean, std = train.mean(axis=0), train.std(axis=0) + 1e-6
    train, test = (train - mean) / std, (test - mean) / std
    centroids = np.stack([train[target == k].mean(axis=0) for k in range(len(labels))])
    start = time.perf_counter()
    cnn = _fit_cnn(np.stack([_sequence(c) for c in clips]), target, len(labels), seed)
    print(f"trained the temporal CNN in {time.perf_counter() - start:.0f} s")
    guesses = {
        "nearest class mean on per-joint statistics": np.argmin(
            np.linalg.norm(test[:, None] - centroids[None], axis=-1), axis=1),
        "small temporal CNN (3 conv layers, 32 frames)": cnn(np.stack([_sequence(c) for c in real])),
    }
    for name, guess in guesses.items():
        confusion = np.zeros((len(labels), len(labels)), int)
        np.add.at(confusion, (truth, guess), 1)
        print(f"\n{name}: top-1 on {len(truth)} MSR clips {np.mean(guess == truth):.1%} (chance {1 / len(labels):.1%})")
        print("| true \\ guess |" + "|".join(f" {label} " for label in labels) + "|")
        print("|---|" + "---:|" * len(labels))
        for k, label in enumerate(labels):
            print(f"| {label} |" + "|".join(f" {c} " for c in confusion[k]) + "|")


def section_starter_cnn(n: int, seeds: list[int]) -> None:
    """The small CNN on all starter labels, per seed: top-1 (argmax over all labels) on MSR's
    mapped classes and on HDM05's, the mocap seen by a webcam in front."""
    labels = list(STARTER_CLASSES) + [OTHER_LABEL]
    sources = {"MSR Action3D": _msr_mapped(), "HDM05 (webcam in front)": _hdm05_mapped()}
    real = {name: (np.stack([_sequence(clip) for _, clip in clips]),
                   np.array([labels.index(label) for label, _ in clips])) for name, clips in sources.items()}
    scores: dict[str, list[float]] = {name: [] for name in sources}
    rows: dict[str, list[str]] = {name: [] for name in sources}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        clips = [_sequence(generate_clip(label, rng, fps=MSR_FPS, seconds=float(rng.uniform(1.5, 3.5))))
                 for label in labels for _ in range(n)]
        predict = _fit_cnn(np.stack(clips), np.repeat(np.arange(len(labels)), n), len(labels), seed)
        for name, (x, truth) in real.items():
            guess = predict(x)
            scores[name].append(np.mean(guess == truth))
            per_class = [np.mean(guess[truth == c] == c) for c in sorted(set(truth))]
            cells = " | ".join(f"{v:.0%}" for v in per_class)
            rows[name].append(f"| {seed} | {scores[name][-1]:.1%} | {cells} |")
    for name, (_, truth) in real.items():
        tested = [labels[c] for c in sorted(set(truth))]
        print(f"\n## Small temporal CNN on all {len(labels)} starter labels ({n} generated clips each, 1.5–3.5 s, "
              f"15 fps), tested on {len(truth)} {name} clips of the mapped classes\n")
        print("| seed | top-1 | " + " | ".join(tested) + " |\n|---|---:|" + "---:|" * len(tested))
        print("\n".join(rows[name]))
        print(f"\nmean top-1 over {len(seeds)} seeds: {np.mean(scores[name]):.1%}")


def section_speed(rng: np.random.Generator, n: int) -> None:
    """Time to generate one clip (all classes and "other" in turn), with the frames it has."""
    labels = STARTER_CLASSES + (OTHER_LABEL,)
    generate_clip(labels[0], rng)  # warm up
    times, frames = [], []
    for i in range(n):
        start = time.perf_counter()
        frames.append(generate_clip(labels[i % len(labels)], rng).shape[1])
        times.append(time.perf_counter() - start)
    times = np.array(times) * 1e3
    print(f"\n## Speed: {n} clips, {np.mean(times):.2f} ms per clip on average (median {np.median(times):.2f}, "
          f"p95 {np.percentile(times, 95):.2f}), {np.mean(frames):.0f} frames per clip on average, "
          f"{np.sum(frames) / (np.sum(times) / 1e3):.0f} frames/s, one process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="speed,bones,motion,kick,jitter,shape,mediapipe,classifier,starter-cnn")
    parser.add_argument("--clips", type=int, default=40, help="generated clips per class for the motion figures")
    parser.add_argument("--train-clips", type=int, default=200, help="generated clips per class for the classifiers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", default="0,1,2,3", help="seeds of the starter-cnn section, comma-separated")
    parser.add_argument("--window", default="1.5,3.5",
                        help="classifier training windows in seconds, 'low,high', or 'none' for whole clips")
    args = parser.parse_args()
    only = set(args.only.split(","))
    rng = np.random.default_rng(args.seed)
    msr = load_msr(DATA / "msr-action3d") if only & {"bones", "motion", "kick"} else []
    hdm = load_hdm05(DATA / "mocap") if only & {"bones", "motion", "kick"} else []
    if "speed" in only:
        section_speed(rng, 480)
    if "bones" in only:
        section_bones(msr, hdm, rng, 2000)
    if "motion" in only:
        section_motion(msr, hdm, rng, args.clips)
    if "kick" in only:
        section_kick(msr, hdm, rng, args.clips)
    if "jitter" in only:
        section_jitter(rng, args.clips)
    if "shape" in only:
        section_shape(rng, args.clips)
    if "mediapipe" in only:
        section_mediapipe()
    if "classifier" in only:
        window = None if args.window == "none" else tuple(float(v) for v in args.window.split(","))
        section_classifier(rng, args.train_clips, args.seed, window)
    if "starter-cnn" in only:
        section_starter_cnn(args.train_clips, [int(v) for v in args.seeds.split(",")])
    assert OTHER_LABEL not in MSR_CLASSES.values() and set(MSR_CLASSES.values()) <= set(STARTER_CLASSES)


if __name__ == "__main__":
    main()
