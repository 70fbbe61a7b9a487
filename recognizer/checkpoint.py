"""Model files: safetensors weights plus a JSON sidecar that rebuilds and feeds the model.

A model is two files side by side:

    walking.safetensors   the state dict as safetensors (a JSON header + raw tensor bytes; no code)
    walking.json          the ModelCard: preset + config (rebuilds the architecture), labels,
                          the preprocessing contract (layout, T, normalization, crops), fps,
                          background label, threshold, data summary, metrics, project version,
                          and the SHA-256 of the weights file it belongs to

so a model loads from its files alone (nanoGPT's `model_args`, timm's `PretrainedCfg`).
The sidecar is plain JSON on purpose: people read it, and may edit `threshold` by hand.

Loading trusts nothing. The sidecar is type-checked field by field, the architecture is
first built on the `meta` device (no memory) and compared, key by key, shape by shape and
dtype by dtype, with the safetensors header before any tensor is read, and the weights'
hash must match the sidecar's. Anything else — a `torch.save` pickle, a truncated file, a
sidecar of another model, NaN weights — is a `BadFileError`: one line naming the file and
the problem. Nothing is ever unpickled, so a hostile pickle cannot run code here.

Saving is atomic per file (temporary file + rename), and the two renames follow each
other immediately; should a crash ever fall between them, the hash check refuses the
mismatched pair instead of loading weights under the wrong card.

Optimizer state for resuming lives in a third, optional file (`walking.optim.safetensors`,
see `save_optimizer_state`), so shipped models stay small.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
from torch import nn

from recognizer import __version__, atomic
from recognizer.errors import BadFileError, LiveactionError
from recognizer.preprocess import Preprocessing
from recognizer.skeleton import LAYOUTS

FORMAT = "liveaction-model"
FORMAT_VERSION = 1
WEIGHTS_SUFFIX = ".safetensors"
SIDECAR_SUFFIX = ".json"
OPTIMIZER_SUFFIX = ".optim.safetensors"
MAX_SIDECAR_BYTES = 16 * 2**20  # a card is a few kB; anything this big is not one
MAX_HEADER_BYTES = 64 * 2**20  # safetensors' own limit is 100 MB

# safetensors dtype names → torch dtypes we accept in a model file.
_DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
           "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
           "BOOL": torch.bool}
_CARD_KEYS = ("format", "format_version", "preset", "config", "num_classes", "two_stream", "labels",
              "preprocessing", "fps", "persons", "background_label", "threshold", "data", "metrics",
              "training", "version", "weights_sha256")


@dataclass(frozen=True)
class ModelCard:
    """Everything about a model besides its weights: the sidecar's content.

    `config` is the model config in JSON form (`dataclasses.asdict`, tuples as lists):
    `create_model(preset, num_classes, two_stream, **config)` rebuilds the architecture.
    """

    preset: str  # registry name, see recognizer.models.list_models()
    config: dict  # the preset's config with this model's overrides, JSON form
    num_classes: int
    two_stream: bool  # position + velocity streams (three heads), or position only
    labels: tuple[str, ...]  # class names; index = output index
    preprocessing: Preprocessing  # layout, T, normalization and crops the model was trained with
    fps: float = 30.0  # frame rate of the training data; live input is resampled to it
    persons: int = 2  # M: person slots in the training input
    background_label: str | None = None  # a "none of these actions" class, shown as "unknown"
    threshold: float | None = None  # confidence below which the answer is "unknown" (None: caller's default)
    data: dict = field(default_factory=dict)  # what it was trained on: spec, sample counts, skipped
    metrics: dict = field(default_factory=dict)  # validation results of the saved epoch
    training: dict = field(default_factory=dict)  # training config and epochs done, for --resume
    version: str = __version__  # liveaction version that wrote the file

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        if len(self.labels) != self.num_classes:
            raise ValueError(f"{len(self.labels)} labels for {self.num_classes} classes")
        if any(not isinstance(label, str) or not label.strip() for label in self.labels):
            raise ValueError("labels must be non-empty strings")
        if len(set(self.labels)) != len(self.labels):
            duplicate = next(label for label in self.labels if self.labels.count(label) > 1)
            raise ValueError(f"label {duplicate!r} appears twice")
        if self.background_label is not None and self.background_label not in self.labels:
            raise ValueError(f"background_label {self.background_label!r} is not one of the labels")
        if self.threshold is not None and not 0 <= self.threshold <= 1:
            raise ValueError(f"threshold must be within [0, 1], got {self.threshold!r}")
        if not (math.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"fps must be a positive number, got {self.fps!r}")
        if self.persons < 1:
            raise ValueError(f"persons must be at least 1, got {self.persons!r}")
        layout = LAYOUTS[self.preprocessing.layout]
        if self.config.get("T") != self.preprocessing.T:
            raise ValueError(f"the model reads T={self.config.get('T')} frames but preprocessing "
                             f"makes {self.preprocessing.T}")
        if self.config.get("num_joints") != layout.num_joints:
            raise ValueError(f"the model reads {self.config.get('num_joints')} joints but layout "
                             f"{layout.name} has {layout.num_joints}")

    @classmethod
    def for_model(cls, model: nn.Module, labels, preprocessing: Preprocessing, **fields: Any) -> ModelCard:
        """The card of `model` (preset, config, classes and streams taken from it)."""
        return cls(preset=model.preset, config=_config_json(model.config), num_classes=model.num_classes,
                   two_stream=model.two_stream, labels=tuple(labels), preprocessing=preprocessing, **fields)

    def to_json(self) -> dict:
        """The sidecar's content (without the weights hash, which `save_model` adds)."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "preset": self.preset,
            "config": self.config,
            "num_classes": self.num_classes,
            "two_stream": self.two_stream,
            "labels": list(self.labels),
            "preprocessing": self.preprocessing.to_dict(),
            "fps": self.fps,
            "persons": self.persons,
            "background_label": self.background_label,
            "threshold": self.threshold,
            # Free-form sections: a NaN loss must not stop a checkpoint from being written.
            "data": json_safe(self.data),
            "metrics": json_safe(self.metrics),
            "training": json_safe(self.training),
            "version": self.version,
        }

    @classmethod
    def from_json(cls, doc: Any, path: str | os.PathLike) -> ModelCard:
        """Validate a parsed sidecar; every problem is a `BadFileError` naming `path`."""
        if not isinstance(doc, dict):
            raise BadFileError(path, "is not a liveaction model card (expected a JSON object)")
        if doc.get("format") != FORMAT:
            raise BadFileError(path, f"is not a liveaction model card (no \"format\": \"{FORMAT}\")")
        if doc.get("format_version") != FORMAT_VERSION:
            raise BadFileError(path, f"has model card format_version {doc.get('format_version')!r:.20}; this "
                                     f"liveaction {__version__} reads version {FORMAT_VERSION}")
        unknown = sorted(set(doc) - set(_CARD_KEYS))
        if unknown:
            raise BadFileError(path, f"has unknown model card keys {unknown[:5]}")
        check = _Checker(path, doc)
        from recognizer.models import list_models

        preset = check.value("preset", str)
        if preset not in list_models():
            raise BadFileError(path, f"names unknown preset {preset!r:.60}; known: {', '.join(list_models())}")
        config = check.value("config", dict)
        for key, value in config.items():
            if not _is_config_value(value):
                raise BadFileError(path, f"config field {key!r:.40} has a value of an unsupported type")
        labels = check.value("labels", list)
        try:
            preprocessing = Preprocessing.from_dict(check.value("preprocessing", dict))
        except ValueError as error:
            raise BadFileError(path, f"has bad preprocessing: {error}") from None
        try:
            return cls(
                preset=preset, config=config, num_classes=check.value("num_classes", int),
                two_stream=check.value("two_stream", bool), labels=tuple(labels), preprocessing=preprocessing,
                fps=float(check.value("fps", (int, float))), persons=check.value("persons", int),
                background_label=check.value("background_label", str, optional=True),
                threshold=check.value("threshold", (int, float), optional=True),
                data=check.value("data", dict), metrics=check.value("metrics", dict),
                training=check.value("training", dict), version=check.value("version", str),
            )
        except (ValueError, TypeError, OverflowError) as error:
            raise BadFileError(path, f"is an inconsistent model card: {_first_line(error)}") from None

    def build(self) -> nn.Module:
        """A fresh (untrained) model of this card's architecture."""
        from recognizer.models import create_model

        return create_model(self.preset, self.num_classes, self.two_stream, **self.config)


