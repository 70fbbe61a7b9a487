"""Fine-tuning a model on the user's clip library: what the app's Train dialog runs.

The dialog starts this module in its own process, so training never stalls the window
and Cancel can end it for certain (SIGTERM, then a kill):

    python -m recognizer.finetune --library CLIPS --base starter.safetensors \
        --label drinking --label rowing --out MODELS/my-model-2026-11-26.safetensors

It prints one JSON object per line on stdout (`started`, `step`, `epoch`, then one of
`done`, `cancelled`, `error`); everything else goes to stderr.

A model appears in the models folder only when it is complete. Training writes into a
staging folder (`MODELS/.training/NAME/`, invisible to the Model menu) and the finished
card and weights are moved in at the end, the weights last, since the menu lists models
by their weights file. A cancelled, failed or killed run leaves no file in the models
folder; `discard` removes its staging folder (the parent calls it, because a killed
child cannot).

A fine-tuned model knows only the labels it was trained on. To keep the base model's own
actions as well, `keep_base_labels` rehearses them with clips drawn from the procedural
generator that taught the starter model, which is possible when the generator knows every
one of the base's labels (the starter, or a model fine-tuned from it this way).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recognizer.checkpoint import WEIGHTS_SUFFIX, model_paths, read_card
from recognizer.clips import ClipLibrary
from recognizer.errors import LiveactionError
from recognizer.train import TrainConfig, stratified_split

MIN_CLIPS = 3  # clips a label needs to be trained on (one held out to validate, two to learn)
MIN_LABELS = 2  # a classifier with one class answers the same thing for everything
# Heads only: about 2 s in all on a 2-core CPU. With five clips per action, 10 epochs (one
# or two Adam steps each) left the result to the clips' order: 85-100 % of held-out clips
# over three runs; 20 epochs gave 95-100 % (docs/fine-tuning.md).
DEFAULT_EPOCHS = 20
DEFAULT_VAL_SPLIT = 0.2
LR = 1e-3  # the papers' Adam learning rate, for the whole network
HEAD_LR = 1e-2  # heads alone (frozen backbone): few weights, a larger step learns them in a few epochs
BATCH_SIZE = 8  # small: a library of a few clips per label still gives several steps per epoch
REHEARSAL_PER_LABEL = 8  # generated training clips per base label when keeping the base's actions
REHEARSAL_VAL_PER_LABEL = 2  # and validation clips, so the report shows whether they are still known
REHEARSAL_SECONDS = (2.0, 4.0)  # as long as a recorded clip
STAGING = ".training"
NICENESS = 5  # the training process yields the CPU to the app's live view


@dataclass(frozen=True)
class FinetuneRequest:
    """One fine-tuning run, as the Train dialog fills it in."""

    library: Path  # the clip library folder (Kinetics-skeleton JSON, labels inside)
    base: Path  # model to start from
    labels: tuple[str, ...]  # library labels to train on
    out: Path  # the finished model's weights file in the models folder
    epochs: int = DEFAULT_EPOCHS
    val_split: float = DEFAULT_VAL_SPLIT  # fraction of each label's clips held out for the report
    keep_base_labels: bool = False  # also rehearse the base's own labels with generated clips (when possible)
    freeze_backbone: bool = True  # train the heads only (the measured default: docs/fine-tuning.md)
    seed: int = 0


# ---- decisions (pure) --------------------------------------------------------------------

def label_counts(library: Path) -> dict[str, int]:
    """Clips per label in the library, labels sorted by name."""
    return {label: len(infos) for label, infos in ClipLibrary(library).by_label().items() if label}


def label_problem(count: int) -> str | None:
    """Why a label with `count` clips cannot be trained on, or None."""
    if count < MIN_CLIPS:
        return f"needs at least {MIN_CLIPS} clips to train (has {count})"
    return None


def default_name(today: datetime.date | None = None) -> str:
    return f"my-model-{today or datetime.date.today():%Y-%m-%d}"


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a model file, or None."""
    if not name.strip():
        return "the model needs a name"
    if name != name.strip() or name.startswith(".") or re.search(r'[\\/:*?"<>|\x00-\x1f]', name):
        return "a name cannot start with a dot or contain / \\ : * ? \" < > | or spaces at its ends"
    if len(name) > 100:
        return "the name is longer than 100 characters"
    return None


