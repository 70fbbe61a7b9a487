"""Resampling a skeleton stream in time to the model's frame rate.

Cameras run at 15, 30 or 60 fps (and drift); a model was trained at one rate. Feeding
frames at another rate stretches every motion in time, which is one reason pretrained
models fail live. `TimeResampler` turns frames at arbitrary timestamps into frames on a
fixed grid of 1/fps, interpolating each joint linearly between the two source frames
around a grid time, so a 15, 30 or 60 fps camera gives the model the same input.
"""

from __future__ import annotations

import numpy as np


def interpolate(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    """Blend two `(C, V, M)` frames (last channel = score) at `alpha` ∈ [0, 1].

    A joint seen in both frames is interpolated; a joint seen in only one is taken from
    the nearer frame if that is the one that saw it, and left unseen otherwise (we never
    invent a joint from the far frame alone).
    """
    seen_a, seen_b = a[-1] > 0, b[-1] > 0  # (V, M)
    out = np.where(seen_a & seen_b, (1.0 - alpha) * a + alpha * b, 0.0).astype(np.float32)
    nearer = a if alpha < 0.5 else b
    nearer_seen = seen_a if alpha < 0.5 else seen_b
    only_one = seen_a ^ seen_b
    return np.where(only_one & nearer_seen, nearer, out).astype(np.float32)


class TimeResampler:
    """Feed `(frame (C, V, M), t seconds)`; get back the frames on the 1/fps grid up to t."""

    def __init__(self, fps: float, max_gap_s: float = 0.5):
        self.fps = fps
        self.max_gap_s = max_gap_s  # a longer pause (source stalled) restarts the grid
        self.reset()

    def reset(self) -> None:
        self._prev: tuple[np.ndarray, float] | None = None
        self._next_t = 0.0

    def push(self, frame: np.ndarray, t: float) -> list[np.ndarray]:
        if self._prev is None or t - self._prev[1] > self.max_gap_s or t <= self._prev[1]:
            if self._prev is not None and t <= self._prev[1]:
                return []  # out-of-order or repeated stamp: nothing new to say
            self._prev = (frame, t)
            self._next_t = t + 1.0 / self.fps
            return [frame]
        prev, prev_t = self._prev
        out = []
        while self._next_t <= t + 1e-9:
            alpha = (self._next_t - prev_t) / (t - prev_t)
            out.append(interpolate(prev, frame, float(alpha)))
            self._next_t += 1.0 / self.fps
        self._prev = (frame, t)
        return out
