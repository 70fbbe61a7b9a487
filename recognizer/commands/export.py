"""`liveaction export onnx|pyskl`: a model as ONNX, or recorded clips as a pyskl pickle."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub, name: str, summary: str) -> None:
    parser = sub.add_parser(name, help=summary, description=summary)
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)

    onnx = formats.add_parser("onnx", help="the model as ONNX (dynamic batch), checked against onnxruntime")
    onnx.add_argument("--model", required=True, type=Path, help="model file (.safetensors, .json beside it)")
    onnx.add_argument("-o", "--out", required=True, type=Path, help="ONNX file to write")
    onnx.add_argument("--opset", type=int, default=None, help="ONNX opset (default 18)")

    pyskl = formats.add_parser("pyskl", help="a folder of Kinetics-skeleton JSON clips as a pyskl/mmaction2 pickle")
    pyskl.add_argument("--data", required=True, type=Path, help="folder of Kinetics-skeleton JSON clips")
    pyskl.add_argument("-o", "--out", required=True, type=Path, help="pickle file to write (.pkl)")
    pyskl.add_argument("--model", type=Path, help="number the classes as this model's labels (default: sorted)")
    pyskl.add_argument("--val-split", type=float, default=0.0, help="fraction per class in the 'val' split")
    pyskl.add_argument("--img-size", default="1920x1080", help="WIDTHxHEIGHT for pixel coordinates (default 1920x1080)")


def run(args: argparse.Namespace) -> int:
    from recognizer.errors import LiveactionError

    if args.format == "onnx":
        from recognizer.checkpoint import load_model
        from recognizer.export import ONNX_OPSET, export_onnx

        model, card = load_model(args.model)
        result = export_onnx(model, card, args.out, opset=args.opset or ONNX_OPSET)
        print(f"{result.path}: opset {result.opset}, input skeletons (N, {card.config['in_channels']}, "
              f"{card.config['T']}, {card.config['num_joints']}, {card.persons}), output logits (N, "
              f"{card.num_classes}); onnxruntime matches torch within {result.max_abs_diff:.1e}")
        return 0

    from recognizer.checkpoint import read_card
    from recognizer.export import export_pyskl_folder

    width, sep, height = args.img_size.lower().partition("x")
    if not (sep and width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise LiveactionError(f"--img-size {args.img_size!r}: expected WIDTHxHEIGHT, e.g. 1920x1080")
    labels = read_card(args.model).labels if args.model is not None else None
    result = export_pyskl_folder(args.data, args.out, labels=labels, val_split=args.val_split,
                                 img_shape=(int(height), int(width)))
    print(f"{result.path}: {result.clips} clips, {len(result.labels)} classes (names in {result.labels_path})"
          + (f", {len(result.skipped)} files skipped" if result.skipped else ""))
    return 0
