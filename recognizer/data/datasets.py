"""Torch datasets of skeleton clips: `(x float32 (C, T, V, M), label int)` ready for a model.

Every dataset reads clips in the file convention, augments them (training only, NumPy, see
`augment.py`) and runs the one preprocessing path (`recognizer.preprocess.Preprocessing`),
so training sees exactly what the live engine feeds the model.

A bad sample never stops training: files are read once when the dataset is built, and any
that fail (`BadFileError`), hold no person, or carry an unusable label are left out and
listed in `dataset.skipped` as `(path, problem)`. Should a file go bad later, `__getitem__`
records it (in a DataLoader worker: in that worker's copy) and serves the next good sample. A dataset with nothing usable left is a
`LiveactionError` that says why.

Randomness (augmentation and the training crop) is drawn from torch's global generator, which
DataLoader seeds differently in every worker and epoch: seed torch once and a run replays.
"""

from __future__ import annotations

import abc
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from recognizer.data.augment import Augment
from recognizer.data.formats import MAX_FRAMES, SkeletonClip, read_kinetics_json, read_label_file
from recognizer.data.ntu import (
    in_split,
    ntu_clip,
    parse_ntu_name,
    read_ntu_skeleton,
    read_sample_list,
)
from recognizer.errors import BadFileError, LiveactionError
from recognizer.preprocess import Preprocessing
from recognizer.skeleton import LAYOUTS

GENERATORS = ("synthetic",)
SYNTHETIC_PER_CLASS = {"train": 200, "val": 40}  # clips per class when `--data synthetic` gives no size
NTU_MISSING_LIST = "samples_with_missing_skeletons.txt"


class SkeletonDataset(Dataset, abc.ABC):
    """What every dataset here shares: labels, skipped samples, augment + preprocess.

    Subclasses fill `self.labels` (class names, index = class id) and `self.names` (path or
    name per sample, for messages), provide `targets` (class id per sample, for samplers and
    summaries) and implement `_load`.
    """

    def __init__(self, preprocessing: Preprocessing, augment: Augment | None, train: bool, max_persons: int):
        self.preprocessing = preprocessing
        self.augment = augment
        self.train = train
        self.max_persons = max_persons
        self.labels: list[str] = []
        self.names: list[str] = []
        self.skipped: list[tuple[str, str]] = []

    @abc.abstractmethod
    def _load(self, index: int) -> tuple[np.ndarray, int]:
        """Sample `index` as (raw clip `(3, T, V, max_persons)`, class id); raises BadFileError."""

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        for attempt in range(len(self)):
            j = (index + attempt) % len(self)
            try:
                data, target = self._load(j)
            except BadFileError as error:
                self.skipped.append((self.names[j], error.problem))
                continue
            return self._prepare(data, target)
        raise LiveactionError(f"none of the {len(self)} samples can be read any more")

    def _prepare(self, data: np.ndarray, target: int) -> tuple[torch.Tensor, int]:
        if not self.train:
            return self.preprocessing.apply_test(torch.from_numpy(np.ascontiguousarray(data))), target
        seed = int(torch.randint(0, 2**62, ()).item())
        if self.augment is not None:
            data, label = self.augment(data, self.labels[target], np.random.default_rng(seed))
            target = self._label_index[label]
        generator = torch.Generator().manual_seed(seed)
        return self.preprocessing.apply_train(torch.from_numpy(np.ascontiguousarray(data)), generator), target

    def _finish(self, source: str) -> None:
        """Validate the collected samples: non-empty, and mirror label pairs within the labels."""
        self._label_index = {name: i for i, name in enumerate(self.labels)}
        if not len(self):
            detail = f"; first problem: {self.skipped[0][0]}: {self.skipped[0][1]}" if self.skipped else ""
            raise LiveactionError(f"{source}: no usable samples ({len(self.skipped)} skipped{detail})")
        if self.augment is not None:
            for pair in self.augment.mirror_label_pairs:
                if sum(name in self._label_index for name in pair) == 1:
                    raise ValueError(f"mirror label pair {pair} has only one label in this dataset")

    def _check(self, data: np.ndarray, name: str) -> np.ndarray | None:
        """`data` fitted to max_persons, or None (and recorded as skipped) if it is unusable."""
        V = LAYOUTS[self.preprocessing.layout].num_joints
        if not isinstance(data, np.ndarray) or data.ndim != 4 or data.shape[0] != 3 or data.shape[2] != V:
            self.skipped.append((name, f"expected an array (3, T, {V}, M), got {getattr(data, 'shape', type(data))}"))
            return None
        if data.shape[1] == 0 or data.shape[3] == 0 or not (data[2] > 0).any():
            self.skipped.append((name, "no person in any frame"))
            return None
        if not np.isfinite(data).all():
            self.skipped.append((name, "contains NaN or infinity"))
            return None
        return _fit_persons(data.astype(np.float32, copy=False), self.max_persons)


