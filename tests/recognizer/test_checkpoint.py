"""Model files: round trips, and every kind of bad or hostile file refused in one line."""

from __future__ import annotations

import errno
import hashlib
import json
import pickle
import struct
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recognizer import checkpoint
from recognizer.checkpoint import ModelCard, load_model, read_card, save_model
from recognizer.errors import BadFileError, LiveactionError
from recognizer.models import create_model
from recognizer.preprocess import Preprocessing

TINY = dict(T=16, channels=(16, 16, 32, 32), kernel_sizes=(3, 3, 3, 3), num_slnl=1)


def tiny_model(num_classes=3, **overrides):
    torch.manual_seed(0)
    return create_model("slnl_rfa_lite", num_classes, **{**TINY, **overrides})


def card_for(model, labels=("wave", "clap", "other"), **fields):
    return ModelCard.for_model(model, labels, Preprocessing(T=model.config.T, normalization="clip"), **fields)


@pytest.fixture
def saved(tmp_path):
    model = tiny_model()
    path = tmp_path / "model.safetensors"
    save_model(path, model, card_for(model, background_label="other", threshold=0.6,
                                     metrics={"top1": 0.5}, data={"spec": "synthetic"}))
    return path, model


def _rewrite_sidecar(path: Path, change) -> None:
    """Edit the sidecar of model `path` as a JSON dict (the weights hash stays valid)."""
    sidecar = path.with_suffix(".json")
    doc = json.loads(sidecar.read_text())
    change(doc)
    sidecar.write_text(json.dumps(doc))


def _replace_weights(path: Path, raw: bytes) -> None:
    """Swap the weights file for `raw`, updating the sidecar's hash so only the content is wrong."""
    path.write_bytes(raw)
    _rewrite_sidecar(path, lambda doc: doc.update(weights_sha256=hashlib.sha256(raw).hexdigest()))


def test_round_trip_restores_outputs_and_card(saved):
    path, model = saved
    x = torch.randn(2, 3, 16, 18, 2)
    loaded, card = load_model(path)
    assert not loaded.training
    assert torch.equal(loaded(x), model.eval()(x))
    assert card.labels == ("wave", "clap", "other") and card.background_label == "other"
    assert card.threshold == 0.6 and card.metrics == {"top1": 0.5}
    assert card.preprocessing == Preprocessing(T=16, normalization="clip")
    assert card == read_card(path.with_suffix(".json"))  # either file names the model
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.json", "model.safetensors"]


def test_card_rebuilds_the_architecture(saved):
    path, model = saved
    rebuilt = read_card(path).build()
    assert rebuilt.config == model.config and rebuilt.num_classes == 3 and rebuilt.two_stream


def test_nan_metrics_are_saved_as_null(tmp_path):
    model = tiny_model()
    save_model(tmp_path / "m.safetensors", model, card_for(model, metrics={"loss": float("nan")}))
    assert read_card(tmp_path / "m.safetensors").metrics == {"loss": None}


def test_card_must_match_the_model(tmp_path):
    model = tiny_model()
    other = card_for(tiny_model(num_classes=2), labels=("a", "b"))
    with pytest.raises(ValueError, match="card describes"):
        save_model(tmp_path / "m.safetensors", model, other)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fields, problem", [
    (dict(labels=("a", "a", "b")), "appears twice"),
    (dict(labels=("a", "b")), "2 labels for 3 classes"),
    (dict(background_label="nothing"), "background_label"),
    (dict(threshold=1.5), "threshold"),
])
def test_inconsistent_cards_are_refused(fields, problem):
    with pytest.raises(ValueError, match=problem):
        card_for(tiny_model(), **fields)


def test_preprocessing_must_fit_the_model():
    model = tiny_model()
    with pytest.raises(ValueError, match="T=16"):
        ModelCard.for_model(model, ("a", "b", "c"), Preprocessing(T=32))
    with pytest.raises(ValueError, match="joints"):
        ModelCard.for_model(model, ("a", "b", "c"), Preprocessing(T=16, layout="ntu25"))


