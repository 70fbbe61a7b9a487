"""Loading a model into a running engine, and bringing its predictions to the GUI thread.

`build_engine` runs in a `BackgroundCall` (reading weights, building the network and
moving it to the device take longer than a frame). The engine calls back from its own
thread; `EngineBridge` turns those calls into Qt signals, which Qt delivers on the GUI
thread.

Instant few-shot classes come in here too: `build_engine` given the user's clips of new
labels imprints them (`recognizer.fewshot.imprint`) on the model it has just read from
its file, so an imprint always starts from the model as trained, never from an earlier
imprint, and never touches a model an engine is running.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from PySide6.QtCore import QObject, Signal

from app.background import emit_safely
from recognizer.engine import EngineConfig, ModelSpec, Prediction, StreamingRecognizer, load_recognizer
from recognizer.errors import LiveactionError
from recognizer.fewshot import imprint


class EngineBridge(QObject):
    prediction = Signal(object)  # Prediction
    failed = Signal(str)

    def publish(self, prediction: Prediction) -> None:
        emit_safely(self.prediction, prediction)

    def report_error(self, error: BaseException) -> None:
        emit_safely(self.failed, f"{type(error).__name__}: {error}")


@dataclass(frozen=True)
class LoadedModel:
    path: Path
    spec: ModelSpec  # with the few-shot labels, if any (`spec.few_shot`)
    engine: StreamingRecognizer
    bridge: EngineBridge
    few_shot_problem: str | None = None  # why the user's clips could not be imprinted (the model runs without)

    @property
    def trained_labels(self) -> tuple[str, ...]:
        """The labels the model file itself knows (without the few-shot ones)."""
        return tuple(label for label in self.spec.labels if label not in self.spec.few_shot)


def build_engine(path: Path, threshold: float | None, bridge: EngineBridge,
                 examples: Mapping[str, Sequence[np.ndarray]] | None = None) -> LoadedModel:
    """Model file → a live engine whose predictions come out of `bridge`.

    `examples`: the user's clips `(C, T, V, M)` by label; labels the model does not know
    with enough clips are added as few-shot classes; if they give nothing to recognize a
    label by, the model runs without them and `few_shot_problem` says why. Raises
    `BadFileError` for a bad model file.
    """
    model, spec = load_recognizer(path)
    problem = None
    if examples:
        try:
            model, spec = imprint(model, spec, {label: list(clips) for label, clips in examples.items()})
        except LiveactionError as error:
            problem = str(error)
    engine = StreamingRecognizer(model, spec, EngineConfig(threshold=threshold),
                                 on_prediction=bridge.publish, on_error=bridge.report_error)
    return LoadedModel(Path(path), spec, engine, bridge, problem)
