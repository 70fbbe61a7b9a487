import json

import pytest

from app import settings
from app.settings import SCHEMA_VERSION, AppSettings
from app.sources import SourceSpec


def full_settings() -> AppSettings:
    return AppSettings(source=SourceSpec("video", "/videos/walk.mp4", loop=False), model_path="/m/mine.safetensors",
                       threshold=0.65, resolution=(1280, 720), loop=False, hidden_panels=("frequency",),
                       geometry=b"\x01\x02geometry", window_state=b"\x00state")


def test_round_trip_keeps_every_field():
    value = full_settings()
    assert settings.from_json(settings.to_json(value)) == value
    assert settings.from_json(settings.to_json(AppSettings())) == AppSettings()


@pytest.mark.parametrize("text", [None, "", "not json", "[1, 2]", json.dumps({"schema": SCHEMA_VERSION + 1,
                                                                               "threshold": 0.7})])
def test_unreadable_or_foreign_settings_give_the_defaults(text):
    assert settings.from_json(text) == AppSettings()


def test_one_bad_field_falls_back_alone():
    doc = json.loads(settings.to_json(full_settings()))
    doc.update(threshold=7, source={"kind": "toaster", "target": 1}, geometry="%%%", hidden_panels=["attention", 3])
    loaded = settings.from_json(json.dumps(doc))
    assert loaded.threshold is None and loaded.source is None and loaded.geometry == b""
    assert loaded.hidden_panels == ()
    assert loaded.model_path == "/m/mine.safetensors" and loaded.resolution == (1280, 720)


def test_saved_through_qsettings_and_read_back(store):
    settings.save(store, full_settings())
    assert settings.load(store) == full_settings()
