"""SLnL-rFA streams and the two-stream model: block layout, persons, velocity, heads."""

from __future__ import annotations

import pytest
import torch

from recognizer.models import create_model
from recognizer.models.blocks import LocalBlock, SLnLBlock
from recognizer.models.classifier import velocity
from recognizer.models.frequency import FREQUENCY_ATTENTION_KINDS

SMALL = dict(T=16, coordinate_systems=2, virtual_joints=8, attention_reduction=4, channels=(4, 4, 8, 8, 16, 16))


def small_model(two_stream=True, **overrides):
    torch.manual_seed(0)
    return create_model("slnl_rfa_ntu", 5, two_stream=two_stream, **{**SMALL, **overrides}).eval()


def test_blocks_follow_the_paper_layout():
    """6 blocks, the first M1 = 3 SLnL, a 2×2 max-pool after blocks 2 and 4."""
    stream = create_model("slnl_rfa_ntu", 60, two_stream=False).streams["position"]
    kinds = [type(layer).__name__ for layer in stream.blocks]
    assert kinds == ["SLnLBlock", "SLnLBlock", "MaxPool2d", "SLnLBlock", "LocalBlock", "MaxPool2d",
                     "LocalBlock", "LocalBlock"]
    blocks = [b for b in stream.blocks if isinstance(b, LocalBlock)]
    assert [b.conv_st.out_channels for b in blocks] == [64, 64, 128, 128, 256, 256]
    assert all(b.conv_st.kernel_size == (3, 3) for b in blocks)
    assert all(set(b.nonlocals) == {"temporal", "spatial", "spatiotemporal"} for b in blocks[:3])
    assert all(b.nonlocals["spatiotemporal"].inner_channels == b.conv_st.out_channels // 2 for b in blocks[:3])
    assert stream.transform.out_channels == 30 and stream.transform.skeleton.weight.shape == (64, 25)


def test_kinetics_has_two_512_blocks_and_kernel_5_first():
    stream = create_model("slnl_rfa_kinetics", 400, two_stream=False).streams["position"]
    blocks = [b for b in stream.blocks if isinstance(b, LocalBlock)]
    assert [b.conv_st.out_channels for b in blocks][-2:] == [512, 512]
    assert [b.conv_st.kernel_size[0] for b in blocks] == [5, 5, 3, 3, 3, 3, 3, 3]
    assert stream.transform.skeleton.weight.shape == (64, 18)


def test_affinity_field_ablations_choose_slnl_count_and_axes():
    stream = small_model(num_slnl=1, nonlocal_axes=("temporal",)).streams["position"]
    blocks = [b for b in stream.blocks if isinstance(b, LocalBlock)]
    assert isinstance(blocks[0], SLnLBlock) and set(blocks[0].nonlocals) == {"temporal"}
    assert not any(isinstance(b, SLnLBlock) for b in blocks[1:])


def test_persons_are_interchangeable_and_a_lone_person_counts_alone():
    model = small_model()
    x = torch.randn(2, 3, 16, 25, 2)
    with torch.no_grad():
        torch.testing.assert_close(model(x), model(x.flip(-1)))
        one = model(x[..., :1])
        duplicated = model(torch.cat([x[..., :1], x[..., :1]], dim=-1))
    torch.testing.assert_close(one, duplicated)


def test_velocity_is_the_frame_difference_with_a_zero_last_frame():
    x = torch.randn(2, 3, 6, 4, 2)
    v = velocity(x)
    torch.testing.assert_close(v[:, :, :-1], x[:, :, 1:] - x[:, :, :-1])
    assert torch.all(v[:, :, -1] == 0)


def test_the_velocity_stream_sees_motion_not_position():
    """Adding a constant offset to every frame changes positions but no velocity."""
    model = small_model()
    x = torch.randn(2, 3, 16, 25, 1)
    with torch.no_grad():
        before, after = model.forward_heads(x), model.forward_heads(x + 0.5)
    torch.testing.assert_close(before["velocity"], after["velocity"])
    assert not torch.allclose(before["position"], after["position"])


def test_inference_uses_the_concat_head_on_both_streams_features():
    model = small_model()
    x = torch.randn(2, 3, 16, 25, 2)
    with torch.no_grad():
        heads = model.forward_heads(x)
        features = model.forward_features(x)
        torch.testing.assert_close(model(x), heads["concat"])
    assert features.shape == (2, 32)
    torch.testing.assert_close(model.heads["concat"](features), heads["concat"])
    torch.testing.assert_close(model.heads["position"](features[:, :16]), heads["position"])
    torch.testing.assert_close(model.heads["velocity"](features[:, 16:]), heads["velocity"])


def test_single_stream_has_only_the_position_stream_and_concat_head():
    model = small_model(two_stream=False)
    assert list(model.streams) == ["position"]
    assert list(model.heads) == ["concat"]


@pytest.mark.parametrize("kind", FREQUENCY_ATTENTION_KINDS)
def test_every_frequency_attention_variant_builds_into_the_model(kind):
    model = small_model(frequency_attention=kind)
    assert model.streams["position"].frequency.kind == kind
    heads = model.forward_heads(torch.randn(2, 3, 16, 25, 2))
    assert {name: tuple(h.shape) for name, h in heads.items()} == {n: (2, 5) for n in ("position", "velocity", "concat")}
