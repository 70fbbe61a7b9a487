"""Loading a model into a running engine, and bringing its predictions to the GUI thread.

`build_engine` runs in a `BackgroundCall` (reading weights, building the network and
moving it to the device take longer than a frame). The engine calls back from its own
thread; `EngineBridge` turns those calls into Qt signals, which Qt delivers on the GUI
thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.background import emit_safely
from recognizer.engine import EngineConfig, ModelSpec, Prediction, StreamingRecognizer, load_recognizer


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
    spec: ModelSpec
    engine: StreamingRecognizer
    bridge: EngineBridge


def build_engine(path: Path, threshold: float | None, bridge: EngineBridge) -> LoadedModel:
    """Model file → a live engine whose predictions come out of `bridge`. Raises `BadFileError`."""
    model, spec = load_recognizer(path)
    engine = StreamingRecognizer(model, spec, EngineConfig(threshold=threshold),
                                 on_prediction=bridge.publish, on_error=bridge.report_error)
    return LoadedModel(Path(path), spec, engine, bridge)
