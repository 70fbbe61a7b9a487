"""`liveaction eval --model M --data SPEC`: top-1/top-5, per-class accuracy, confusion matrix."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm


def add_parser(sub, name: str, summary: str) -> None:
    parser = sub.add_parser(name, help=summary, description=summary)
    parser.add_argument("--model", required=True, type=Path, help="model file (.safetensors, .json beside it)")
    parser.add_argument("--data", required=True,
                        help="folder of Kinetics-skeleton JSON files, NTU .skeleton folder, or 'synthetic'")
    parser.add_argument("--split", default="val", choices=("train", "val"),
                        help="NTU benchmark / generator split (default val); a JSON folder is used whole")
    parser.add_argument("--data-arg", action="append", default=[], metavar="KEY=VALUE",
                        help="extra dataset argument, e.g. n_per_class=20 for synthetic (repeatable)")
    parser.add_argument("--json", action="store_true",
                        help='print only {"top1", "top5", "per_class": {label: accuracy}, "n"}')
    parser.add_argument("--confusion", action="store_true", help="also print the confusion matrix")
    parser.add_argument("--png", type=Path, help="write the confusion matrix as a PNG image")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="data loader processes (default 2)")
    parser.add_argument("--device", help="cpu, cuda, mps (default: the fastest found)")


def run(args: argparse.Namespace) -> int:
    import torch

    from recognizer.checkpoint import load_model
    from recognizer.commands.train import parse_pairs
    from recognizer.data.datasets import open_dataset
    from recognizer.evaluate import evaluate
    from recognizer.ring import best_device

    device = torch.device(args.device) if args.device else best_device()
    model, card = load_model(args.model, device=device)
    try:
        dataset = open_dataset(args.data, split=args.split, preprocessing=card.preprocessing, train=False,
                               max_persons=card.persons, **parse_pairs(args.data_arg, "--data-arg"))
    except (TypeError, ValueError) as error:
        from recognizer.errors import LiveactionError

        raise LiveactionError(f"--data {args.data}: {error}") from None
    with tqdm(desc="eval", unit="batch", file=sys.stderr, disable=None) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        report = evaluate(model, dataset, card.labels, batch_size=args.batch_size, workers=args.workers,
                          device=device, progress=progress)
    if args.png is not None:
        report.save_confusion_png(args.png)
    if args.json:
        print(json.dumps(report.to_json()))
        return 0
    print(report.summary_text())
    if args.confusion:
        print(report.confusion_text())
    if args.png is not None:
        print(f"confusion matrix: {args.png}")
    return 0
