"""When things happen in a clip: repetition phase, the envelope that eases in and out, durations.

A clip is laid out as idle → ease in → repetitions → ease out → idle. `phase` counts the
repetitions done (it stands still while idle), `active` is 0 while idle and 1 while the
action runs, with smooth ramps between. An action turns both into a pose, so tempo,
repetition count, start phase and idle time are chosen here once for every class.

Three layouts, because people record and share all three:
- "single": one repetition with a moment of idle around it (≈ 1 s clips), or up to 0.8 s
  of rest on either side;
- "complete": idle (up to 30 % of the clip on either side), several repetitions, idle;
- "excerpt": a window cut out of a longer performance, starting mid-repetition, no idle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LAYOUT_WEIGHTS = {"single": 0.3, "complete": 0.35, "excerpt": 0.35}
MIN_SECONDS, MAX_SECONDS = 1.0, 10.0


@dataclass(frozen=True)
class Timeline:
    """The time course of one clip; arrays have T entries."""

    t: np.ndarray  # (T,) seconds since the clip started
    phase: np.ndarray  # (T,) repetitions done so far; fractional inside a repetition
    active: np.ndarray  # (T,) 0 idle … 1 acting, eased
    fps: float
    tempo: float  # repetitions per second while acting
    layout: str  # "single", "complete" or "excerpt"

    @property
    def frames(self) -> int:
        return self.t.shape[0]

    @property
    def reps(self) -> float:
        return float(self.phase[-1] - self.phase[0])


def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def wander(rng: np.random.Generator, t: np.ndarray, period: float, size: tuple[int, ...] = ()) -> np.ndarray:
    """Smooth random drift in [-1, 1] changing over about `period` seconds: `(T, *size)`.

    Cosine-eased interpolation between random knots; used for sway, tempo drift and
    every other slow irregularity, so nothing in a clip is perfectly periodic.
    """
    n = int(t[-1] / period) + 3
    knots = rng.uniform(-1.0, 1.0, (n,) + size)
    pos = t / period + rng.uniform(0.0, 1.0)
    i = pos.astype(int)
    w = smoothstep(pos - i).reshape((-1,) + (1,) * len(size))
    return knots[i] * (1.0 - w) + knots[i + 1] * w


def plan(
    rng: np.random.Generator,
    fps: float,
    seconds: float | None,
    tempo: float,
    *,
    ease: float = 0.3,
    layout: str | None = None,
) -> Timeline:
    """Lay out a clip of an action repeated at `tempo` repetitions per second.

    `seconds=None` picks the length from the layout: one repetition (plus a little idle)
    for "single", 2–10 s otherwise. A given length is filled: the tempo bends (at most
    ×0.6…×1.8) so that a whole number of repetitions fits, and is cut as an excerpt when
    it cannot. `ease` is the ramp time in seconds.
    """
    if layout is None:
        layout = str(rng.choice(list(LAYOUT_WEIGHTS), p=list(LAYOUT_WEIGHTS.values())))
    ease = ease * rng.uniform(0.7, 1.4)
    lead = tail = 0.0
    if layout == "single":
        # Mostly a moment of rest around it; sometimes the long rests of a person who stands
        # still, performs once for the camera and stands still again (MSR Action3D's clips).
        lead, tail = 0.8 * rng.uniform(0.0, 1.0, 2) ** 1.5
        if seconds is None:
            seconds = lead + tail + 2.0 * ease + 1.0 / tempo
        else:
            active = max(seconds - lead - tail - 2.0 * ease, 0.3)
            tempo = 1.0 / active
        reps = 1.0
    elif layout == "complete":
        if seconds is None:
            seconds = rng.uniform(2.0, MAX_SECONDS)
        lead, tail = rng.uniform(0.0, 0.3, 2) * seconds
        active = max(seconds - lead - tail - 2.0 * ease, 0.3)
        reps = float(max(1, round(active * tempo)))
        tempo = float(np.clip(reps / active, 0.6 * tempo, 1.8 * tempo))
        reps = min(reps, active * tempo)  # when even ×1.8 cannot fit them, the last is cut short
    else:
        if seconds is None:
            seconds = rng.uniform(MIN_SECONDS, MAX_SECONDS)
        ease = 0.0
        reps = seconds * tempo

    frames = max(int(round(seconds * fps)), 2)
    t = np.arange(frames) / fps
    start = lead + ease
    # Tempo drifts by up to ±12 % within a clip; the drift is normalized so that the
    # planned number of repetitions still fits the acting time exactly.
    rate = 1.0 + 0.12 * wander(rng, t, rng.uniform(0.8, 2.5))
    acting = (t >= start) & (t <= start + reps / tempo)
    progress = np.cumsum(rate * acting)
    progress = progress / max(progress[-1], 1e-9) * reps
    offset = rng.uniform(0.0, 1.0) if layout == "excerpt" else 0.0
    phase = offset + progress
    if layout == "excerpt":
        active = np.ones(frames)
    else:
        end = start + reps / tempo
        active = smoothstep((t - lead) / max(ease, 1e-6)) * smoothstep((end + ease - t) / max(ease, 1e-6))
    return Timeline(t=t, phase=phase, active=active, fps=fps, tempo=tempo, layout=layout)
