"""`liveaction train`: train, fine-tune or resume a model (also `torchrun ... -m recognizer.train`).

    liveaction train --preset slnl_rfa_lite --data synthetic --epochs 30 --out starter.safetensors
    liveaction train --base starter.safetensors --data my_clips/ --epochs 10 --out mine.safetensors
    torchrun --nproc_per_node 4 -m recognizer.train --preset slnl_rfa_ntu --data NTU/ --out ntu.safetensors
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from recognizer.errors import LiveactionError


def add_parser(sub, name: str, summary: str) -> None:
    parser = sub.add_parser(name, help=summary, description=summary)
    add_arguments(parser)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `liveaction train` and `python -m recognizer.train` (one definition for both)."""
    what = parser.add_argument_group("what to train")
    what.add_argument("--preset", help="model preset (see docs/training.md); not needed with --base/--resume")
    what.add_argument("--data", required=True,
                      help="folder of Kinetics-skeleton JSON files, NTU .skeleton folder, or 'synthetic'")
    what.add_argument("--out", required=True, type=Path, help="model file to write (.safetensors, .json beside it)")
    what.add_argument("--epochs", type=int, help="total epochs (default: the preset's recipe)")
    what.add_argument("--base", help="fine-tune this model: keep its backbone, new head for the data's labels")
    what.add_argument("--freeze-backbone", action="store_true", help="with --base: train the heads only")
    what.add_argument("--resume", help="continue the run that wrote this model (epoch count continues)")
    what.add_argument("--val-data", help="separate validation data (default: the data's val split or a hold-out)")
    what.add_argument("--val-split", type=float, default=0.1,
                      help="fraction per class held out for validation when the data has no split (default 0.1)")
    what.add_argument("--persons", type=int, default=2, help="person slots per clip (default 2; 1 for solo clips)")
    what.add_argument("--data-arg", action="append", default=[], metavar="KEY=VALUE",
                      help="extra dataset argument, e.g. n_per_class=50 for synthetic (repeatable)")

    recipe = parser.add_argument_group("recipe (defaults: the preset's paper settings)")
    recipe.add_argument("--batch-size", type=int, help="global batch size, split over torchrun processes")
    recipe.add_argument("--lr", type=float, default=1e-3, help="initial learning rate (default 1e-3)")
    recipe.add_argument("--weight-decay", type=float, default=5e-4, help="Adam weight decay (default 5e-4)")
    recipe.add_argument("--lr-decay", type=float, help="per-epoch exponential decay (NTU 0.98, Kinetics 0.95)")
    recipe.add_argument("--loss", default="smfl", choices=("ce", "focal", "smce", "smfl"), help="per-head loss")
    recipe.add_argument("--margin", type=float, help="soft margin m (NTU 0.4, Kinetics 0.6)")
    recipe.add_argument("--gamma", type=float, default=2.0, help="focal γ (default 2)")
    recipe.add_argument("--mutual", type=float, default=0.1, help="mutual-learning weight λ (default 0.1)")
    recipe.add_argument("--one-stream", action="store_true", help="position stream only (no velocity stream)")
    recipe.add_argument("--frames", type=int, help="T, frames per input window (default: the preset's)")
    recipe.add_argument("--normalization", choices=("first_frame", "clip"),
                        help="first_frame: the papers'; clip: per-clip centre and scale (webcam)")
    recipe.add_argument("--live-windows", type=float, metavar="SHARE",
                        help="share of training samples cut as the live engine windows a stream (half a second "
                             "to T frames, stretched to T) instead of squeezing half to all of a clip into T "
                             "(default 0, or what the resumed or base model used)")
    recipe.add_argument("--live-windows-at", choices=("anywhere", "motion"),  # recognizer.preprocess.LIVE_WINDOW_PLACES
                        help="where in its clip a live window lies: anywhere, or always over the stretch where "
                             "the clip moves most, so that no window of an action clip holds only the rest "
                             "around it (default anywhere, or what the resumed or base model used)")
    recipe.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                        help="webcam augmentations (mirror, rotation, dropout, ...; default on for the lite preset)")
    recipe.add_argument("--model-arg", action="append", default=[], metavar="KEY=VALUE",
                        help="override a preset config field, e.g. channels=[32,32,64,64] (repeatable)")
    recipe.add_argument("--seed", type=int, default=0)
    recipe.add_argument("--bn-batches", type=int, default=100,
                        help="after every epoch, re-estimate batch-norm statistics over this many training "
                             "batches with the epoch's final weights (default 100; 0 keeps the running averages)")

    card = parser.add_argument_group("model card")
    card.add_argument("--background-label", default="other",
                      help="label meaning 'none of the actions', shown as unknown (default 'other', if present)")
    card.add_argument("--threshold", type=float, help="confidence below which the model answers 'unknown'")

    run = parser.add_argument_group("how to run")
    run.add_argument("--device", help="cpu, cuda, cuda:1, mps (default: the fastest found)")
    run.add_argument("--workers", type=int, default=2, help="data loader processes (default 2)")
    run.add_argument("--no-amp", action="store_true", help="no mixed precision on CUDA")
    run.add_argument("--compile", action="store_true", help="torch.compile the model")
    run.add_argument("--no-optimizer-state", action="store_true",
                     help="do not keep OUT.optim.safetensors (the model cannot be resumed then)")
    run.add_argument("--metrics-log", type=Path, help="per-epoch JSON lines (default OUT.metrics.jsonl)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")


