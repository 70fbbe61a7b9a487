"""`liveaction recalibrate MODEL --out PATH`: batch-norm statistics that match the weights.

    liveaction recalibrate assets/models/starter.safetensors --out starter-recalibrated.safetensors

For a model trained before `liveaction train` re-estimated them after every epoch
(`recognizer.batchnorm`): the weights stay, the statistics inference uses are averaged over
batches of the data its card says it was trained on (or `--data`), and the validation
top-1 before and after is printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub, name: str, summary: str) -> None:
    parser = sub.add_parser(name, help=summary, description=summary)
    parser.add_argument("model", type=Path, help="model file (.safetensors, .json beside it)")
    parser.add_argument("--data", default="",
                        help="its training data, if not where its card says: Kinetics-skeleton JSON folder, NTU "
                             "folder or 'synthetic'")
    parser.add_argument("--data-arg", action="append", default=[], metavar="KEY=VALUE",
                        help="with --data: extra dataset argument, e.g. fps=15 for synthetic (repeatable)")
    parser.add_argument("--out", required=True, type=Path,
                        help="model file to write (may be MODEL itself to update it in place)")
    parser.add_argument("--batches", type=int, default=100, help="training batches to average over (default 100)")
    parser.add_argument("--batch-size", type=int, help="clips per batch (default: the one it was trained with)")
    parser.add_argument("--seed", type=int, default=0, help="which clips and augmentations are drawn")
    parser.add_argument("--workers", type=int, default=2, help="data loader processes (default 2)")
    parser.add_argument("--device", help="cpu, cuda, mps (default: the fastest found)")


def run(args: argparse.Namespace) -> int:
    from recognizer.commands.train import parse_pairs
    from recognizer.train import TrainConfig, recalibrate

    result = recalibrate(TrainConfig(
        out=str(args.out), data=args.data, resume=str(args.model), data_args=parse_pairs(args.data_arg, "--data-arg"),
        batch_size=args.batch_size, bn_batches=args.batches, seed=args.seed, workers=args.workers,
        device=args.device))
    change = ""
    if result.val_top1_before is not None:
        change = f"; val top-1 {100 * result.val_top1_before:.1f}% → {100 * result.val_top1_after:.1f}%"
    print(f"{result.path}: batch-norm statistics from {result.clips} training clips{change}")
    return 0
