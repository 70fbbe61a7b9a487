"""`SyntheticDataset`: generated clips on the fly, the same clip for the same (seed, index)."""

from __future__ import annotations

import numpy as np
import torch.utils.data

from recognizer.data.synthetic.motion import OTHER_LABEL, STARTER_CLASSES, generate_clip


class SyntheticDataset(torch.utils.data.Dataset):
    """`n_per_class` clips of each class (and `n_other` "other" clips), generated when asked for.

    Item `i` is `(float32 (C=3, T, V=18, M=1), label index into self.labels)`; its clip
    depends only on `(seed, i)`, so workers, epochs and machines agree. Lengths vary
    (about 1–10 s at `fps`) unless `seconds` fixes them (a number) or bounds them (a
    `(low, high)` range drawn uniformly per clip: a model that sees 2-s windows live
    learns best from clips of about that length, see docs/generator.md). Classes are
    interleaved, so any prefix of the dataset is balanced.
    """

    def __init__(self, n_per_class: int, seed: int = 0, classes: tuple[str, ...] = STARTER_CLASSES,
                 include_other: bool = True, *, n_other: int | None = None,
                 seconds: float | tuple[float, float] | None = None, fps: float = 30.0):
        self.labels: list[str] = list(classes) + ([OTHER_LABEL] if include_other else [])
        counts = [n_per_class] * len(classes)
        if include_other:
            counts.append(n_per_class if n_other is None else n_other)
        label_of = np.concatenate([np.full(n, j) for j, n in enumerate(counts)]).astype(int)
        rank = np.concatenate([(np.arange(n) + 0.5) / n for n in counts if n > 0]) if label_of.size else np.zeros(0)
        self._label_of = label_of[np.argsort(rank, kind="stable")]
        self.seed = seed
        self.seconds = tuple(seconds) if isinstance(seconds, list) else seconds  # a JSON range arrives as a list
        self.fps = fps

    @property
    def targets(self) -> list[int]:
        """The label index of every item, known without generating anything."""
        return self._label_of.tolist()

    def __len__(self) -> int:
        return int(self._label_of.shape[0])

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        if not 0 <= index < len(self):
            raise IndexError(index)
        label = int(self._label_of[index])
        rng = np.random.default_rng([self.seed, index])
        seconds = rng.uniform(*self.seconds) if isinstance(self.seconds, tuple) else self.seconds
        return generate_clip(self.labels[label], rng, seconds=seconds, fps=self.fps), label
