"""Non-local modules and the SLnL block: identity at initialisation, proper attention."""

from __future__ import annotations

import pytest
import torch

from recognizer.models.blocks import LocalBlock, SLnLBlock
from recognizer.models.nonlocal_blocks import NONLOCAL_AXES, NonLocal


def _randomise_output_projection(module: NonLocal) -> None:
    torch.nn.init.normal_(module.w.weight, std=0.5)
    torch.nn.init.normal_(module.w.bias, std=0.5)


@pytest.mark.parametrize("axis", NONLOCAL_AXES)
def test_a_new_module_adds_nothing(axis):
    x = torch.randn(2, 6, 5, 4)
    assert torch.equal(NonLocal(6, 6, 3, axis)(x), torch.zeros(2, 6, 5, 4))


def test_a_new_slnl_block_computes_exactly_its_local_block():
    torch.manual_seed(0)
    slnl = SLnLBlock(6, 8, 3)
    local = LocalBlock(6, 8, 3)
    local.load_state_dict({k: v for k, v in slnl.state_dict().items() if not k.startswith("nonlocals.")})
    slnl.eval(), local.eval()
    x = torch.randn(2, 6, 7, 5)
    torch.testing.assert_close(slnl(x), local(x), rtol=0, atol=0)


@pytest.mark.parametrize(
    "axis,shape",
    [("temporal", (4, 5, 5)), ("spatial", (5, 4, 4)), ("spatiotemporal", (20, 20))],
)
def test_kept_attention_has_documented_shape_and_rows_sum_to_one(axis, shape):
    torch.manual_seed(0)
    module = NonLocal(6, 6, 3, axis)
    x = torch.randn(2, 6, 5, 4)  # (B, C, T=5, V=4)
    module(x)
    assert module.attention is None, "nothing is kept unless asked"
    module.keep_maps = True
    module(x)
    assert module.attention.shape == shape
    assert module.map_size == (5, 4)
    assert (module.attention >= 0).all()
    torch.testing.assert_close(module.attention.sum(-1), torch.ones(shape[:-1]))


@pytest.mark.parametrize("axis", NONLOCAL_AXES)
def test_fused_kernel_and_explicit_attention_agree(axis):
    torch.manual_seed(0)
    module = NonLocal(6, 8, 3, axis)
    _randomise_output_projection(module)
    x = torch.randn(3, 6, 5, 4)
    fast = module(x)
    module.keep_maps = True
    explicit = module(x)
    torch.testing.assert_close(fast, explicit, rtol=1e-4, atol=1e-5)


def test_attention_matches_the_embedded_gaussian_formula():
    """y_i = sum_j softmax_j(theta_i . phi_j) g_j, z = W y, on the spatio-temporal axis."""
    torch.manual_seed(0)
    module = NonLocal(4, 4, 2, "spatiotemporal")
    _randomise_output_projection(module)
    x = torch.randn(1, 4, 3, 2)
    theta, phi, g = module.theta_phi_g(x).flatten(2)[0].split(2, dim=0)  # 3 × (L, P)
    affinity = torch.exp(theta.T @ phi)  # (P, P)
    y = (affinity / affinity.sum(1, keepdim=True)) @ g.T  # (P, L)
    z = module.w.weight[:, :, 0, 0] @ y.T + module.w.bias[:, None]  # (C_out, P)
    torch.testing.assert_close(module(x)[0].flatten(1), z, rtol=1e-4, atol=1e-5)


def test_temporal_attention_mixes_frames_only_within_a_joint():
    torch.manual_seed(0)
    module = NonLocal(3, 3, 2, "temporal")
    _randomise_output_projection(module)
    x = torch.randn(1, 3, 6, 4)
    changed = x.clone()
    changed[0, :, :, 2] += 1.0  # change joint 2 at every frame
    delta = (module(changed) - module(x)).abs().sum(dim=(0, 1, 2))  # per joint
    assert delta[2] > 0
    assert torch.all(delta[[0, 1, 3]] == 0)
