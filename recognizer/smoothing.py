"""Turning a stream of class probabilities into a label that does not flicker.

Two pure steps. An exponential moving average of the probabilities removes frame-to-frame
noise. Hysteresis decides what is *shown*: a label appears when its smoothed probability
passes `enter`, stays while it is above `leave` (lower than `enter`), and is held for at
least `min_dwell_s` before anything else may replace it. Leaving it — for unknown when it
fades below `leave`, or for another class that passes `enter` — must also persist for
`confirm_s`, so one or two odd windows neither blank nor replace it. Between labels, or when the best
class is the model's background class, the answer is "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SmoothingConfig:
    ema: float = 0.4  # weight of the newest probabilities in the moving average (≈2 strides to follow a change)
    enter: float = 0.55  # smoothed probability needed to show a label
    leave: float = 0.3  # a shown label stays until it falls below this
    min_dwell_s: float = 0.6  # a shown label is held at least this long
    confirm_s: float = 0.25  # a change away from a shown label must persist this long


@dataclass(frozen=True)
class Decision:
    label_index: int | None  # None: unknown
    score: float  # smoothed probability of the shown label (or of the best class if unknown)
    probs: np.ndarray  # (K,) smoothed probabilities


class Smoother:
    def __init__(self, config: SmoothingConfig = SmoothingConfig(), background_index: int | None = None):
        self.config = config
        self.background_index = background_index  # a "none of these" class: never shown as a label
        self.reset()

    def reset(self) -> None:
        self._probs: np.ndarray | None = None
        self._shown: int | None = None
        self._since = 0.0  # when the shown label was chosen
        self._proposal: int | None = None  # the change being considered (None: to unknown)
        self._proposed_at: float | None = None  # since when it has been proposed

    def update(self, probs: np.ndarray, t: float) -> Decision:
        """Fold in one `(K,)` probability vector observed at time `t` (seconds)."""
        c = self.config
        self._probs = probs.copy() if self._probs is None else (1 - c.ema) * self._probs + c.ema * probs
        p = self._probs
        best = int(np.argmax(p))
        candidate = best if best != self.background_index and p[best] >= c.enter else None
        if self._shown is None:
            if candidate is not None:
                self._show(candidate, t)
        else:
            wants_change = candidate != self._shown and (candidate is not None or p[self._shown] < c.leave)
            if not wants_change:
                self._proposed_at = None
            elif self._proposed_at is None or self._proposal != candidate:
                self._proposal, self._proposed_at = candidate, t
            if (self._proposed_at is not None and t - self._proposed_at >= c.confirm_s
                    and t - self._since >= c.min_dwell_s):
                self._show(self._proposal, t)
        shown_score = p[self._shown] if self._shown is not None else p[best]
        return Decision(self._shown, float(shown_score), p.copy())

    def _show(self, label: int | None, t: float) -> None:
        self._shown, self._since, self._proposed_at = label, t, None
