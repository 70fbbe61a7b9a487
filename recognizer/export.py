"""Hand models and data to other tools: a model as ONNX, recorded clips as a pyskl pickle.

ONNX: the inference path (concat head) with a dynamic batch axis, input
`skeletons float32 (N, C, T, V, M)` already preprocessed as the card says, output `logits
(N, K)`. The card's labels and preprocessing travel in the ONNX metadata (`liveaction_card`,
JSON) so a consumer needs nothing else. Every export is checked: onnxruntime's output on a
random batch must equal torch's within `tolerance`, relative to the logits' size (float32
rounding grows with them: a batch norm of a channel that never varied in training, such as
a constant detection score, magnifies the random input several hundred times), or nothing
is written.

pyskl: a folder of Kinetics-skeleton JSON (recordings, the clip library) becomes the
annotation pickle pyskl / mmaction2 train from (`recognizer.data.pyskl.export_pyskl`), with
class ids in a fixed label order (a model's, or sorted names) and a label list beside it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from recognizer import atomic
from recognizer.checkpoint import ModelCard
from recognizer.errors import BadFileError, LiveactionError

ONNX_OPSET = 18  # DFT (for the frequency attention) needs >= 17


@dataclass(frozen=True)
class OnnxExport:
    path: Path
    max_abs_diff: float  # onnxruntime vs torch on the check batch
    opset: int


def export_onnx(model: torch.nn.Module, card: ModelCard, path: str | os.PathLike, *, opset: int = ONNX_OPSET,
                tolerance: float = 1e-4, check_batch: int = 3) -> OnnxExport:
    """Write `model` as ONNX at `path` (atomically) after checking it against onnxruntime."""
    import onnx
    import onnxruntime

    model = model.eval().to("cpu")
    c = card.config
    example = torch.randn(2, c["in_channels"], c["T"], c["num_joints"], card.persons)  # (N, C, T, V, M)
    batch = torch.export.Dim("batch", min=1)
    with _quiet_exporter():
        try:
            program = torch.onnx.export(model, (example,), input_names=["skeletons"], output_names=["logits"],
                                        dynamic_shapes={"x": {0: batch}}, opset_version=opset, dynamo=True,
                                        verbose=False)
        except Exception as error:  # noqa: BLE001 — the exporter raises many types; all mean "this model won't go"
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise LiveactionError(f"{card.preset} cannot be exported to ONNX opset {opset}: {reason}") from None
    proto = program.model_proto
    onnx.helper.set_model_props(proto, {"liveaction_card": json.dumps(card.to_json()),
                                        "labels": json.dumps(list(card.labels))})
    data = proto.SerializeToString()

    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    check = torch.randn(check_batch, *example.shape[1:])
    with torch.inference_mode():
        expected = model(check).numpy()
    got = session.run(["logits"], {"skeletons": check.numpy()})[0]
    gap = np.abs(got - expected)  # (N, K)
    if not (gap <= tolerance * (1.0 + np.abs(expected))).all():
        raise LiveactionError(f"the ONNX model differs from torch by {gap.max():.2e} (> {tolerance:.0e} of logits up "
                              f"to {float(np.abs(expected).max()):.3g}); not written")
    atomic.write_bytes(path, data)
    return OnnxExport(Path(path), float(gap.max()), opset)


@dataclass(frozen=True)
class PysklExport:
    path: Path
    labels_path: Path
    clips: int
    labels: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (file, problem)


def export_pyskl_folder(folder: str | os.PathLike, path: str | os.PathLike, *, labels: Sequence[str] | None = None,
                        val_split: float = 0.0, seed: int = 0,
                        img_shape: tuple[int, int] = (1080, 1920)) -> PysklExport:
    """Turn a folder of Kinetics-skeleton JSON clips into a pyskl annotation pickle at `path`.

    Class ids follow `labels` (clips with other labels are skipped) or, without it, the
    sorted label names; the label names are written to `<path stem>_labels.txt`, one per
    line in id order (pyskl's label-map convention). `val_split` puts that fraction of each
    class into the "val" split. Unreadable or unlabelled files are skipped and listed.
    """
    from recognizer.data.formats import read_kinetics_json
    from recognizer.data.pyskl import export_pyskl

    folder = Path(folder)
    if not folder.is_dir():
        raise BadFileError(folder, "is not a folder of Kinetics-skeleton JSON clips")
    clips, names, skipped = [], [], []
    for file in sorted(folder.glob("*.json")):
        try:
            clip = read_kinetics_json(file)
        except BadFileError as error:
            skipped.append((str(file), error.problem))
            continue
        if clip.label is None:
            skipped.append((str(file), "has no label"))
            continue
        clips.append(clip)
        names.append(file.stem)
    order = tuple(labels) if labels is not None else tuple(sorted({clip.label for clip in clips}))
    index = {label: k for k, label in enumerate(order)}
    kept = [(clip, name) for clip, name in zip(clips, names) if clip.label in index]
    skipped += [(str(folder / f"{name}.json"), f"label {clip.label!r} is not one of the {len(order)} labels")
                for clip, name in zip(clips, names) if clip.label not in index]
    if not kept:
        raise LiveactionError(f"{folder}: no labelled clips to export ({len(skipped)} skipped)")
    for clip, _ in kept:
        clip.label_index = index[clip.label]
    kept_names = [name for _, name in kept]
    split = _split([clip.label_index for clip, _ in kept], kept_names, val_split, seed)
    export_pyskl(path, [clip for clip, _ in kept], kept_names, split=split, img_shape=img_shape)
    labels_path = Path(path).with_name(Path(path).stem + "_labels.txt")
    atomic.write_text(labels_path, "".join(f"{label}\n" for label in order))
    return PysklExport(Path(path), labels_path, len(kept), order, tuple(skipped))


def _split(targets: Sequence[int], names: Sequence[str], fraction: float, seed: int) -> dict[str, list[str]]:
    if fraction <= 0:
        return {"train": list(names)}
    from recognizer.train import stratified_split

    train_idx, val_idx = stratified_split(targets, fraction, seed)
    return {"train": [names[i] for i in train_idx], "val": [names[i] for i in val_idx]}


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The ONNX exporter logs progress and optional-package notes; a CLI export wants one line."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