def model_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """(weights, sidecar) of a model named by either file: `m.safetensors` ↔ `m.json`."""
    path = Path(path)
    if path.name.endswith(OPTIMIZER_SUFFIX):
        raise LiveactionError(f"{path}: is optimizer state for resuming, not a model; "
                              f"give {path.name[:-len(OPTIMIZER_SUFFIX)]}{WEIGHTS_SUFFIX}")
    if path.suffix == WEIGHTS_SUFFIX:
        return path, path.with_suffix(SIDECAR_SUFFIX)
    if path.suffix == SIDECAR_SUFFIX:
        return path.with_suffix(WEIGHTS_SUFFIX), path
    raise LiveactionError(f"{path}: a model file ends in {WEIGHTS_SUFFIX} (with its {SIDECAR_SUFFIX} beside it)")


def optimizer_path(path: str | os.PathLike) -> Path:
    """Where the optimizer state of model `path` is kept: `m.optim.safetensors`."""
    weights, _ = model_paths(path)
    return weights.with_name(weights.stem + OPTIMIZER_SUFFIX)


def save_model(path: str | os.PathLike, model: nn.Module, card: ModelCard) -> None:
    """Write `model`'s weights and `card` as `path` (.safetensors) and its .json sidecar, atomically.

    The card must describe the model (same preset, config, classes and streams); a
    mismatch is a programming error (ValueError), caught before anything is written.
    """
    weights_path, sidecar_path = model_paths(path)
    if (card.preset, card.config, card.num_classes, card.two_stream) != (
            model.preset, _config_json(model.config), model.num_classes, model.two_stream):
        raise ValueError(f"the card describes {card.preset} with {card.num_classes} classes, but the model is "
                         f"{model.preset} with {model.num_classes} classes (or another config)")
    tensors = {name: t.detach().to("cpu").contiguous() for name, t in model.state_dict().items()}
    weights = save_safetensors(tensors, metadata={"format": FORMAT})
    doc = card.to_json()
    doc["weights_sha256"] = hashlib.sha256(weights).hexdigest()
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic.atomic_path(sidecar_path) as sidecar_tmp:
        with atomic.atomic_path(weights_path) as weights_tmp:
            weights_tmp.write_bytes(weights)
            sidecar_tmp.write_text(text, encoding="utf-8")


