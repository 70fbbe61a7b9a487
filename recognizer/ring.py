"""SkeletonRing: a fixed-size ring of skeleton frames that lives on the model's device.

The live loop writes one frame per camera frame and reads the last T frames every few
frames. Keeping the ring on the model's device (CUDA, MPS or CPU) means a stride's input is
never copied from the host: only the new frame (a few hundred bytes) crosses over.

Reading "the last T frames in time order" from a ring normally needs a copy when the
window wraps around the end. This ring stores every frame twice, at slot i and at slot
i + capacity, so any window of up to `capacity` frames is one contiguous slice — a view,
no copy, at the price of a second tiny write per frame.
"""

from __future__ import annotations

import numpy as np
import torch


def best_device() -> torch.device:
    """CUDA, then Apple's MPS, then the CPU: the fastest device torch finds here."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


class SkeletonRing:
    """Ring of `capacity` frames, each `(C, V, M)`; `latest(T)` is `(C, T, V, M)` oldest first."""

    def __init__(self, capacity: int, channels: int = 3, joints: int = 18, persons: int = 2,
                 device: torch.device | str | None = None):
        self.capacity = capacity
        self.device = torch.device(device) if device is not None else best_device()
        self._buffer = torch.zeros(channels, 2 * capacity, joints, persons, device=self.device)  # (C, 2·cap, V, M)
        self._next = 0  # slot the next frame goes to, in [0, capacity)
        self.length = 0  # frames held, ≤ capacity

    @property
    def frame_shape(self) -> tuple[int, int, int]:
        c, _, v, m = self._buffer.shape
        return c, v, m

    def clear(self) -> None:
        """Forget all frames (O(1): old data is never read once `length` is 0)."""
        self._next = 0
        self.length = 0

    def write(self, frame: np.ndarray | torch.Tensor) -> None:
        """Append one `(C, V, M)` frame in O(1), overwriting the oldest when full."""
        frame = torch.as_tensor(frame, dtype=self._buffer.dtype).to(self.device, non_blocking=True)
        self._buffer[:, self._next] = frame
        self._buffer[:, self._next + self.capacity] = frame
        self._next = (self._next + 1) % self.capacity
        self.length = min(self.length + 1, self.capacity)

    def latest(self, frames: int | None = None) -> torch.Tensor:
        """The last `frames` frames (default: all held) as a `(C, T, V, M)` view, oldest first."""
        frames = self.length if frames is None else frames
        if not 0 <= frames <= self.length:
            raise ValueError(f"asked for {frames} frames, the ring holds {self.length}")
        end = self._next + self.capacity  # one past the newest copy
        return self._buffer[:, end - frames:end]