class KineticsJsonFolder(SkeletonDataset):
    """A folder of Kinetics-skeleton JSON files (Kinetics-skeleton, our recordings, the clip library).

    Labels come from each file's "label" or, when `label_file` is given (the Kinetics
    `*_label.json`: video id → {has_skeleton, label, label_index}), from that file; videos
    it marks `has_skeleton: false` are left out. A label file missing any of the folder's
    videos, or disagreeing with a file's own label, does not belong to the folder: that is a
    `BadFileError`. `labels` fixes the class order (e.g. Kinetics' label_name.txt, or a base
    model's labels when fine-tuning); samples with other labels are skipped. Without it the
    classes are ordered by their label_index, then by name.
    """

    def __init__(self, folder: str | os.PathLike, labels: Sequence[str] | None = None,
                 label_file: str | os.PathLike | None = None, *, preprocessing: Preprocessing = Preprocessing(),
                 augment: Augment | None = None, train: bool = False, max_persons: int = 2,
                 max_frames: int = MAX_FRAMES, cache: bool = False):
        super().__init__(preprocessing, augment, train, max_persons)
        self.folder = Path(folder)
        self.max_frames = max_frames
        self.targets: list[int] = []
        if not self.folder.is_dir():
            raise BadFileError(self.folder, "is not a folder")
        exclude = Path(label_file).resolve() if label_file is not None else None
        paths = sorted(p for p in self.folder.glob("*.json") if p.resolve() != exclude)
        entries = read_label_file(label_file) if label_file is not None else None
        if entries is not None:
            missing = [p.stem for p in paths if p.stem not in entries]
            if missing:
                raise BadFileError(label_file, f"does not match {self.folder}: {len(missing)} of its "
                                               f"{len(paths)} JSON files have no entry (e.g. {missing[0]!r})")

        found: list[tuple[Path, str, int | None, np.ndarray | None]] = []  # data kept only to cache
        for path in paths:
            if entries is not None and not entries[path.stem]["has_skeleton"]:
                continue
            try:
                clip = self._read(path)
            except BadFileError as error:
                self.skipped.append((str(path), error.problem))
                continue
            label, index = clip.label, clip.label_index
            if entries is not None:
                entry = entries[path.stem]
                if label is not None and label != entry["label"]:
                    raise BadFileError(label_file, f"does not match {self.folder}: it labels {path.name} "
                                                   f"{entry['label']!r} but the file says {label!r}")
                label, index = entry["label"], entry["label_index"]
            if label is None:
                self.skipped.append((str(path), "has no label (and no label file gives one)"))
                continue
            data = self._check(clip.data, str(path))
            if data is not None:
                found.append((path, label, index, data if cache else None))

        self.labels = list(labels) if labels is not None else _order_labels((f[1], f[2]) for f in found)
        index_of = {name: i for i, name in enumerate(self.labels)}
        self._paths: list[Path] = []
        self._cache: list[np.ndarray] | None = [] if cache else None
        for path, label, _, data in found:
            if label not in index_of:
                self.skipped.append((str(path), f"label {label!r} is not one of the {len(self.labels)} labels"))
                continue
            self._paths.append(path)
            self.names.append(str(path))
            self.targets.append(index_of[label])
            if self._cache is not None:
                self._cache.append(data)
        self._finish(str(self.folder))

    def _read(self, path: Path) -> SkeletonClip:
        return read_kinetics_json(path, max_frames=self.max_frames, max_persons=self.max_persons)

    def _load(self, index: int) -> tuple[np.ndarray, int]:
        if self._cache is not None:
            return self._cache[index], self.targets[index]
        return self._read(self._paths[index]).data, self.targets[index]