def free_model_path(folder: Path, name: str) -> Path:
    """`folder/name.safetensors`, or with -2, -3, ... if a model (or a run in progress) has that name."""
    candidate, n = name, 1
    while any(p.exists() for p in (*model_paths(folder / f"{candidate}{WEIGHTS_SUFFIX}"),
                                   folder / STAGING / candidate)):
        n += 1
        candidate = f"{name}-{n}"
    return folder / f"{candidate}{WEIGHTS_SUFFIX}"


def rehearsable(base_labels: Sequence[str]) -> bool:
    """Whether the generator can draw clips of every one of the base model's labels."""
    from recognizer.data.synthetic import OTHER_LABEL, STARTER_CLASSES

    return set(base_labels) <= set(STARTER_CLASSES) | {OTHER_LABEL}


def model_labels(base_labels: Sequence[str], chosen: Sequence[str], keep_base: bool) -> tuple[str, ...]:
    """The fine-tuned model's labels: the base's first (in its order, so their head rows stay put), then new ones."""
    wanted = set(chosen) | (set(base_labels) if keep_base else set())
    known = [label for label in base_labels if label in wanted]
    return tuple(known) + tuple(sorted(wanted - set(base_labels)))


def staging_folder(out: Path) -> Path:
    return out.parent / STAGING / out.stem


# ---- the run -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Prepared:
    """A request turned into a training run: its staged data and TrainConfig."""

    request: FinetuneRequest
    labels: tuple[str, ...]
    train_clips: dict[str, int]  # distinct clips per label in the training folder (before repeats)
    val_clips: dict[str, int]  # clips per label held out for the report
    config: TrainConfig


def prepare(request: FinetuneRequest) -> Prepared:
    """Check the request and stage its data in `staging_folder(out)`: train/ and val/ clip folders.

    Each chosen label's clips are split (`val_split` held out, at least one when it has
    two or more); its training clips are repeated so that every label has about as many
    training samples as the largest (each repeat is augmented differently), so five
    recorded clips are not drowned by the base's rehearsal clips. Rehearsal clips of the
    base's labels are generated for both folders.
    """
    problem = name_problem(request.out.stem)
    if problem is not None:
        raise LiveactionError(f"{request.out.name}: {problem}")
    if any(p.exists() for p in model_paths(request.out)):
        raise LiveactionError(f"{request.out}: a model with this name exists already")
    by_label = ClipLibrary(request.library).by_label()
    chosen = tuple(dict.fromkeys(request.labels))
    for label in chosen:
        problem = label_problem(len(by_label.get(label, [])))
        if problem is not None:
            raise LiveactionError(f"label {label!r} {problem}")
    base_card = read_card(request.base)
    keep = request.keep_base_labels and rehearsable(base_card.labels)
    labels = model_labels(base_card.labels, chosen, keep)
    if len(labels) < MIN_LABELS:
        raise LiveactionError(f"choose at least {MIN_LABELS} labels to train (chosen: {len(labels)})")

    staging = staging_folder(request.out)
    shutil.rmtree(staging, ignore_errors=True)
    train_dir, val_dir = staging / "train", staging / "val"
    train_dir.mkdir(parents=True)
    val_dir.mkdir()
    train_counts, val_counts = dict.fromkeys(labels, 0), dict.fromkeys(labels, 0)
    rng = np.random.default_rng(request.seed)
    if keep:
        held = REHEARSAL_VAL_PER_LABEL if request.val_split > 0 else 0
        for label in base_card.labels:
            for i in range(REHEARSAL_PER_LABEL + held):
                folder = train_dir if i < REHEARSAL_PER_LABEL else val_dir
                _write_rehearsal_clip(folder / f"rehearsal-{label}-{i:02d}.json", label, chosen, base_card.fps, rng)
            train_counts[label] += REHEARSAL_PER_LABEL
            val_counts[label] += held
    splits = {}
    for label in chosen:
        infos = by_label[label]
        train_idx, val_idx = stratified_split([0] * len(infos), request.val_split, request.seed) \
            if request.val_split > 0 else (list(range(len(infos))), [])
        splits[label] = [infos[i] for i in train_idx], [infos[i] for i in val_idx]
    target = max([REHEARSAL_PER_LABEL if keep else 0] + [len(train) for train, _ in splits.values()])
    for label, (train, val) in splits.items():
        for info in val:
            shutil.copyfile(info.path, val_dir / info.path.name)
        for repeat in range(math.ceil(target / len(train))):
            for info in train:
                shutil.copyfile(info.path, train_dir / f"{info.path.stem}-{repeat}.json")
        train_counts[label] += len(train)
        val_counts[label] += len(val)
    has_val = any(val_counts.values())
    config = TrainConfig(
        out=str(staging / request.out.name), data=str(train_dir), base=str(request.base), epochs=request.epochs,
        batch_size=BATCH_SIZE, lr=HEAD_LR if request.freeze_backbone else LR,
        val_data=str(val_dir) if has_val else None, val_split=0.0, freeze_backbone=request.freeze_backbone,
        persons=base_card.persons, seed=request.seed, workers=0, save_optimizer=False, progress_bar=False,
        data_args={"labels": list(labels), "cache": True})
    return Prepared(request, labels, train_counts, val_counts, config)