def test_failed_save_keeps_the_previous_model(saved, monkeypatch):
    path, _ = saved
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}

    def full_disk(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    model = tiny_model()
    with pytest.raises(LiveactionError, match="disk is full"):
        save_model(path, model, card_for(model))
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before  # no temp files either


class _Payload:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


@pytest.mark.parametrize("writer", ["pickle", "torch.save"])
def test_hostile_pickle_is_refused_and_runs_nothing(saved, writer, tmp_path):
    path, _ = saved
    marker = tmp_path / "pwned"
    payload = {"weight": _Payload(marker)}
    if writer == "pickle":
        raw = pickle.dumps(payload)
    else:
        torch.save(payload, tmp_path / "payload.pt")
        raw = (tmp_path / "payload.pt").read_bytes()
    _replace_weights(path, raw)
    with pytest.raises(BadFileError, match="never load"):
        load_model(path)
    assert not marker.exists()


def test_pickle_renamed_with_stale_hash_is_refused(saved, tmp_path):
    path, _ = saved
    marker = tmp_path / "pwned"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(BadFileError, match="does not belong"):
        load_model(path)
    assert not marker.exists()


def test_weights_of_another_architecture_are_refused(saved, tmp_path):
    path, _ = saved
    other = tiny_model(channels=(16, 16, 48, 48))
    save_model(tmp_path / "other.safetensors", other, card_for(other))
    _replace_weights(path, (tmp_path / "other.safetensors").read_bytes())
    with pytest.raises(BadFileError, match="shape"):
        load_model(path)


def test_weights_with_missing_tensors_are_refused(saved, tmp_path):
    path, _ = saved
    one_stream = tiny_model(two_stream=False)
    save_model(tmp_path / "one.safetensors", one_stream, card_for(one_stream))
    _replace_weights(path, (tmp_path / "one.safetensors").read_bytes())
    with pytest.raises(BadFileError, match="missing"):
        load_model(path)


def test_nan_weights_are_refused(saved):
    path, model = saved
    with torch.no_grad():
        next(model.parameters())[0] = float("nan")
    save_model(path, model, card_for(model))
    with pytest.raises(BadFileError, match="NaN"):
        load_model(path)


@pytest.mark.parametrize("cut", [0, 5, 100, -100])
def test_truncated_weights_are_refused(saved, cut):
    path, _ = saved
    raw = path.read_bytes()
    _replace_weights(path, raw[:cut] if cut >= 0 else raw[:cut])
    with pytest.raises(BadFileError):
        load_model(path)


def test_header_that_lies_about_sizes_is_refused(saved):
    path, _ = saved
    raw = path.read_bytes()
    _replace_weights(path, struct.pack("<Q", 2**40) + raw[8:])
    with pytest.raises(BadFileError, match="header length"):
        load_model(path)


def test_replaced_weights_are_refused_by_hash(saved, tmp_path):
    path, _ = saved
    other = tiny_model()
    with torch.no_grad():
        next(other.parameters()).add_(1)
    save_model(tmp_path / "other.safetensors", other, card_for(other))
    path.write_bytes((tmp_path / "other.safetensors").read_bytes())
    with pytest.raises(BadFileError, match="does not belong"):
        load_model(path)


@pytest.mark.parametrize("change, problem", [
    (lambda d: d.pop("labels"), "lacks the model card field 'labels'"),
    (lambda d: d.update(format="something"), "not a liveaction model card"),
    (lambda d: d.update(format_version=99), "format_version 99"),
    (lambda d: d.update(preset="resnet50"), "unknown preset"),
    (lambda d: d.update(num_classes="3"), "'num_classes' must be an integer"),
    (lambda d: d.update(two_stream=1), "'two_stream' must be true or false"),
    (lambda d: d.update(labels=["a", "b"]), "2 labels for 3 classes"),
    (lambda d: d.update(extra=1), "unknown model card keys"),
    (lambda d: d["config"].update(channels={"a": 1}), "unsupported type"),
    (lambda d: d["config"].update(depth=12), "does not build|no config field"),
    (lambda d: d["preprocessing"].update(T=-1), "bad preprocessing"),
    (lambda d: d.update(weights_sha256="x"), "weights_sha256"),
    (lambda d: d.update(fps=10**400), "inconsistent model card"),
])
def test_bad_sidecars_are_refused_in_one_line(saved, change, problem):
    path, _ = saved
    _rewrite_sidecar(path, change)
    with pytest.raises(BadFileError, match=problem) as info:
        load_model(path)
    assert "\n" not in str(info.value) and str(path.with_suffix(".json")) in str(info.value)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[1, 2]", b"null"])
def test_unparseable_sidecars_are_refused(saved, content):
    path, _ = saved
    path.with_suffix(".json").write_bytes(content)
    with pytest.raises(BadFileError):
        load_model(path)


def test_missing_files_and_wrong_names(saved, tmp_path):
    path, _ = saved
    with pytest.raises(LiveactionError, match="ends in .safetensors"):
        load_model(tmp_path / "model.pt")
    with pytest.raises(BadFileError, match="does not exist"):
        load_model(tmp_path / "nothing.safetensors")
    path.unlink()
    with pytest.raises(BadFileError, match="does not exist"):
        load_model(path)


def test_optimizer_state_round_trip_and_mismatch(saved):
    path, model = saved
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    model.forward_heads(torch.randn(2, 3, 16, 18, 2))["concat"].sum().backward()
    optimizer.step()
    checkpoint.save_optimizer_state(path, optimizer)
    assert checkpoint.optimizer_path(path).name == "model.optim.safetensors"

    restored = torch.optim.Adam(tiny_model().parameters(), lr=1e-3)
    assert checkpoint.load_optimizer_state(path, restored)
    for a, b in zip(optimizer.state.values(), restored.state.values()):
        assert torch.equal(a["exp_avg"], b["exp_avg"])

    wrong = torch.optim.Adam(tiny_model(channels=(16, 16, 48, 48)).parameters())
    with pytest.raises(BadFileError, match="does not fit"):
        checkpoint.load_optimizer_state(path, wrong)
    with pytest.raises(LiveactionError, match="not a model"):
        load_model(checkpoint.optimizer_path(path))


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4),
                     max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(checkpoint._CARD_KEYS), value=_json)
def test_fuzzed_cards_raise_only_our_error(saved, key, value):
    """Any card field replaced by any JSON value: a valid card or a BadFileError, nothing else."""
    path, _ = saved
    doc = json.loads(path.with_suffix(".json").read_text())
    doc[key] = value
    try:
        ModelCard.from_json(doc, path)
    except BadFileError:
        pass


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(sorted(TINY) + ["virtual_joints", "coordinate_systems", "frequency_attention",
                                           "nonlocal_axes", "pool_every", "dropout"]), value=_json)
def test_fuzzed_configs_raise_only_our_error(saved, key, value):
    """A config field replaced by any JSON value: the model loads or a BadFileError, nothing else."""
    path, _ = saved
    original = path.with_suffix(".json").read_text()
    _rewrite_sidecar(path, lambda doc: doc["config"].update({key: value}))
    try:
        load_model(path)
    except BadFileError:
        pass
    finally:
        path.with_suffix(".json").write_text(original)
