"""TS-SAN: encoders, the SAN block, the three variants and the temporal-segment consensus."""

from __future__ import annotations

import itertools

import pytest
import torch

from recognizer.models import create_model
from recognizer.models.san import CNNEncoder, SANBlock

SMALL = dict(T=24, cnn_channels=(8, 8, 8, 8), ff_dim=16, layers=2, heads=2)


def small_model(two_stream=True, **overrides):
    torch.manual_seed(0)
    return create_model("ts_san_ntu", 5, two_stream=two_stream, **{**SMALL, **overrides}).eval()


def test_cnn_encoder_keeps_frames_and_gives_c4_times_c2_over_4_features():
    encoder = CNNEncoder(in_channels=6, joints=25, channels=(64, 32, 32, 64), dropout=0.0)
    assert encoder(torch.randn(2, 6, 32, 25)).shape == (2, 32, 512)


def test_san_block_concatenates_every_layer_before_averaging():
    block = SANBlock(width=16, length=8, layers=3, heads=2, ffn_ratio=2, dropout=0.0)
    assert block.project.in_features == 3 * 16
    out = block(torch.randn(4, 8, 16))
    assert out.shape == (4, 16) and (out >= 0).all()


def test_paper_settings():
    ntu, kinetics = create_model("ts_san_ntu", 60), create_model("ts_san_kinetics", 400)
    assert ntu.config.T // ntu.config.segments == 32 and len(ntu.streams["position_velocity"].san.layers) == 4
    assert kinetics.config.T // kinetics.config.segments == 64
    assert len(kinetics.streams["position_velocity"].san.layers) == 8
    assert ntu.streams["position_velocity"].san.layers[0].heads == 8


VARIANTS = list(itertools.product(("v1", "v2", "v3"), ("ff", "cnn"), (False, True)))


@pytest.mark.parametrize("variant,encoder,two_stream", VARIANTS)
def test_every_variant_and_encoder_builds_with_its_heads(variant, encoder, two_stream):
    model = small_model(two_stream, variant=variant, encoder=encoder)
    heads = model.forward_heads(torch.randn(2, 3, 24, 25, 2))
    expected = {"position", "velocity", "concat"} if two_stream and variant == "v3" else {"concat"}
    assert set(heads) == expected
    assert all(h.shape == (2, 5) for h in heads.values())


def test_average_consensus_equals_the_mean_of_the_clips_logits():
    model = small_model(variant="v2")
    x = torch.randn(2, 3, 24, 25, 2)
    with torch.no_grad():
        whole = model(x)
        stream = model.streams["position_velocity"]
        stream.segments = 1  # the same weights on one 8-frame clip at a time
        fused = torch.cat([x, torch.nn.functional.pad(x[:, :, 1:] - x[:, :, :-1], (0, 0, 0, 0, 0, 1))], dim=1)
        per_clip = [model.heads["concat"](stream(fused[:, :, 8 * i:8 * (i + 1)])) for i in range(3)]
    torch.testing.assert_close(whole, torch.stack(per_clip).mean(0), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("variant", ["v2", "v3"])
def test_per_person_variants_ignore_person_order(variant):
    model = small_model(variant=variant)
    x = torch.randn(2, 3, 24, 25, 2)
    with torch.no_grad():
        torch.testing.assert_close(model(x), model(x.flip(-1)))


def test_v1_needs_its_number_of_persons():
    model = small_model(variant="v1")
    with pytest.raises(ValueError, match="2 persons"):
        model(torch.randn(1, 3, 24, 25, 1))


def test_segments_must_divide_the_window():
    with pytest.raises(ValueError, match="multiple of segments"):
        create_model("ts_san_ntu", 5, T=25)