def _write_rehearsal_clip(path: Path, label: str, new_labels: Sequence[str], fps: float,
                          rng: np.random.Generator) -> None:
    """A generated clip of one of the base's labels; "other" never shows a motion named like a new label."""
    from recognizer.data.formats import SkeletonClip, write_kinetics_json
    from recognizer.data.synthetic import generate_motion, render

    taken = {name.casefold() for name in new_labels}
    while True:
        motion = generate_motion(label, rng, seconds=float(rng.uniform(*REHEARSAL_SECONDS)), fps=fps)
        if motion.kind.casefold() not in taken:
            break
    write_kinetics_json(path, SkeletonClip(render(motion, rng), label=label, fps=fps))


def finish(prepared: Prepared) -> Path:
    """Move the finished model into the models folder (card first, weights last) and clear the staging."""
    request = prepared.request
    staged_weights, staged_card = model_paths(prepared.config.out)
    weights, card = model_paths(request.out)
    os.replace(staged_card, card)
    os.replace(staged_weights, weights)
    shutil.rmtree(staging_folder(request.out), ignore_errors=True)
    return weights


def discard(out: Path) -> None:
    """Remove what an unfinished run of `out` left: its staging folder, a card whose weights never came."""
    shutil.rmtree(staging_folder(out), ignore_errors=True)
    weights, card = model_paths(out)
    if card.exists() and not weights.exists():
        card.unlink(missing_ok=True)


def per_class_report(labels: Sequence[str], val_per_class: dict[str, float], val_clips: dict[str, int],
                     train_clips: dict[str, int]) -> dict[str, dict]:
    """Label → {accuracy on its held-out clips (None without any), held-out clips, training clips}."""
    return {label: {"accuracy": val_per_class.get(label) if val_clips.get(label) else None,
                    "val_clips": val_clips.get(label, 0), "train_clips": train_clips.get(label, 0)}
            for label in labels}