class NtuFolder(SkeletonDataset):
    """NTU RGB+D `.skeleton` files (searched recursively) as 18-joint 2-D clips, one benchmark split.

    `benchmark` is "xsub" (cross-subject) or "xview" (cross-view), `split` "train" or "val"
    (NTU-60's protocol). Samples named in `ignore_list` — by default the folder's own
    `samples_with_missing_skeletons.txt` when it has one — are left out, as the protocol
    does; empty or broken files are skipped in any case. Class k is action A(k+1), named
    from `action_names` when given.
    """

    def __init__(self, folder: str | os.PathLike, split: str = "train", benchmark: str = "xsub", *,
                 action_names: Sequence[str] | None = None, ignore_list: str | os.PathLike | None = None,
                 preprocessing: Preprocessing = Preprocessing(), augment: Augment | None = None,
                 train: bool = False, max_persons: int = 2, max_frames: int = MAX_FRAMES, cache: bool = False):
        super().__init__(preprocessing, augment, train, max_persons)
        self.folder = Path(folder)
        self.max_frames = max_frames
        self.targets: list[int] = []
        if not self.folder.is_dir():
            raise BadFileError(self.folder, "is not a folder")
        if ignore_list is None and (self.folder / NTU_MISSING_LIST).is_file():
            ignore_list = self.folder / NTU_MISSING_LIST
        ignored = read_sample_list(ignore_list) if ignore_list is not None else frozenset()
        self._action_names = list(action_names) if action_names is not None else None

        found: list[tuple[Path, int, np.ndarray | None]] = []  # data kept only to cache
        max_action = 0
        for path in sorted(self.folder.rglob("*.skeleton")):
            try:
                name = parse_ntu_name(path)
            except BadFileError as error:
                self.skipped.append((str(path), error.problem))
                continue
            if str(name) in ignored or not in_split(name, benchmark, split):
                continue
            try:
                data = self._read(path)
            except BadFileError as error:
                self.skipped.append((str(path), error.problem))
                continue
            data = self._check(data, str(path))
            if data is not None:
                found.append((path, name.action - 1, data if cache else None))
                max_action = max(max_action, name.action)

        count = len(action_names) if action_names is not None else (60 if max_action <= 60 else 120)
        self.labels = [action_names[i] if action_names is not None else f"A{i + 1:03d}" for i in range(count)]
        self._paths = []
        self._cache = [] if cache else None
        for path, target, data in found:
            if target >= count:
                self.skipped.append((str(path), f"action A{target + 1:03d} has no name among the {count} given"))
                continue
            self._paths.append(path)
            self.names.append(str(path))
            self.targets.append(target)
            if self._cache is not None:
                self._cache.append(data)
        self._finish(f"{self.folder} ({benchmark} {split})")

    def _read(self, path: Path) -> np.ndarray:
        data = ntu_clip(read_ntu_skeleton(path, max_bodies=self.max_persons)).data
        return data[:, :self.max_frames]

    def _load(self, index: int) -> tuple[np.ndarray, int]:
        if self._cache is not None:
            return self._cache[index], self.targets[index]
        return self._read(self._paths[index]), self.targets[index]


