"""Maps on demand: nothing kept by default; documented shapes; projection back to input joints."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recognizer.models import create_model
from recognizer.models.introspect import (
    JointProjection,
    attention_maps,
    frequency_maps,
    joint_projections,
    keep_maps,
)


@pytest.fixture(scope="module")
def lite():
    torch.manual_seed(0)
    return create_model("slnl_rfa_lite", 4).eval()  # T=64, 18 joints, N'=16


def x_lite(batch=2, persons=2):
    torch.manual_seed(1)
    return torch.randn(batch, 3, 64, 18, persons)


def test_a_plain_forward_keeps_nothing():
    torch.manual_seed(0)
    model = create_model("slnl_rfa_lite", 4).eval()
    with torch.no_grad():
        model(x_lite())
    assert frequency_maps(model) == [] and attention_maps(model) == []


def test_frequency_maps_per_stream(lite):
    with torch.no_grad(), keep_maps(lite):
        lite(x_lite())
    maps = frequency_maps(lite)
    assert [(m.stream, m.kind) for m in maps] == [("position", "rfa"), ("velocity", "rfa")]
    for m in maps:
        assert m.magnitude.shape == m.mask_cos.shape == m.mask_sin.shape == (64, 16)
        assert m.magnitude.dtype == np.float32 and (m.magnitude >= 0).all()
        assert ((m.mask_cos > 0) & (m.mask_cos < 1)).all()


def test_maps_belong_to_batch_element_0_person_0(lite):
    x = x_lite()
    with torch.no_grad(), keep_maps(lite):
        lite(x)
        both = frequency_maps(lite)[0], attention_maps(lite)[0]
        lite(x[:1, ..., :1])
        alone = frequency_maps(lite)[0], attention_maps(lite)[0]
    np.testing.assert_allclose(both[0].magnitude, alone[0].magnitude, rtol=1e-5)
    np.testing.assert_allclose(both[1].spatial, alone[1].spatial, rtol=1e-4, atol=1e-6)


def test_attention_maps_per_slnl_block_with_documented_shapes(lite):
    with torch.no_grad(), keep_maps(lite):
        lite(x_lite())
    maps = attention_maps(lite)
    assert [(m.stream, m.block) for m in maps] == [(s, b) for s in ("position", "velocity") for b in (0, 1, 2)]
    for m in maps:
        T, V = m.frames, m.joints
        assert (T, V, m.joint_stride) == ((64, 16, 1) if m.block < 2 else (32, 8, 2))
        assert m.temporal.shape == (V, T, T)
        assert m.spatial.shape == (T, V, V)
        assert m.spatiotemporal.shape == (T * V, T * V)
        for a in (m.temporal, m.spatial, m.spatiotemporal):
            np.testing.assert_allclose(a.sum(-1), 1.0, rtol=1e-4)


def test_maps_stay_after_the_block_until_the_next_one(lite):
    with torch.no_grad(), keep_maps(lite):
        lite(x_lite())
    with torch.no_grad():
        lite(x_lite())  # outside: nothing new is kept, the old maps stay
    assert len(frequency_maps(lite)) == 2
    with keep_maps(lite):
        assert frequency_maps(lite) == []  # a new block starts clean


def test_ts_san_has_no_maps():
    model = create_model("ts_san_ntu", 3, T=24, cnn_channels=(8, 8, 8, 8), layers=1, heads=2).eval()
    with torch.no_grad(), keep_maps(model):
        model(torch.randn(1, 3, 24, 25, 2))
    assert frequency_maps(model) == [] and attention_maps(model) == [] and joint_projections(model) == []


def test_joint_projection_is_the_skeleton_transform(lite):
    projections = joint_projections(lite)
    assert [p.stream for p in projections] == ["position", "velocity"]
    weight = lite.streams["position"].transform.skeleton.weight.detach().numpy()
    np.testing.assert_array_equal(projections[0].weight, weight)
    np.testing.assert_allclose(projections[0].contribution.sum(axis=1), 1.0, rtol=1e-6)


def test_projection_preserves_mass_and_follows_the_contributions():
    weight = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 3.0, 1.0], [1.0, 0.0, 0.0]])  # (N'=4, N=3)
    contribution = np.abs(weight) / np.abs(weight).sum(1, keepdims=True)
    projection = JointProjection("position", weight, contribution)
    virtual = np.array([0.5, 0.25, 0.25, 0.0])
    np.testing.assert_allclose(projection.to_input_joints(virtual), [0.25, 0.25 + 0.1875, 0.25 + 0.0625])
    pooled = np.array([0.75, 0.25])  # two pooled joints, each covering two virtual joints
    expected = projection.to_input_joints(np.array([0.375, 0.375, 0.125, 0.125]))
    np.testing.assert_allclose(projection.to_input_joints(pooled, stride=2), expected, rtol=1e-6)
    matrix = np.random.default_rng(0).dirichlet(np.ones(4), size=4)  # (V', V'), rows sum to 1
    both = projection.to_input_joints(projection.to_input_joints(matrix, axis=-1), axis=0)
    assert both.shape == (3, 3)
    np.testing.assert_allclose(both.sum(), matrix.sum(), rtol=1e-6)
