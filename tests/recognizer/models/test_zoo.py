"""Every registered model: builds in both forms, runs forward and backward, rebuilds from its config."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from recognizer.losses import MultiHeadLoss
from recognizer.models import create_model, list_models, model_config


def tiny(name: str) -> dict:
    """Overrides that keep a preset's structure (block count, kernels, variant) but make it cheap."""
    config = model_config(name)
    if name.startswith("slnl_rfa"):
        return dict(
            T=16,
            coordinate_systems=2,
            virtual_joints=8,
            attention_reduction=4,
            channels=tuple(max(4, c // 16) for c in config.channels),
        )
    return dict(T=24, cnn_channels=(8, 8, 8, 8), ff_dim=16, layers=2, heads=2)


def tiny_input(model, batch: int = 2, persons: int = 2) -> torch.Tensor:
    c = model.config
    return torch.randn(batch, c.in_channels, c.T, c.num_joints, persons)


FORMS = [(name, two_stream) for name in list_models() for two_stream in (False, True)]


def test_the_required_presets_are_registered():
    required = {"slnl_rfa_ntu", "slnl_rfa_kinetics", "slnl_rfa_lite", "ts_san_ntu", "ts_san_kinetics"}
    assert required <= set(list_models())


@pytest.mark.parametrize("name,two_stream", FORMS)
def test_full_size_model_has_the_documented_surface(name, two_stream):
    """Full-size presets, shape-only (meta device): logits, heads, features, attributes."""
    with torch.device("meta"):
        model = create_model(name, 7, two_stream=two_stream)
        x = tiny_input(model, batch=3)
        logits = model(x)
        heads = model.forward_heads(x)
        features = model.forward_features(x)
    assert model.preset == name and model.num_classes == 7 and model.two_stream is two_stream
    assert logits.shape == (3, 7)
    assert features.shape == (3, model.feature_dim)
    assert model.forward_head(features).shape == (3, 7)
    assert all(h.shape == (3, 7) for h in heads.values())
    if two_stream and len(model.streams) == 2:
        assert set(heads) == {"position", "velocity", "concat"}
    else:
        assert set(heads) == {"concat"}


@pytest.mark.parametrize("name,two_stream", FORMS)
def test_forward_backward_reaches_every_parameter(name, two_stream):
    torch.manual_seed(0)
    model = create_model(name, 3, two_stream=two_stream, **tiny(name))
    x = tiny_input(model)
    target = torch.tensor([0, 2])
    loss_fn = MultiHeadLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    # One step first: zero-initialised non-local projections block the gradient of
    # theta/phi/g until they move away from zero.
    for _ in range(2):
        optimizer.zero_grad()
        heads = model.forward_heads(x)
        assert all(torch.isfinite(h).all() for h in heads.values())
        loss = loss_fn(heads, target)
        loss.backward()
        optimizer.step()
    for pname, p in model.named_parameters():
        assert p.grad is not None, pname
        assert torch.isfinite(p.grad).all(), pname
        assert p.grad.abs().sum() > 0, f"no gradient reaches {pname}"
    model.eval()
    with torch.no_grad():
        assert torch.isfinite(model(x)).all()


@pytest.mark.parametrize("name", list_models())
def test_rebuilds_from_its_json_config(name):
    torch.manual_seed(0)
    model = create_model(name, 4, two_stream=True, **tiny(name))
    doc = json.loads(json.dumps(dataclasses.asdict(model.config)))  # tuples come back as lists
    rebuilt = create_model(model.preset, model.num_classes, model.two_stream, **doc)
    assert rebuilt.config == model.config
    assert {k: v.shape for k, v in rebuilt.state_dict().items()} == {k: v.shape for k, v in model.state_dict().items()}
    rebuilt.load_state_dict(model.state_dict())
    x = tiny_input(model)
    model.eval(), rebuilt.eval()
    with torch.no_grad():
        torch.testing.assert_close(rebuilt(x), model(x))


def test_reset_classifier_replaces_every_head():
    model = create_model("slnl_rfa_lite", 5, **tiny("slnl_rfa_lite"))
    features_before = model.forward_features(tiny_input(model)).shape
    model.reset_classifier(2)
    heads = model.forward_heads(tiny_input(model))
    assert model.num_classes == 2
    assert set(heads) == {"position", "velocity", "concat"}
    assert all(h.shape == (2, 2) for h in heads.values())
    assert model.forward_features(tiny_input(model)).shape == features_before


def test_unknown_names_and_fields_are_refused_clearly():
    with pytest.raises(ValueError, match="unknown model"):
        create_model("resnet50", 3)
    with pytest.raises(ValueError, match="no config field"):
        create_model("slnl_rfa_lite", 3, widths=(1, 2))
    with pytest.raises(ValueError, match="frequency_attention"):
        create_model("slnl_rfa_lite", 3, frequency_attention="wavelet")
    with pytest.raises(ValueError, match="variant"):
        create_model("ts_san_ntu", 3, variant="v4")


def test_wrong_input_shape_is_refused_with_the_expected_shape():
    model = create_model("slnl_rfa_lite", 3, **tiny("slnl_rfa_lite"))
    with pytest.raises(ValueError, match=r"\(N, 3, 16, 18, M\)"):
        model(torch.randn(1, 3, 20, 18, 1))