class ArrayDataset(SkeletonDataset):
    """Clips already in memory: generator output, the app's clip library, tests.

    `arrays[i]` is `(3, T, V, M)` in the file convention with class id `targets[i]` into
    `labels`. Unusable arrays (wrong shape, NaN, nobody in any frame) are skipped and listed
    under `names[i]` (default `#i`).
    """

    def __init__(self, arrays: Sequence[np.ndarray], targets: Sequence[int], labels: Sequence[str], *,
                 names: Sequence[str] | None = None, preprocessing: Preprocessing = Preprocessing(),
                 augment: Augment | None = None, train: bool = False, max_persons: int = 2):
        super().__init__(preprocessing, augment, train, max_persons)
        if len(arrays) != len(targets) or (names is not None and len(names) != len(arrays)):
            raise ValueError(f"{len(arrays)} arrays, {len(targets)} targets"
                             + ("" if names is None else f", {len(names)} names"))
        self.labels = list(labels)
        self.targets: list[int] = []
        self._arrays: list[np.ndarray] = []
        for i, (array, target) in enumerate(zip(arrays, targets)):
            if not 0 <= int(target) < len(self.labels):
                raise ValueError(f"target {target} of sample {i} is not a class id (0–{len(self.labels) - 1})")
            name = names[i] if names is not None else f"#{i}"
            data = self._check(np.asarray(array) if not isinstance(array, np.ndarray) else array, name)
            if data is not None:
                self._arrays.append(data)
                self.targets.append(int(target))
                self.names.append(name)
        self._finish(f"{len(arrays)} clips")

    @classmethod
    def from_clips(cls, clips: Sequence[SkeletonClip], labels: Sequence[str] | None = None, *,
                   names: Sequence[str] | None = None, **kwargs) -> ArrayDataset:
        """Clips labelled by name; `labels` fixes the class order (default: sorted label names).

        Clips without a label, or with one outside `labels`, are skipped.
        """
        names = list(names) if names is not None else [str(c.meta.get("name", f"#{i}")) for i, c in enumerate(clips)]
        labels = list(labels) if labels is not None else sorted({c.label for c in clips if c.label is not None})
        index_of = {name: i for i, name in enumerate(labels)}
        usable = [i for i, c in enumerate(clips) if c.label in index_of]
        skipped = [(names[i], "has no label" if c.label is None else
                    f"label {c.label!r} is not one of the {len(labels)} labels")
                   for i, c in enumerate(clips) if c.label not in index_of]
        if not usable:
            detail = f"; first problem: {skipped[0][0]}: {skipped[0][1]}" if skipped else ""
            raise LiveactionError(f"{len(clips)} clips: no usable samples ({len(skipped)} skipped{detail})")
        dataset = cls([clips[i].data for i in usable], [index_of[clips[i].label] for i in usable], labels,
                      names=[names[i] for i in usable], **kwargs)
        dataset.skipped[:0] = skipped
        return dataset

    def _load(self, index: int) -> tuple[np.ndarray, int]:
        return self._arrays[index], self.targets[index]


class GeneratedDataset(SkeletonDataset):
    """A generator's clips made model-ready: augmented (training) and preprocessed like files.

    `source` is a map-style dataset of raw `((3, T, V, M) array, class id)` pairs with a
    `labels` list, such as `recognizer.data.synthetic.SyntheticDataset`; clips are made when
    asked for, so nothing is generated up front.
    """

    def __init__(self, source, *, preprocessing: Preprocessing = Preprocessing(), augment: Augment | None = None,
                 train: bool = False, max_persons: int = 2):
        super().__init__(preprocessing, augment, train, max_persons)
        self.source = source
        self.labels = list(source.labels)
        self.names = [f"{type(source).__name__} #{i}" for i in range(len(source))]
        self._finish(f"{type(source).__name__} of {len(source)} clips")

    @property
    def targets(self) -> list[int]:
        """Class id per sample: the source's `targets` when it has them, else generated (slow)."""
        known = getattr(self.source, "targets", None)
        return [int(t) for t in known] if known is not None else [int(self.source[i][1]) for i in range(len(self))]

    def _load(self, index: int) -> tuple[np.ndarray, int]:
        data, target = self.source[index]
        return _fit_persons(np.asarray(data, dtype=np.float32), self.max_persons), int(target)


