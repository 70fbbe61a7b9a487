"""`liveaction finetune`: fine-tune a model on labels of the clip library, progress as JSON lines.

What the app's Train dialog runs in a child process (also in the packaged build, where
there is no `python -m`); see `recognizer.finetune`.
"""

from __future__ import annotations

import argparse


def add_parser(sub, name: str, summary: str) -> None:
    from recognizer.finetune import add_arguments

    add_arguments(sub.add_parser(name, help=summary, description=summary))


def run(args: argparse.Namespace) -> int:
    from recognizer.finetune import serve

    return serve(args)
