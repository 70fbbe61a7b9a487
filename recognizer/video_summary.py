"""From a video's stream of predictions to one answer: label, top-5 and segments.

Pure functions over `Prediction`s, so `liveaction predict` and its tests share them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recognizer.engine import RECOGNIZED, UNKNOWN, Prediction


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float
    label: str
    score: float


@dataclass(frozen=True)
class VideoSummary:
    label: str  # argmax of the mean window probabilities, or "unknown"
    score: float  # mean probability of that class over the windows
    top5: list[tuple[str, float]]
    segments: list[Segment]


def segments(predictions: list[Prediction], stride_s: float) -> list[Segment]:
    """Runs of consecutive predictions showing the same recognized label."""
    out: list[Segment] = []
    run: list[Prediction] = []

    def close():
        if run:
            out.append(Segment(run[0].time, run[-1].time + stride_s, run[0].label,
                               float(np.mean([p.score for p in run]))))

    for p in predictions:
        if run and (p.state != RECOGNIZED or p.label != run[0].label):
            close()
            run = []
        if p.state == RECOGNIZED:
            run.append(p)
    close()
    return out


def decide(mean: np.ndarray, labels: tuple[str, ...], threshold: float,
           background_label: str | None) -> tuple[np.ndarray, str]:
    """Mean window probabilities `(K,)` → class indices best first, and the video's label: the
    best class, or "unknown" below `threshold` or when it is the background class."""
    order = np.argsort(mean)[::-1]
    best = int(order[0])
    confident = mean[best] >= threshold and labels[best] != background_label
    return order, labels[best] if confident else UNKNOWN


def summarize(predictions: list[Prediction], labels: tuple[str, ...], threshold: float,
              background_label: str | None, stride_s: float) -> VideoSummary:
    windows = [p.window_probs for p in predictions if p.window_probs is not None]
    if not windows:
        return VideoSummary(UNKNOWN, 0.0, [], [])
    mean = np.mean(windows, axis=0)  # (K,)
    order, label = decide(mean, labels, threshold, background_label)
    return VideoSummary(label, float(mean[order[0]]), [(labels[i], float(mean[i])) for i in order[:5]],
                        segments(predictions, stride_s))
