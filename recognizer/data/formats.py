"""Kinetics-skeleton JSON: the file format of Kinetics-skeleton, our recordings and `extract`.

The format is the one ST-GCN published Kinetics-skeleton in, one JSON file per video:

    {"data": [{"frame_index": 1, "skeleton": [{"pose": [x0, y0, ..., x17, y17],
                                               "score": [s0, ..., s17]}, ...]}, ...],
     "label": "tai chi", "label_index": 346}

x and y are normalized by the frame's width and height; a joint that was not detected has
x = y = score = 0. We add two optional top-level keys, `"fps"` (a positive number) and
`"meta"` (any JSON object: source video, number of tracked persons, ...), which ST-GCN's
tools ignore.

Person order. A Kinetics-skeleton file has no person ids: within a frame, a skeleton is known
only by its position in the `"skeleton"` list. ST-GCN's feeder (`feeder_kinetics.py`) looks at
the first 5 skeletons of each frame and then sorts *each frame on its own* by that frame's
summed joint score, keeping the top 2 — so slot 0 is "the most confident skeleton of this
frame", which can be a different person from one frame to the next. We instead treat the list
position as the person's identity (our recorder writes tracked persons in stable slots), rank
positions by their mean score over the whole clip (a frame where the position is empty counts
as score 0) and keep the best `max_persons`, most confident first. On a file written by our
tracker this keeps every person's trajectory in one slot; on OpenPose output it still puts
the person seen most clearly in slot 0. ST-GCN also indexes its array with the 1-based
`frame_index` as is (leaving row 0 empty); we put frame k at row k - 1.

Every problem with a file raises `BadFileError(path, problem)` — nothing else leaks out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recognizer import atomic
from recognizer.errors import BadFileError
from recognizer.skeleton import OPENPOSE18

NUM_JOINTS = OPENPOSE18.num_joints
MAX_FRAMES = 300  # ST-GCN's Kinetics-skeleton clips are at most 300 frames (10 s at 30 fps)
_DECIMALS = 6  # written precision: 1e-6 of the frame size, below float32 resolution in [0, 1]


@dataclass
class SkeletonClip:
    """One skeleton sequence with its label: the unit every reader returns and every writer takes."""

    data: np.ndarray  # float32 (C=3, T, V=18, M): x, y normalized to [0, 1], score; missing = 0
    label: str | None = None
    label_index: int | None = None
    fps: float | None = None
    meta: dict = field(default_factory=dict)  # JSON-safe extras: source, persons, ...

    @property
    def num_frames(self) -> int:
        return int(self.data.shape[1])


def read_kinetics_json(path: str | os.PathLike, max_frames: int = MAX_FRAMES,
                       max_persons: int = 2) -> SkeletonClip:
    """Read a Kinetics-skeleton JSON file into a `(3, T, 18, max_persons)` clip.

    T is the largest `frame_index` (at most `max_frames`; later frames are dropped); frames
    missing from the list and persons absent from a frame are zeros. Person slots are chosen
    and ordered by mean score over the clip (see the module docstring). A joint with score 0
    gets x = y = 0 whatever the file says.
    """
    doc = _load_json(path)
    if not isinstance(doc, dict):
        raise BadFileError(path, f"expected a JSON object at the top, found {_kind(doc)}")
    frames = doc.get("data")
    if not isinstance(frames, list):
        raise BadFileError(path, "has no 'data' list of frames" if frames is None
                           else f"'data' must be a list of frames, found {_kind(frames)}")
    if not frames:
        raise BadFileError(path, "contains no frames ('data' is empty)")

    by_frame: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for i, frame in enumerate(frames):
        where = f"data[{i}]"
        if not isinstance(frame, dict):
            raise BadFileError(path, f"{where} must be an object, found {_kind(frame)}")
        index = frame.get("frame_index")
        if not _is_int(index) or index < 1:
            raise BadFileError(path, f"{where}: 'frame_index' must be an integer >= 1, found {index!r:.40}")
        if index in by_frame:
            raise BadFileError(path, f"{where}: frame_index {index} appears twice")
        skeletons = frame.get("skeleton")
        if not isinstance(skeletons, list):
            raise BadFileError(path, f"{where}: 'skeleton' must be a list, found {_kind(skeletons)}")
        by_frame[index] = [_read_person(path, f"{where}.skeleton[{m}]", s) for m, s in enumerate(skeletons)]

    label = doc.get("label")
    if label is not None and not isinstance(label, str):
        raise BadFileError(path, f"'label' must be a string, found {_kind(label)}")
    label_index = doc.get("label_index")
    if label_index is not None and not _is_int(label_index):
        raise BadFileError(path, f"'label_index' must be an integer, found {_kind(label_index)}")
    fps = doc.get("fps")
    if fps is not None and not (_is_number(fps) and 0 < fps < 1e6):  # also rejects NaN
        raise BadFileError(path, f"'fps' must be a positive number, found {fps!r:.40}")
    meta = doc.get("meta", {})
    if not isinstance(meta, dict):
        raise BadFileError(path, f"'meta' must be an object, found {_kind(meta)}")

    data = _to_array(by_frame, min(max(by_frame), max_frames), max_persons)
    return SkeletonClip(data=data, label=label, label_index=label_index,
                        fps=None if fps is None else float(fps), meta=meta)


def write_kinetics_json(path: str | os.PathLike, clip: SkeletonClip) -> None:
    """Write `clip` as Kinetics-skeleton JSON, atomically.

    Every frame is listed (1-based `frame_index`), so T survives a round trip. A person
    absent from a frame is left out of its `"skeleton"` list unless a later slot is present,
    in which case it is written as zeros to keep the later person's list position (= identity).
    """
    data = np.asarray(clip.data, dtype=np.float32)
    if data.ndim != 4 or data.shape[0] != 3 or data.shape[2] != NUM_JOINTS:
        raise ValueError(f"clip data must be (3, T, {NUM_JOINTS}, M), got {data.shape}")
    if data.shape[1] == 0:
        raise ValueError("clip has no frames")
    if not np.isfinite(data).all():
        raise ValueError("clip data contains NaN or infinity")
    data = np.round(data.astype(np.float64), _DECIMALS)
    present = data[2].max(axis=1) > 0  # (T, M): any joint detected
    frames = []
    for t in range(data.shape[1]):
        persons = np.flatnonzero(present[t])
        count = int(persons[-1]) + 1 if persons.size else 0
        skeletons = []
        for m in range(count):
            pose = np.empty(2 * NUM_JOINTS)
            pose[0::2], pose[1::2] = data[0, t, :, m], data[1, t, :, m]
            skeletons.append({"pose": pose.tolist(), "score": data[2, t, :, m].tolist()})
        frames.append({"frame_index": t + 1, "skeleton": skeletons})
    doc: dict[str, Any] = {"data": frames}
    if clip.label is not None:
        doc["label"] = clip.label
    if clip.label_index is not None:
        doc["label_index"] = int(clip.label_index)
    if clip.fps is not None:
        doc["fps"] = float(clip.fps)
    if clip.meta:
        doc["meta"] = clip.meta
    atomic.write_text(path, json.dumps(doc, separators=(",", ":"), allow_nan=False))


def read_label_file(path: str | os.PathLike) -> dict[str, dict]:
    """Read a Kinetics-skeleton label file: video id → {"has_skeleton", "label", "label_index"}."""
    doc = _load_json(path)
    if not isinstance(doc, dict):
        raise BadFileError(path, f"expected a JSON object of video ids, found {_kind(doc)}")
    labels = {}
    for video, entry in doc.items():
        if not isinstance(entry, dict):
            raise BadFileError(path, f"entry {video!r:.60} must be an object, found {_kind(entry)}")
        has_skeleton, label, index = entry.get("has_skeleton"), entry.get("label"), entry.get("label_index")
        if not isinstance(has_skeleton, bool):
            raise BadFileError(path, f"entry {video!r:.60}: 'has_skeleton' must be true or false")
        if not isinstance(label, str):
            raise BadFileError(path, f"entry {video!r:.60}: 'label' must be a string")
        if not _is_int(index):
            raise BadFileError(path, f"entry {video!r:.60}: 'label_index' must be an integer")
        labels[video] = {"has_skeleton": has_skeleton, "label": label, "label_index": index}
    return labels


def read_ascii_text(path: str | os.PathLike, kind: str) -> str:
    """The whole text of a plain-ASCII data file (`kind`: "skeleton file", ...), or a
    `BadFileError` that says why it cannot be read, in the words every reader uses."""
    try:
        return Path(path).read_text(encoding="ascii")
    except FileNotFoundError:
        raise BadFileError(path, "does not exist") from None
    except IsADirectoryError:
        raise BadFileError(path, f"is a folder, not a {kind}") from None
    except UnicodeDecodeError:
        raise BadFileError(path, f"is not a text {kind}") from None
    except OSError as error:
        raise BadFileError(path, f"cannot be read ({error.strerror or error})") from None


def _load_json(path: str | os.PathLike) -> Any:
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise BadFileError(path, "is a folder, not a JSON file") from None
    except FileNotFoundError:
        raise BadFileError(path, "does not exist") from None
    except OSError as error:
        raise BadFileError(path, f"cannot be read ({error.strerror or error})") from None
    if not raw.strip():
        raise BadFileError(path, "is empty")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise BadFileError(path, "is not text (not UTF-8 JSON)") from None
    except json.JSONDecodeError as error:
        truncated = error.pos >= len(raw.rstrip()) or error.msg.startswith("Unterminated string")
        problem = "is truncated" if truncated else "is not valid JSON"
        raise BadFileError(path, f"{problem} (line {error.lineno}, column {error.colno}: {error.msg})") from None
    except RecursionError:
        raise BadFileError(path, "is nested too deeply to be a skeleton file") from None


def _read_person(path, where: str, person: Any) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(person, dict):
        raise BadFileError(path, f"{where} must be an object, found {_kind(person)}")
    pose, score = person.get("pose"), person.get("score")
    for name, values, length in (("pose", pose, 2 * NUM_JOINTS), ("score", score, NUM_JOINTS)):
        if not isinstance(values, list):
            raise BadFileError(path, f"{where}: '{name}' must be a list, found {_kind(values)}")
        if len(values) != length:
            raise BadFileError(path, f"{where}: '{name}' has {len(values)} values, expected {length}")
        if not all(_is_number(v) for v in values):
            raise BadFileError(path, f"{where}: '{name}' must contain only numbers")
    try:
        pose_array = np.array(pose, dtype=np.float64)
        score_array = np.array(score, dtype=np.float64)
    except OverflowError:
        raise BadFileError(path, f"{where}: contains a number too large for a coordinate") from None
    if not (np.isfinite(pose_array).all() and np.isfinite(score_array).all()):
        raise BadFileError(path, f"{where}: contains NaN or infinity")
    if ((score_array < 0) | (score_array > 1)).any():
        raise BadFileError(path, f"{where}: 'score' values must lie in [0, 1]")
    if (np.abs(pose_array) > 1e6).any():
        raise BadFileError(path, f"{where}: 'pose' values are out of range for normalized coordinates")
    return pose_array, score_array


def _to_array(by_frame: dict[int, list[tuple[np.ndarray, np.ndarray]]], num_frames: int,
              max_persons: int) -> np.ndarray:
    slots = max((len(s) for s in by_frame.values()), default=0)
    full = np.zeros((3, num_frames, NUM_JOINTS, max(slots, 1)), dtype=np.float32)
    for index, persons in by_frame.items():
        if index > num_frames:
            continue
        for m, (pose, score) in enumerate(persons):
            full[0, index - 1, :, m] = pose[0::2]
            full[1, index - 1, :, m] = pose[1::2]
            full[2, index - 1, :, m] = score
    full[:2] *= full[2:3] > 0  # missing joints are exactly zero
    # Rank list positions by mean score over the clip; a stable sort keeps ties in file order.
    order = np.argsort(-full[2].mean(axis=(0, 1)), kind="stable")[:max_persons]
    out = np.zeros((3, num_frames, NUM_JOINTS, max_persons), dtype=np.float32)
    out[..., :len(order)] = full[..., order]
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            type(None): "null"}.get(type(value), "a number")
