"""PersonTracker: keeps each person in the same slot across frames.

MediaPipe returns the people of a frame in no stable order, but the model reads person m
of a window as one continuous body. The tracker matches each frame's detections to the
slots of the previous frames by joint distance (measured in body sizes, so it works near
and far from the camera), keeps a slot reserved for a person who drops out briefly, and
frees it after `max_missing` frames so someone new can take it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

MIN_SCORE = 0.1  # joints below this score are treated as not seen


@dataclass(frozen=True)
class Tracked:
    """One frame after tracking: `skeletons` `(max_persons, 18, 3)` with zeros for empty
    slots, and `ids[m]` the persistent identity in slot m (None when empty)."""

    skeletons: np.ndarray
    ids: tuple[int | None, ...]


def body_size(skeleton: np.ndarray) -> float:
    """Diagonal of the box around the seen joints of one `(V, 3)` skeleton (0 if none)."""
    seen = skeleton[skeleton[:, 2] >= MIN_SCORE, :2]
    if len(seen) < 2:
        return 0.0
    return float(np.linalg.norm(seen.max(axis=0) - seen.min(axis=0)))


def match_cost(a: np.ndarray, b: np.ndarray) -> float:
    """Mean distance between joints seen in both `(V, 3)` skeletons, in body sizes (inf if none shared)."""
    both = (a[:, 2] >= MIN_SCORE) & (b[:, 2] >= MIN_SCORE)
    if not both.any():
        return float("inf")
    scale = max(body_size(a), body_size(b), 1e-3)
    return float(np.linalg.norm(a[both, :2] - b[both, :2], axis=-1).mean() / scale)


class PersonTracker:
    def __init__(self, max_persons: int = 2, max_missing: int = 15, max_cost: float = 0.75):
        self.max_persons = max_persons
        self.max_missing = max_missing  # frames a slot stays reserved for a person who vanished
        self.max_cost = max_cost  # a detection further than this (in body sizes) is someone else
        self.reset()

    def reset(self) -> None:
        """Forget everyone (a new source or a seek)."""
        self._last: list[np.ndarray | None] = [None] * self.max_persons
        self._missing = [0] * self.max_persons
        self._ids: list[int | None] = [None] * self.max_persons
        self._next_id = 0

    def _best_assignment(self, detections: np.ndarray) -> dict[int, int]:
        """Detection index → slot index for the occupied slots, cheapest total cost first.

        With at most a handful of people, trying every assignment is exact and cheap.
        """
        occupied = [s for s in range(self.max_persons) if self._last[s] is not None]
        best: dict[int, int] = {}
        best_key = (0, 0.0)
        for k in range(1, min(len(occupied), len(detections)) + 1):
            for slots in itertools.permutations(occupied, k):
                for dets in itertools.combinations(range(len(detections)), k):
                    costs = [match_cost(detections[d], self._last[s]) for d, s in zip(dets, slots)]
                    if max(costs) > self.max_cost:
                        continue
                    key = (-k, sum(costs))  # most matches first, then least total cost
                    if not best or key < best_key:
                        best, best_key = dict(zip(dets, slots)), key
        return best

    def update(self, detections: np.ndarray) -> Tracked:
        """`(K, 18, 3)` detections of one frame (any order) → slots in stable order."""
        detections = detections[: self.max_persons * 2]
        assignment = self._best_assignment(detections)
        free = [s for s in range(self.max_persons) if self._last[s] is None]
        # Unmatched detections take free slots, the most confident body first.
        unmatched = sorted((d for d in range(len(detections)) if d not in assignment),
                           key=lambda d: -detections[d, :, 2].sum())
        for d, s in zip(unmatched, free):
            assignment[d] = s
            self._ids[s] = self._next_id
            self._next_id += 1

        out = np.zeros((self.max_persons, 18, 3), dtype=np.float32)
        seen_slots = set()
        for d, s in assignment.items():
            out[s] = detections[d]
            self._last[s] = detections[d]
            self._missing[s] = 0
            seen_slots.add(s)
        for s in range(self.max_persons):
            if s not in seen_slots and self._last[s] is not None:
                self._missing[s] += 1
                if self._missing[s] > self.max_missing:
                    self._last[s], self._ids[s], self._missing[s] = None, None, 0
        ids = tuple(self._ids[s] if s in seen_slots else None for s in range(self.max_persons))
        return Tracked(out, ids)
