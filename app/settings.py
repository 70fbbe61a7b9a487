"""What the app remembers between runs: one typed dataclass, saved through QSettings.

`to_json` / `from_json` are pure (tested without Qt); `load` / `save` are the only code that
touches QSettings. Reading is forgiving: a missing, damaged or foreign value falls back to
its default one field at a time, so a bad settings file never stops the app from opening.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass, fields, replace
from typing import Any

from PySide6.QtCore import QSettings

from app.sources import SOURCE_KINDS, SourceSpec

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_KEY = "app/settings"


@dataclass(frozen=True)
class AppSettings:
    schema: int = SCHEMA_VERSION  # bumped when a field changes meaning; older values are migrated or dropped
    source: SourceSpec | None = None  # the last source watched (None: look for a camera)
    model_path: str | None = None  # the model in use (None: the bundled starter model)
    threshold: float | None = None  # confidence below which the label is "unknown" (None: the model's own)
    resolution: tuple[int, int] | None = None  # camera resolution asked for (None: the camera's own)
    loop: bool = True  # start video files and clips over at their end
    hidden_panels: tuple[str, ...] = ()  # panels (by name) the user closed; new panels start shown
    geometry: bytes = b""  # QMainWindow.saveGeometry()
    window_state: bytes = b""  # QMainWindow.saveState(): where the panels are docked
    record_label: str | None = None  # the label the last clip was recorded with
    record_length_s: float = 3.0  # length of a recorded clip
    record_until_stopped: bool = False  # record until Record is pressed again (instead of a fixed length)
    keep_video: bool = False  # save the video (mp4) beside each recorded clip's skeletons
    few_shot: bool = True  # recognize the labels of the user's clips at once, by prototype (no training)


def to_json(settings: AppSettings) -> str:
    doc: dict[str, Any] = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        elif isinstance(value, SourceSpec):
            value = {"kind": value.kind, "target": value.target, "width": value.width,
                     "height": value.height, "loop": value.loop}
        elif isinstance(value, tuple):
            value = list(value)
        doc[f.name] = value
    return json.dumps(doc)


def from_json(text: str | None) -> AppSettings:
    """Settings from their saved form; anything unreadable becomes the default."""
    default = AppSettings()
    try:
        doc = json.loads(text) if text else {}
    except (TypeError, ValueError):
        log.warning("settings are not JSON; using defaults")
        return default
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_VERSION:
        return default
    values = {}
    for name, parse in _PARSERS.items():
        if name not in doc:
            continue
        try:
            values[name] = parse(doc[name])
        except (TypeError, ValueError, binascii.Error) as error:
            log.warning("setting %s ignored: %s", name, error)
    return replace(default, **values)


def _source(value: Any) -> SourceSpec | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("kind") not in SOURCE_KINDS:
        raise ValueError("not a source")
    width, height = value.get("width"), value.get("height")
    return SourceSpec(value["kind"], _str(value.get("target")), _optional_int(width), _optional_int(height),
                      _bool(value.get("loop", True)))


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def _optional_int(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError("expected a positive integer")
    return value


def _threshold(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError("expected a number in [0, 1]")
    return float(value)


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.5 <= value <= 60.0:
        raise ValueError("expected a length between 0.5 and 60 seconds")
    return float(value)


def _resolution(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    width, height = value
    return _optional_int(width), _optional_int(height)


def _names(value: Any) -> tuple[str, ...]:
    return tuple(_str(name) for name in value)


def _bytes(value: Any) -> bytes:
    return base64.b64decode(_str(value), validate=True)


_PARSERS = {
    "source": _source, "model_path": _optional_str, "threshold": _threshold, "resolution": _resolution,
    "loop": _bool, "hidden_panels": _names, "geometry": _bytes, "window_state": _bytes,
    "record_label": _optional_str, "record_length_s": _seconds, "record_until_stopped": _bool, "keep_video": _bool,
    "few_shot": _bool,
}


def load(store: QSettings) -> AppSettings:
    value = store.value(_KEY)
    return from_json(value if isinstance(value, str) else None)


def save(store: QSettings, settings: AppSettings) -> None:
    store.setValue(_KEY, to_json(settings))
    store.sync()
