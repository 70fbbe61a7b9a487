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

from recognizer.engine import STRIDE_S, WARM_UP_S, EngineConfig, ModelSpec, Prediction, StreamingRecognizer
from recognizer.video_summary import VideoSummary, summarize


def adapted_config(seconds: float, fps: float, threshold: float | None = None) -> EngineConfig:
    """Stride and warm-up (in model frames at `fps`) that fit a sequence of `seconds`."""
    frames = max(1, round(seconds * fps))
    stride = max(1, min(round(STRIDE_S * fps), frames // 8))
    min_frames = max(2, min(round(WARM_UP_S * fps), frames // 2))
    return EngineConfig(stride=stride, min_frames=min_frames, threshold=threshold, threaded=False)


@dataclass(frozen=True)
class SequenceResult:
    predictions: list[Prediction]  # the windows the model ran on
    summary: VideoSummary
    threshold: float


def recognize(model: nn.Module, spec: ModelSpec, frames: Iterable[tuple[np.ndarray, float]], seconds: float,
              threshold: float | None = None, device=None) -> SequenceResult:
    """`frames` yields (tracked skeletons `(M, 18, 3)`, time s); `seconds` is their duration (or a guess)."""
    config = adapted_config(seconds, spec.fps, threshold)
    engine = StreamingRecognizer(model, spec, config, device=device)
    made = []
    for skeletons, t in frames:
        prediction = engine.push(skeletons, t)
        if prediction is not None and prediction.window_probs is not None:
            made.append(prediction)
    final = engine.flush()
    if final is not None:
        made.append(final)
    summary = summarize(made, spec.labels, engine.threshold, spec.background_label, engine.stride / spec.fps)
    return SequenceResult(made, summary, engine.threshold)


def sequence_frames(data: np.ndarray, fps: float) -> Iterable[tuple[np.ndarray, float]]:
    """A `(C, T, V, M)` sequence at `fps` as engine input frames."""
    for i in range(data.shape[1]):
        yield data[:, i].transpose(2, 1, 0), i / fps  # (M, V, C)
