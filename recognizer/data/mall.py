"""Real OpenPose-18 traces of shoppers (`mall-openpose18`): a real detector's output, for evaluation.

Why this source: MSR Action3D comes from a depth sensor and HDM05 from motion capture that
we film with a virtual webcam; these traces are what a real 2-D pose detector (Lightweight
OpenPose) made of real people walking, standing and sitting, at a distance and often from
behind. None of them does one of our actions except, arguably, *standing*, so they test the
open-set answer on people who walk past a camera, which the starter model must call
"unknown".

Layout (`shared/data/README.md`, section 4): `traces.csv` lists `video, trace, label_id,
label, frames`; each trace is a folder `<video>/<trace>/` with `X.txt`, one line of 36
comma-separated floats per frame (`x0,y0,...,x17,y17`, OpenPose-18 order, pixels in the
640×426 picture) and `Y.txt`, the label id on every line. A joint the detector missed is
written `-1.0,-1.0`. There are no scores: a present joint scores 1. A frame whose box gave
no pose was skipped by the upstream extraction (about 0.5 %), which we cannot restore.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recognizer.data.formats import SkeletonClip, read_ascii_text
from recognizer.errors import BadFileError

IMAGE_SIZE = (640, 426)  # (width, height) of the mall videos, in pixels
FPS = 30.0  # constant frame rate of the mall videos, as the upstream docs give it
COLUMNS = ("video", "trace", "label_id", "label", "frames")


@dataclass(frozen=True)
class MallTrace:
    """One labelled person track, as `traces.csv` lists it."""

    video: str  # "1_carosello", ...
    trace: int
    label: str  # "walking_slow", "standing", ...
    frames: int
    folder: Path  # holds X.txt and Y.txt

    @property
    def name(self) -> str:
        return f"{self.video}/{self.trace}"


def list_mall_traces(root: str | os.PathLike) -> list[MallTrace]:
    """Every trace `root/traces.csv` lists, in its order."""
    path = Path(root, "traces.csv")
    try:
        with path.open(encoding="utf-8", newline="") as file:
            rows = list(csv.DictReader(file))
    except FileNotFoundError:
        raise BadFileError(path, "does not exist") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise BadFileError(path, f"cannot be read ({getattr(error, 'strerror', None) or error})") from None
    if not rows or tuple(rows[0]) != COLUMNS:
        raise BadFileError(path, f"is not a trace list with the columns {', '.join(COLUMNS)}")
    try:
        return [MallTrace(row["video"], int(row["trace"]), row["label"], int(row["frames"]),
                          Path(root, row["video"], row["trace"])) for row in rows]
    except (TypeError, ValueError):
        raise BadFileError(path, "has a trace or frame count that is not a whole number") from None


def _read_lines(path: Path) -> list[str]:
    return [line for line in read_ascii_text(path, "trace file").splitlines() if line.strip()]


def read_mall_trace(trace: MallTrace) -> SkeletonClip:
    """The trace as an 18-joint clip `(3, T, 18, 1)`: x, y divided by 640×426, score 1 when present.

    Checks that X.txt has 36 numbers a line, that Y.txt labels every frame and that both agree
    with `traces.csv`, so a damaged copy is named rather than scored.
    """
    x_path, y_path = trace.folder / "X.txt", trace.folder / "Y.txt"
    lines = _read_lines(x_path)
    if not lines:
        raise BadFileError(x_path, "is empty")
    rows = [line.split(",") for line in lines]
    bad = next((i for i, row in enumerate(rows) if len(row) != 36), None)
    if bad is not None:
        raise BadFileError(x_path, f"line {bad + 1} has {len(rows[bad])} values, expected 36 (x, y of 18 joints)")
    try:
        values = np.array(rows, dtype=np.float64)  # (T, 36)
    except ValueError:
        raise BadFileError(x_path, "contains a value that is not a number") from None
    xy = values.reshape(-1, 18, 2)  # (T, 18, 2) pixels
    if not np.isfinite(xy).all():
        raise BadFileError(x_path, "contains NaN or infinity")
    labels = _read_lines(y_path)
    if len(labels) != len(xy):
        raise BadFileError(y_path, f"labels {len(labels)} frames, but X.txt holds {len(xy)}")
    if len(xy) != trace.frames:
        raise BadFileError(x_path, f"holds {len(xy)} frames, but traces.csv says {trace.frames}")
    present = ~(xy == -1.0).all(axis=-1)  # (T, 18)
    width, height = IMAGE_SIZE
    data = np.zeros((3, len(xy), 18, 1), dtype=np.float32)
    data[0, ..., 0] = np.where(present, xy[..., 0] / width, 0.0)
    data[1, ..., 0] = np.where(present, xy[..., 1] / height, 0.0)
    data[2, ..., 0] = present
    return SkeletonClip(data=data, label=trace.label, fps=FPS,
                        meta={"source": "mall-openpose18", "name": trace.name})