def config_from_args(args: argparse.Namespace):
    from recognizer.train import TrainConfig

    return TrainConfig(
        out=str(args.out), data=args.data, preset=args.preset, epochs=args.epochs, batch_size=args.batch_size,
        lr=args.lr, weight_decay=args.weight_decay, lr_decay=args.lr_decay, loss=args.loss, margin=args.margin,
        gamma=args.gamma, mutual_weight=args.mutual, two_stream=not args.one_stream, frames=args.frames,
        normalization=args.normalization, live_windows=args.live_windows,
        live_windows_at=args.live_windows_at, augment=args.augment,
        model_args=parse_pairs(args.model_arg, "--model-arg"), data_args=parse_pairs(args.data_arg, "--data-arg"),
        val_data=args.val_data, val_split=args.val_split, base=args.base, freeze_backbone=args.freeze_backbone,
        resume=args.resume, persons=args.persons, background_label=args.background_label,
        threshold=args.threshold, seed=args.seed, bn_batches=args.bn_batches,
        device=args.device, workers=args.workers, amp=not args.no_amp, compile=args.compile,
        save_optimizer=not args.no_optimizer_state,
        metrics_log=str(args.metrics_log) if args.metrics_log else None, progress_bar=not args.no_progress,
    )


def parse_pairs(pairs: list[str], option: str) -> dict:
    """KEY=VALUE strings → dict; VALUE is read as JSON when it is JSON (numbers, lists), else as text."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise LiveactionError(f"{option} {pair!r}: expected KEY=VALUE")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def run(args: argparse.Namespace) -> int:
    from recognizer.train import close_distributed, init_distributed, train

    config = config_from_args(args)
    init_distributed(config.device)
    try:
        result = train(config)
    finally:
        close_distributed()
    if result.card is not None:
        metrics = result.card.metrics
        val = f", val top-1 {100 * metrics['val_top1']:.1f}%" if metrics.get("val_top1") is not None else ""
        print(f"{result.path}: {result.card.preset}, {len(result.card.labels)} classes, "
              f"{result.epochs_done} epoch{'' if result.epochs_done == 1 else 's'}{val}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m recognizer.train` (what torchrun starts in every process)."""
    parser = argparse.ArgumentParser(prog="python -m recognizer.train", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except LiveactionError as error:
        print(f"recognizer.train: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("recognizer.train: interrupted", file=sys.stderr)
        return 130