def read_card(path: str | os.PathLike) -> ModelCard:
    """The validated card of model `path` without reading the weights (model lists, --help)."""
    return _read_sidecar(model_paths(path)[1])[0]


def load_model(path: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[nn.Module, ModelCard]:
    """Load model `path` (either of its two files) in eval mode on `device`, with its card.

    Raises `BadFileError` (one line) for anything that is not exactly a liveaction model.
    """
    weights_path, sidecar_path = model_paths(path)
    card, expected_hash = _read_sidecar(sidecar_path)
    raw = _read_bytes(weights_path, what="weights file")
    if hashlib.sha256(raw).hexdigest() != expected_hash:
        raise BadFileError(weights_path, f"does not belong to {sidecar_path.name} (its SHA-256 differs from "
                                         f"the one recorded there; was one of the two replaced?)")
    header = _safetensors_header(weights_path, raw)
    try:
        with torch.device("meta"):  # shapes and dtypes only: a hostile config allocates nothing
            skeleton = card.build()
    except Exception as error:  # noqa: BLE001 — untrusted values reach the constructors; any failure is the file's
        raise BadFileError(sidecar_path, f"has a config that does not build a {card.preset} model: "
                                         f"{_first_line(error)}") from None
    _check_header(weights_path, header, skeleton.state_dict())
    try:
        tensors = load_safetensors(raw)
    except (SafetensorError, ValueError, RuntimeError) as error:
        raise BadFileError(weights_path, f"is a damaged safetensors file ({_first_line(error)})") from None
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise BadFileError(weights_path, f"has NaN or infinite values in {name}")
    model = card.build()
    model.load_state_dict(tensors, strict=True)
    return model.to(device).eval(), card


def save_optimizer_state(path: str | os.PathLike, optimizer: torch.optim.Optimizer) -> None:
    """Write `optimizer.state_dict()` beside model `path` (see `optimizer_path`), atomically.

    Tensors go in as safetensors; the rest (param groups, which state is a tensor) goes
    in the header's metadata as JSON.
    """
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    layout: dict[str, dict[str, Any]] = {}
    for index, entry in state["state"].items():
        layout[str(index)] = {}
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{index}.{key}"] = value.detach().to("cpu").contiguous()
                layout[str(index)][key] = None
            else:
                layout[str(index)][key] = value
    metadata = {"format": f"{FORMAT}-optimizer", "param_groups": json.dumps(state["param_groups"]),
                "state": json.dumps(layout)}
    atomic.write_bytes(optimizer_path(path), save_safetensors(tensors, metadata=metadata))


def load_optimizer_state(path: str | os.PathLike, optimizer: torch.optim.Optimizer) -> bool:
    """Restore the state `save_optimizer_state` wrote for model `path`; False if there is none."""
    file = optimizer_path(path)
    if not file.exists():
        return False
    raw = _read_bytes(file, what="optimizer state")
    header = _safetensors_header(file, raw)
    metadata = header.get("__metadata__", {})
    try:
        if metadata.get("format") != f"{FORMAT}-optimizer":
            raise ValueError("not liveaction optimizer state")
        groups = json.loads(metadata["param_groups"])
        layout = json.loads(metadata["state"])
        tensors = load_safetensors(raw)
        state = {int(index): {key: tensors[f"{index}.{key}"] if value is None else value
                              for key, value in entry.items()}
                 for index, entry in layout.items()}
        params = [p for group in optimizer.param_groups for p in group["params"]]
        for index, entry in state.items():
            if not 0 <= index < len(params):
                raise ValueError(f"state for parameter {index} of {len(params)}")
            for key, value in entry.items():
                if isinstance(value, torch.Tensor) and value.ndim and value.shape != params[index].shape:
                    raise ValueError(f"{key} of parameter {index} has shape {list(value.shape)}, "
                                     f"the parameter {list(params[index].shape)}")
        optimizer.load_state_dict({"state": state, "param_groups": groups})
    except (SafetensorError, ValueError, KeyError, TypeError, AttributeError, RuntimeError) as error:
        raise BadFileError(file, f"does not fit this model's optimizer ({_first_line(error)})") from None
    return True


def _read_sidecar(path: Path) -> tuple[ModelCard, str]:
    raw = _read_bytes(path, what="model card", limit=MAX_SIDECAR_BYTES)
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadFileError(path, "is not a JSON model card (damaged or not JSON)") from None
    card = ModelCard.from_json(doc, path)
    digest = doc.get("weights_sha256")
    if not (isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
        raise BadFileError(path, "has no valid \"weights_sha256\"")
    return card, digest


def _read_bytes(path: Path, what: str, limit: int | None = None) -> bytes:
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise BadFileError(path, f"is {size} bytes, too large for a {what}")
        return path.read_bytes()
    except FileNotFoundError:
        raise BadFileError(path, f"does not exist (the {what} of a model)") from None
    except IsADirectoryError:
        raise BadFileError(path, f"is a folder, not a {what}") from None
    except OSError as error:
        raise BadFileError(path, f"cannot be read ({error.strerror or error})") from None


def _safetensors_header(path: Path, raw: bytes) -> dict:
    """The parsed JSON header of a safetensors file, recognizing the usual impostors by their first bytes."""
    if raw[:2] in (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"):
        raise BadFileError(path, "is a Python pickle, not safetensors; liveaction never loads pickles")
    if raw[:4] == b"PK\x03\x04":
        raise BadFileError(path, "is a torch.save (zip + pickle) file, not safetensors; liveaction never loads those")
    if len(raw) < 8:
        raise BadFileError(path, f"is truncated ({len(raw)} bytes; not a safetensors file)")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > MAX_HEADER_BYTES or 8 + length > len(raw):
        raise BadFileError(path, "is truncated or not a safetensors file (its header length does not fit)")
    try:
        header = json.loads(raw[8:8 + length])
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise BadFileError(path, "is not a safetensors file (its header is not JSON)") from None
    if not isinstance(header, dict):
        raise BadFileError(path, "is not a safetensors file (its header is not a JSON object)")
    return header


def _check_header(path: Path, header: dict, expected: dict[str, torch.Tensor]) -> None:
    """Every tensor the model has, with its shape and dtype, and nothing else."""
    entries = {name: entry for name, entry in header.items() if name != "__metadata__"}
    missing = sorted(set(expected) - set(entries))
    extra = sorted(set(entries) - set(expected))
    if missing or extra:
        detail = f"lacks {missing[0]}" if missing else f"has unexpected tensor {extra[0]!r:.80}"
        raise BadFileError(path, f"does not fit its card's architecture ({detail}; "
                                 f"{len(missing)} missing, {len(extra)} unexpected)")
    for name, tensor in expected.items():
        entry = entries[name]
        if not isinstance(entry, dict):
            raise BadFileError(path, f"has a malformed header entry for {name}")
        if entry.get("shape") != list(tensor.shape):
            raise BadFileError(path, f"has {name} of shape {entry.get('shape')!r:.60}, the architecture "
                                     f"needs {list(tensor.shape)}")
        if _DTYPES.get(entry.get("dtype")) != tensor.dtype:
            raise BadFileError(path, f"has {name} of dtype {entry.get('dtype')!r:.20}, expected {tensor.dtype}")


class _Checker:
    """Typed access to a sidecar's fields, each problem a one-line BadFileError."""

    def __init__(self, path, doc: dict):
        self.path, self.doc = path, doc

    def value(self, key: str, kind, optional: bool = False):
        if key not in self.doc:
            if optional:
                return None
            raise BadFileError(self.path, f"lacks the model card field {key!r}")
        value = self.doc[key]
        if value is None and optional:
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:  # JSON true is not a number here
            raise BadFileError(self.path, f"field {key!r} must be {_kind_name(kinds)}, found a boolean")
        if not isinstance(value, kinds) or (isinstance(value, float) and not math.isfinite(value)):
            raise BadFileError(self.path, f"field {key!r} must be {_kind_name(kinds)}, found {value!r:.40}")
        return value


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _kind_name(kinds: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "an object",
             list: "a list"}
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def _is_config_value(value: Any) -> bool:
    """A config field as JSON gives it: a scalar, or a flat list of scalars (a tuple field)."""
    if isinstance(value, list):
        return all(isinstance(v, (str, int, float, bool)) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _config_json(config: Any) -> dict:
    """A model config dataclass in the JSON form the card stores (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config)))


def json_safe(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None (strict JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
