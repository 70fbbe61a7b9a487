"""``create_model`` / ``list_models``: the one place names turn into models (timm's API).

A plain dict maps each preset name to its config and the builder of its family; no
import side effects register anything. ``create_model(model.preset, model.num_classes,
model.two_stream, **dataclasses.asdict(model.config))`` rebuilds the same architecture,
which is how checkpoints restore models (JSON turns tuples into lists; they are turned
back here).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from recognizer.models import presets
from recognizer.models.classifier import SkeletonClassifier
from recognizer.models.san import build_ts_san
from recognizer.models.slnl_rfa import build_slnl_rfa

Builder = Callable[[str, Any, int, bool], SkeletonClassifier]

_REGISTRY: dict[str, tuple[Any, Builder]] = {
    "slnl_rfa_ntu": (presets.SLNL_RFA_NTU, build_slnl_rfa),
    "slnl_rfa_kinetics": (presets.SLNL_RFA_KINETICS, build_slnl_rfa),
    "slnl_rfa_lite": (presets.SLNL_RFA_LITE, build_slnl_rfa),
    "ts_san_ntu": (presets.TS_SAN_NTU, build_ts_san),
    "ts_san_kinetics": (presets.TS_SAN_KINETICS, build_ts_san),
}


def list_models() -> list[str]:
    """Names ``create_model`` accepts, sorted."""
    return sorted(_REGISTRY)


def model_config(name: str, **overrides: Any) -> Any:
    """The preset's frozen config with ``overrides`` applied (without building the model)."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(list_models())}")
    config = _REGISTRY[name][0]
    fields = {f.name: f for f in dataclasses.fields(config)}
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        raise ValueError(f"{name} has no config field(s) {unknown}; fields: {', '.join(fields)}")
    coerced = {
        key: tuple(value) if isinstance(getattr(config, key), tuple) and isinstance(value, list) else value
        for key, value in overrides.items()
    }
    return dataclasses.replace(config, **coerced)


def create_model(name: str, num_classes: int, two_stream: bool = True, **overrides: Any) -> SkeletonClassifier:
    """Build preset ``name`` with ``num_classes`` outputs.

    ``two_stream=False`` gives the position stream alone (one ``"concat"`` head);
    ``overrides`` replace fields of the preset's config, e.g. ``T=32, num_joints=18``.
    """
    if num_classes < 1:
        raise ValueError(f"num_classes must be positive, got {num_classes}")
    config = model_config(name, **overrides)
    return _REGISTRY[name][1](name, config, num_classes, two_stream)