def open_dataset(spec: str, *, split: str = "train", **kwargs) -> SkeletonDataset:
    """Resolve a command line `--data SPEC` to a dataset.

    SPEC is a generator name (`synthetic`), a folder with NTU `.skeleton` files, or a folder of
    Kinetics-skeleton JSON files (with `<folder>_label.json` beside it used as its label file,
    as Kinetics-skeleton is published). `split` ("train" or "val") selects the NTU benchmark
    split and the generator's seed stream; a JSON folder is used whole. Other keyword
    arguments go to the dataset class (`preprocessing`, `augment`, `train`, `max_persons`,
    and for NTU `benchmark`); for a generator, the rest (`n_per_class`, `seed`, ...) go to
    the generator.
    """
    if spec in GENERATORS:
        return _open_generator(split, kwargs)
    path = Path(spec)
    if not path.exists():
        raise LiveactionError(f"--data {spec}: no such folder, and not a generator name ({', '.join(GENERATORS)})")
    if not path.is_dir():
        raise LiveactionError(f"--data {spec}: not a folder; give a folder of Kinetics-skeleton .json or "
                              f"NTU .skeleton files, or a generator name ({', '.join(GENERATORS)})")
    if next(path.rglob("*.skeleton"), None) is not None:
        return NtuFolder(path, split=split, **kwargs)
    if next(path.glob("*.json"), None) is not None:
        sibling = path.parent / f"{path.resolve().name}_label.json"
        if "label_file" not in kwargs and sibling.is_file():
            kwargs["label_file"] = sibling
        return KineticsJsonFolder(path, **kwargs)
    raise LiveactionError(f"--data {spec}: the folder has no Kinetics-skeleton .json or NTU .skeleton files")


def _open_generator(split: str, kwargs: dict) -> GeneratedDataset:
    """`synthetic`: SyntheticDataset clips; train and val draw from different seeds.

    `n_per_class` sizes both splits unless `val_per_class` sizes the validation split on its
    own (so a large training set need not make every epoch's validation as slow); without
    either, SYNTHETIC_PER_CLASS applies.
    """
    from recognizer.data.synthetic import SyntheticDataset

    if split not in SYNTHETIC_PER_CLASS:
        raise ValueError(f"split must be one of {tuple(SYNTHETIC_PER_CLASS)}, got {split!r}")
    common = {k: kwargs.pop(k) for k in ("preprocessing", "augment", "train", "max_persons") if k in kwargs}
    sizes = {"train": kwargs.pop("n_per_class", None), "val": kwargs.pop("val_per_class", None)}
    kwargs["n_per_class"] = (sizes["val"] if split == "val" else None) or sizes["train"] or SYNTHETIC_PER_CLASS[split]
    seed = 2 * kwargs.pop("seed", 0) + (split == "val")  # distinct (seed, split) → distinct streams
    return GeneratedDataset(SyntheticDataset(seed=seed, **kwargs), **common)


def _order_labels(found) -> list[str]:
    """Class names ordered by their smallest label_index (those without one last), then by name."""
    rank: dict[str, float] = {}
    for name, index in found:
        rank[name] = min(rank.get(name, float("inf")), float("inf") if index is None else index)
    return sorted(rank, key=lambda name: (rank[name], name))


def _fit_persons(data: np.ndarray, persons: int) -> np.ndarray:
    """Pad with absent persons or drop the last ones so that M == persons."""
    M = data.shape[3]
    if M >= persons:
        return data[..., :persons]
    return np.concatenate([data, np.zeros(data.shape[:3] + (persons - M,), data.dtype)], axis=3)