def run(request: FinetuneRequest, emit: Callable[[dict], None], should_stop: Callable[[], bool]) -> Path | None:
    """Fine-tune as `request` says, reporting events to `emit`; the model's path, or None if stopped."""
    from recognizer.train import EpochMetrics, StepProgress, train

    began = time.monotonic()
    try:
        prepared = prepare(request)
        emit({"event": "started", "epochs": request.epochs, "labels": list(prepared.labels),
              "train_clips": prepared.train_clips, "val_clips": prepared.val_clips})

        def progress(event: StepProgress | EpochMetrics) -> None:
            elapsed = time.monotonic() - began
            if isinstance(event, StepProgress):
                emit({"event": "step", "epoch": event.epoch, "epochs": event.epochs, "step": event.step,
                      "steps": event.steps, "loss": event.loss, "elapsed_s": elapsed})
            else:
                emit({"event": "epoch", "epoch": event.epoch, "epochs": event.epochs, "loss": event.train_loss,
                      "val_top1": event.val_top1, "val_per_class": event.val_per_class, "elapsed_s": elapsed})

        result = train(prepared.config, progress_callback=progress, should_stop=should_stop)
        if result.stopped or result.card is None:
            discard(request.out)
            emit({"event": "cancelled", "epochs_done": result.epochs_done})
            return None
        path = finish(prepared)
    except BaseException:
        discard(request.out)
        raise
    last = result.history[-1]
    emit({"event": "done", "model": str(path), "labels": list(result.card.labels), "epochs_done": result.epochs_done,
          "val_top1": last.val_top1, "elapsed_s": time.monotonic() - began,
          "per_class": per_class_report(result.card.labels, last.val_per_class, prepared.val_clips,
                                        prepared.train_clips)})
    return path


def request_from_args(args: argparse.Namespace) -> FinetuneRequest:
    return FinetuneRequest(library=args.library, base=args.base, labels=tuple(args.label), out=args.out,
                           epochs=args.epochs, val_split=args.val_split, keep_base_labels=args.keep_base_labels,
                           freeze_backbone=not args.whole_network, seed=args.seed)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m recognizer.finetune", description=__doc__.splitlines()[0])
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `python -m recognizer.finetune` and `liveaction finetune` (the same run)."""
    p.add_argument("--library", type=Path, required=True, help="clip library folder")
    p.add_argument("--base", type=Path, required=True, help="model to fine-tune")
    p.add_argument("--label", action="append", required=True, help="a library label to train on (repeat)")
    p.add_argument("--out", type=Path, required=True, help="the new model's .safetensors in the models folder")
    p.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    p.add_argument("--val-split", type=float, default=DEFAULT_VAL_SPLIT)
    p.add_argument("--keep-base-labels", action="store_true", help="also rehearse the base model's own labels")
    p.add_argument("--whole-network", action="store_true", help="train the backbone too, not the heads only")
    p.add_argument("--seed", type=int, default=0)


def main(argv: list[str] | None = None) -> int:
    return serve(parser().parse_args(argv))


def serve(args: argparse.Namespace) -> int:
    """Run one fine-tune, reporting JSON lines on stdout.

    Exit status 0: done; 1: cancelled (SIGTERM or Ctrl-C); 2: error (the `error` event says why).
    """
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if hasattr(os, "nice"):
        os.nice(NICENESS)

    def emit(event: dict) -> None:
        print(json.dumps(event, ensure_ascii=False), flush=True)

    try:
        path = run(request_from_args(args), emit, stop.is_set)
    except LiveactionError as error:
        emit({"event": "error", "message": str(error)})
        return 2
    except KeyboardInterrupt:
        emit({"event": "cancelled", "epochs_done": None})
        return 1
    except OSError as error:  # the disk is full, a folder is not writable
        emit({"event": "error", "message": f"{error.filename or 'training'}: {error.strerror or error}"})
        return 2
    except Exception as error:  # a bug or the system (e.g. out of memory): one line here, the traceback on stderr
        import traceback

        traceback.print_exc()
        emit({"event": "error", "message": f"training failed: {type(error).__name__}: {error}"})
        return 2
    return 0 if path is not None else 1


if __name__ == "__main__":
    sys.exit(main())
