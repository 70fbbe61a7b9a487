"""Frequency attention: the identities of Eqs. 1-5, every ablation variant, and its maps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from recognizer.models.frequency import FREQUENCY_ATTENTION_KINDS, FrequencyAttention


def with_constant_masks(kind: str, value: float) -> FrequencyAttention:
    """A block whose masks are all `value` whatever the input (last FC: zero weights, fixed bias)."""
    block = FrequencyAttention(kind, 8, 6, reduction=4)
    logit = float(torch.logit(torch.tensor(value))) if 0 < value < 1 else (40.0 if value == 1 else -40.0)
    for net in block.masks.values():
        torch.nn.init.zeros_(net[2].weight)
        torch.nn.init.constant_(net[2].bias, logit)
    return block


X = torch.randn(2, 5, 8, 6)  # (B, C, T, V)


def test_rfa_with_all_ones_masks_is_x_plus_x():
    torch.testing.assert_close(with_constant_masks("rfa", 1.0)(X), X + X, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["dfa", "sfa", "cos_fa", "sin_fa"])
def test_non_residual_variants_with_all_ones_masks_return_x(kind):
    torch.testing.assert_close(with_constant_masks(kind, 1.0)(X), X, rtol=1e-5, atol=1e-5)


def test_rfa_with_all_zero_masks_is_the_residual_alone():
    torch.testing.assert_close(with_constant_masks("rfa", 0.0)(X), X, rtol=1e-5, atol=1e-5)


def test_cos_fa_reweights_only_the_cosine_part():
    """Masks of 0 on F_cos leave IFFT2(j F_sin): the odd part of X under (t, v) -> (-t, -v)."""
    out = with_constant_masks("cos_fa", 0.0)(X)
    flipped = torch.roll(torch.flip(X, dims=(2, 3)), shifts=(1, 1), dims=(2, 3))  # X[-t mod T, -v mod V]
    torch.testing.assert_close(out, (X - flipped) / 2, rtol=1e-5, atol=1e-5)


def test_amplitude_fa_loses_the_phase():
    """With all-ones masks aFA returns IFFT2(|FFT2 X|): a shifted input gives the same output."""
    block = with_constant_masks("afa", 1.0)
    shifted = torch.roll(X, shifts=3, dims=2)
    torch.testing.assert_close(block(shifted), block(X), rtol=1e-4, atol=1e-5)
    expected = np.fft.ifft2(np.abs(np.fft.fft2(X.numpy(), norm="ortho")), norm="ortho").real
    np.testing.assert_allclose(block(X).detach().numpy(), expected, rtol=1e-4, atol=1e-5)


def test_spatio_temporal_attention_with_all_ones_mask_is_x_plus_x():
    torch.testing.assert_close(with_constant_masks("st_att", 1.0)(X), X + X)


def test_none_is_the_identity_and_has_no_parameters():
    block = FrequencyAttention("none", 8, 6, reduction=4)
    assert block(X) is X
    assert not list(block.parameters())


def test_masks_are_shared_over_channels_and_differ_between_inputs():
    torch.manual_seed(0)
    block = FrequencyAttention("rfa", 8, 6, reduction=4)
    block.keep_maps = True
    block(X)
    first = block.mask_cos.clone()
    block(torch.randn(2, 5, 8, 6) * 3)
    assert first.shape == (8, 6)
    assert not torch.allclose(first, block.mask_cos)


def test_kept_maps_are_the_channel_mean_magnitude_and_the_masks():
    block = with_constant_masks("rfa", 0.25)
    block(X)
    assert block.magnitude is None, "nothing is kept unless asked"
    block.keep_maps = True
    block(X)
    expected = np.abs(np.fft.fft2(X[0].numpy(), norm="ortho")).mean(axis=0)  # (T, V)
    np.testing.assert_allclose(block.magnitude.numpy(), expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(block.mask_cos, torch.full((8, 6), 0.25))
    torch.testing.assert_close(block.mask_sin, torch.full((8, 6), 0.25))


@pytest.mark.parametrize("kind", FREQUENCY_ATTENTION_KINDS)
def test_every_variant_keeps_its_shape_and_trains(kind):
    torch.manual_seed(0)
    block = FrequencyAttention(kind, 8, 6, reduction=4)
    x = X.clone().requires_grad_()
    out = block(x)
    assert out.shape == X.shape
    out.square().sum().backward()
    assert torch.isfinite(x.grad).all()
    for p in block.parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_parameter_count_is_one_fc_pair_per_part():
    """rFA on T·V = 48 positions, ratio 4: two FC pairs 48→12→48 (weights + biases)."""
    pair = 48 * 12 + 12 + 12 * 48 + 48
    assert sum(p.numel() for p in FrequencyAttention("rfa", 8, 6, 4).parameters()) == 2 * pair
    assert sum(p.numel() for p in FrequencyAttention("sfa", 8, 6, 4).parameters()) == pair


def test_unknown_variant_is_refused():
    with pytest.raises(ValueError, match="unknown frequency attention"):
        FrequencyAttention("wavelet", 8, 6, 4)


def test_half_precision_inputs_are_transformed_in_float32():
    block = with_constant_masks("rfa", 1.0)
    out = block(X.to(torch.bfloat16))
    assert out.dtype == torch.bfloat16
    torch.testing.assert_close(out.float(), 2 * X.to(torch.bfloat16).float(), rtol=2e-2, atol=2e-2)
