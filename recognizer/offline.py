"""Recognizing a whole recorded sequence with the live engine: `predict`, evaluations, tests.

A file is not special: its frames go through the same streaming engine as the camera's
(resampling, sliding window, actor choice, smoothing), synchronously, and the window
predictions are summarized into one answer. Window and stride adapt to the sequence's
length so a one-second clip still gets several windows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from torch import nn

from recognizer.engine import EngineConfig, ModelSpec, Prediction, StreamingRecognizer
from recognizer.video_summary import VideoSummary, summarize


def adapted_config(frames: int, threshold: float | None = None) -> EngineConfig:
    """Stride and warm-up that fit a sequence of `frames` frames."""
    return EngineConfig(stride=max(1, min(4, frames // 8)), min_frames=max(2, min(15, frames // 2)),
                        threshold=threshold, threaded=False)


@dataclass(frozen=True)
class SequenceResult:
    predictions: list[Prediction]  # the windows the model ran on
    summary: VideoSummary
    threshold: float


def recognize(model: nn.Module, spec: ModelSpec, frames: Iterable[tuple[np.ndarray, float]], length: int,
              threshold: float | None = None, device=None) -> SequenceResult:
    """`frames` yields (tracked skeletons `(M, 18, 3)`, time s); `length` is their count (or a guess)."""
    config = adapted_config(length, threshold)
    engine = StreamingRecognizer(model, spec, config, device=device)
    made = []
    for skeletons, t in frames:
        prediction = engine.push(skeletons, t)
        if prediction is not None and prediction.window_probs is not None:
            made.append(prediction)
    final = engine.flush()
    if final is not None:
        made.append(final)
    summary = summarize(made, spec.labels, engine.threshold, spec.background_label, config.stride / spec.fps)
    return SequenceResult(made, summary, engine.threshold)


def sequence_frames(data: np.ndarray, fps: float) -> Iterable[tuple[np.ndarray, float]]:
    """A `(C, T, V, M)` sequence at `fps` as engine input frames."""
    for i in range(data.shape[1]):
        yield data[:, i].transpose(2, 1, 0), i / fps  # (M, V, C)
