"""`liveaction` command line: one subcommand per module in `recognizer.commands`.

Problems a user can cause (`LiveactionError`) end the command with a one-line message on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from recognizer import __version__
from recognizer.errors import LiveactionError

# Subcommand name → module in recognizer.commands. Listed explicitly (no discovery magic)
# so `liveaction --help` costs no heavy imports: a module is imported only when needed.
COMMANDS = {
    "app": "Open the desktop app",
    "extract": "Extract 18-joint skeletons from a video into Kinetics-skeleton JSON",
    "predict": "Recognize the actions in a video with a model (default: the starter model)",
    "bench": "Measure the live pipeline: per-stage times, sustained fps, onset latency",
    "train": "Train, fine-tune or resume a model on skeleton data",
    "recalibrate": "Re-estimate a trained model's batch-norm statistics on its training data",
    "finetune": "Fine-tune a model on labels of your clip library (progress as JSON lines; the app's Train dialog)",
    "eval": "Evaluate a model on skeleton data: top-1/top-5, per-class accuracy, confusion matrix",
    "export": "Export a model as ONNX, or recorded clips as a pyskl pickle",
}


def _load(name: str):
    return importlib.import_module(f"recognizer.commands.{name}")


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liveaction", description="Live skeleton action recognition.")
    parser.add_argument("--version", action="version", version=f"liveaction {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if a in COMMANDS), None)
    for name, summary in COMMANDS.items():
        if name == chosen:
            _load(name).add_parser(sub, name, summary)
        else:
            sub.add_parser(name, help=summary, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(_load(args.command).run(args) or 0)
    except LiveactionError as error:
        print(f"liveaction {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"liveaction {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
