"""Export clips to the pyskl / mmaction2 skeleton annotation pickle, so our recordings train there.

The layout pyskl's `PoseDataset` loads (`tools/data/README.md` of pyskl):

    {"split": {"train": [frame_dir, ...], "val": [...]},
     "annotations": [{"frame_dir": str, "label": int, "img_shape": (h, w),
                      "original_shape": (h, w), "total_frames": T,
                      "keypoint": float32 (M, T, V, 2) in pixels,
                      "keypoint_score": float32 (M, T, V)}, ...]}

Writing a pickle is fine: it is data we hand to another tool. Nothing in liveaction ever
loads one. Arrays are pickled so that numpy 1.x can load them too (pyskl environments are
old): numpy 2 would reference `numpy._core.multiarray`, a module numpy < 1.26 lacks.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Mapping, Sequence

import numpy as np

from recognizer import atomic
from recognizer.data.formats import SkeletonClip


def export_pyskl(path: str | os.PathLike, clips: Sequence[SkeletonClip], names: Sequence[str],
                 split: Mapping[str, Sequence[str]] | None = None,
                 img_shape: tuple[int, int] = (1080, 1920)) -> None:
    """Write `clips` as a pyskl annotation pickle, atomically.

    `names` are the clips' unique ids (`frame_dir`); `split` maps split names to ids (default:
    everything in "train"); `img_shape` is (height, width) in pixels, used to turn our
    normalized x, y back into pixels. Persons never present in a clip are dropped (at least
    one is kept). Every clip needs a `label_index`.
    """
    if len(names) != len(clips):
        raise ValueError(f"{len(clips)} clips but {len(names)} names")
    if len(set(names)) != len(names):
        raise ValueError("clip names must be unique")
    split = {"train": list(names)} if split is None else {k: list(v) for k, v in split.items()}
    unknown = {n for ids in split.values() for n in ids} - set(names)
    if unknown:
        raise ValueError(f"split names clips that are not exported: {sorted(unknown)[:5]}")
    height, width = img_shape
    annotations = []
    for name, clip in zip(names, clips):
        if clip.label_index is None:
            raise ValueError(f"clip {name!r} has no label_index; pyskl needs integer labels")
        data = np.asarray(clip.data, dtype=np.float32)  # (3, T, V, M)
        seen = data[2].max(axis=(0, 1)) > 0  # (M,)
        keep = np.flatnonzero(seen) if seen.any() else np.array([0])
        persons = data[..., keep].transpose(3, 1, 2, 0)  # (M', T, V, 3)
        annotations.append({
            "frame_dir": name,
            "label": int(clip.label_index),
            "img_shape": (height, width),
            "original_shape": (height, width),
            "total_frames": int(data.shape[1]),
            "keypoint": np.ascontiguousarray(persons[..., :2] * np.array([width, height], np.float32)),
            "keypoint_score": np.ascontiguousarray(persons[..., 2]),
        })
    buffer = io.BytesIO()
    _PortablePickler(buffer, protocol=4).dump({"split": split, "annotations": annotations})
    atomic.write_bytes(path, buffer.getvalue())


class _PortablePickler(pickle.Pickler):
    """Pickles ndarrays as `numpy.ndarray` + `__setstate__`, names both numpy 1.x and 2.x know."""

    def reducer_override(self, obj):
        if type(obj) is np.ndarray:
            return np.ndarray, ((0,), "b"), obj.__reduce__()[2]
        return NotImplemented
