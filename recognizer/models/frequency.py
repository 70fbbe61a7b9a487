"""Frequency attention on the transformed skeleton (TMM 2020 §III-B, ablations in Table VII).

The transformed action X' (C' channels × T frames × N' virtual joints) is a stack of
pseudo-images. Its 2-D DFT over (time, joint) splits, per channel, into the cosine part
F_cos = Re(FFT2 X') and the sine part F_sin = Im(FFT2 X') (Eq. 1). The residual frequency
attention (rFA) learns one weight per frequency for each part:

    M_i   = sigmoid(FC(ReLU(FC(mean_c F_i))))      i ∈ {cos, sin}   (Eq. 2; bottleneck ratio λ)
    F'_i  = F_i ⊙ M_i                              (Eqs. 3-4; same mask for every channel)
    X''   = X' + IFFT2(F'_cos + j F'_sin)           (Eq. 5)

The masks are computed from each input (squeeze-and-excitation style), so the network
can emphasise the frequencies that matter for the action it is looking at.

Every variant the papers compare is selectable by name (``FrequencyAttentionKind``):

- ``"none"``   no frequency attention (Baseline₂); X'' = X'.
- ``"afa"``    amplitude FA: the mask is learned on the amplitude spectrum F_A and applied
               to it, and X'' = IFFT2(F_A ⊙ M_A). The phase is lost, which is why the
               papers find it harmful.
- ``"cos_fa"`` cosine FA: only F_cos is re-weighted, F_sin passes unchanged.
- ``"sin_fa"`` sinusoidal FA: only F_sin is re-weighted, F_cos passes unchanged.
- ``"sfa"``    shared FA: one FC pair computes both masks (from F_cos and from F_sin).
- ``"dfa"``    dependent FA: one FC pair per part; X'' = IFFT2(F'_cos + j F'_sin).
- ``"rfa"``    residual FA: dFA plus the spatio-temporal residual (the adopted model).
- ``"st_att"`` residual spatio-temporal attention: the same FC pair on X' itself,
               X'' = X' + X' ⊙ M (the TMM 2020 comparison without the frequency domain).

Two readings we had to make, neither stated in the papers:
- The FFT is orthonormal (``norm="ortho"``), so spectra have the scale of X' and the FC
  inputs stay well conditioned; an IFFT2 of an unchanged spectrum is X' exactly, so an
  rFA whose masks are all ones outputs X' + X'.
- A mask that is not symmetric under (u, v) → (−u, −v) breaks the Hermitian symmetry of
  a real signal's spectrum; we keep the real part of the IFFT (which equals the IFFT of
  the spectrum's Hermitian-symmetric part).
"""

from __future__ import annotations

from typing import Literal, get_args

import torch
from torch import Tensor, nn

FrequencyAttentionKind = Literal["none", "afa", "cos_fa", "sin_fa", "sfa", "dfa", "rfa", "st_att"]
FREQUENCY_ATTENTION_KINDS: tuple[str, ...] = get_args(FrequencyAttentionKind)

# Which learned masks (FC pairs) each variant owns.
_MASKS: dict[str, tuple[str, ...]] = {
    "none": (),
    "afa": ("amplitude",),
    "cos_fa": ("cos",),
    "sin_fa": ("sin",),
    "sfa": ("shared",),
    "dfa": ("cos", "sin"),
    "rfa": ("cos", "sin"),
    "st_att": ("spatiotemporal",),
}


def _mask_net(size: int, reduction: int) -> nn.Sequential:
    """FC (bottleneck, ratio λ) → ReLU → FC → sigmoid, over the T·V positions of one map."""
    hidden = max(1, size // reduction)
    return nn.Sequential(nn.Linear(size, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, size), nn.Sigmoid())


class FrequencyAttention(nn.Module):
    """One frequency-attention block for inputs of exactly ``frames`` × ``joints``.

    After a forward with ``keep_maps`` set, for batch element 0:
    ``magnitude`` is |FFT2 X'| averaged over channels, ``(T, V)``, zero frequency at
    ``[0, 0]`` (apply ``fftshift`` to centre it); ``mask_cos`` / ``mask_sin`` are the
    weights applied to F_cos / F_sin, ``(T, V)``, or None where the variant does not
    weight that part (then it passes unchanged, or — ``afa``, ``st_att`` — the variant
    does not work on cos/sin at all).
    """

    def __init__(self, kind: FrequencyAttentionKind, frames: int, joints: int, reduction: int):
        super().__init__()
        if kind not in _MASKS:
            raise ValueError(f"unknown frequency attention {kind!r}; expected one of {FREQUENCY_ATTENTION_KINDS}")
        self.kind = kind
        self.masks = nn.ModuleDict({name: _mask_net(frames * joints, reduction) for name in _MASKS[kind]})
        self.keep_maps = False
        self.magnitude: Tensor | None = None
        self.mask_cos: Tensor | None = None
        self.mask_sin: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:  # (B, C, T, V) -> (B, C, T, V)
        if self.kind in ("none", "st_att"):  # no frequency domain: FFT only for the maps
            if self.keep_maps:
                self._keep(torch.fft.fft2(x.float(), norm="ortho"), None, None)
            return x if self.kind == "none" else x + x * self._mask("spatiotemporal", x)
        # The FFTs run in float32 whatever autocast chose: half-precision FFTs need
        # power-of-two sizes and few operations support complex halves.
        return self._in_frequency_domain(x.float()).to(x.dtype)

    def _in_frequency_domain(self, x: Tensor) -> Tensor:
        spectrum = torch.fft.fft2(x, norm="ortho")  # (B, C, T, V) complex, over (T, V)
        if self.kind == "afa":
            amplitude = spectrum.abs()  # (B, C, T, V)
            if self.keep_maps:
                self._keep(spectrum, None, None)
            return torch.fft.ifft2(amplitude * self._mask("amplitude", amplitude), norm="ortho").real
        cos, sin = spectrum.real, spectrum.imag  # (B, C, T, V) each
        if self.kind == "sfa":
            m_cos, m_sin = self._mask("shared", cos), self._mask("shared", sin)
        else:
            m_cos = self._mask("cos", cos) if "cos" in self.masks else None
            m_sin = self._mask("sin", sin) if "sin" in self.masks else None
        if self.keep_maps:
            self._keep(spectrum, m_cos, m_sin)
        cos = cos if m_cos is None else cos * m_cos
        sin = sin if m_sin is None else sin * m_sin
        out = torch.fft.ifft2(torch.complex(cos, sin), norm="ortho").real  # (B, C, T, V)
        return x + out if self.kind == "rfa" else out

    def _mask(self, name: str, component: Tensor) -> Tensor:
        """Channel average → FC pair → sigmoid; returns (B, 1, T, V), shared by all channels."""
        B, _, T, V = component.shape
        squeezed = component.mean(dim=1).reshape(B, T * V)  # (B, T*V)
        return self.masks[name](squeezed).reshape(B, 1, T, V)  # (B, 1, T, V)

    def _keep(self, spectrum: Tensor, m_cos: Tensor | None, m_sin: Tensor | None) -> None:
        self.magnitude = spectrum[0].abs().mean(dim=0).detach()  # (T, V)
        self.mask_cos = None if m_cos is None else m_cos[0, 0].detach().float()  # (T, V)
        self.mask_sin = None if m_sin is None else m_sin[0, 0].detach().float()  # (T, V)
