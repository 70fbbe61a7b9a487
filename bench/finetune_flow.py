"""The Train dialog's flow without a window: record five clips of two new actions, few-shot, fine-tune.

1. A fresh clip library gets `--clips` generated clips each of two everyday motions the
   starter model files under "other" (drinking, rowing), as a user would record them.
2. Few-shot: the starter model imprinted with those clips (`recognizer.fewshot.imprint`).
3. Fine-tune: `recognizer.finetune.run` with the Train dialog's defaults (or the options).
Both models then recognize the same held-out generated clips through the live path
(`recognizer.offline.recognize`): the two new actions, and the starter's own actions (does
the model still know them?). Prints a markdown table.

    .venv/bin/python bench/finetune_flow.py [--clips 5] [--held-out 10] [--epochs 20] [--whole-network]
        [--keep-base-labels] [--threads 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from recognizer import finetune
from recognizer.clips import ClipLibrary
from recognizer.data.formats import SkeletonClip
from recognizer.data.synthetic import STARTER_CLASSES, everyday_clips, generate_clip
from recognizer.engine import load_recognizer
from recognizer.fewshot import imprint
from recognizer.offline import recognize, sequence_frames
from recognizer.paths import STARTER_MODEL

NEW = ("drinking", "rowing")
SEED = 20261127  # neither a training nor a validation seed of the starter model


def accuracy(model, spec, clips: list[tuple[str, np.ndarray]]) -> float:
    """Share of `(label, (C, T, V, M))` clips whose whole-sequence answer is their label."""
    right = 0
    for label, clip in clips:
        result = recognize(model, spec, sequence_frames(clip, spec.fps), clip.shape[1] / spec.fps)
        right += bool(result.summary.top5) and result.summary.top5[0][0] == label
    return right / len(clips)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=STARTER_MODEL)
    parser.add_argument("--clips", type=int, default=5, help="recorded clips per new action")
    parser.add_argument("--held-out", type=int, default=10, help="held-out clips per new action")
    parser.add_argument("--known", type=int, default=2, help="held-out clips per starter action")
    parser.add_argument("--epochs", type=int, default=finetune.DEFAULT_EPOCHS)
    parser.add_argument("--whole-network", action="store_true", help="train the backbone too, not the heads only")
    parser.add_argument("--keep-base-labels", action="store_true", help="rehearse the base model's actions too")
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    base, spec = load_recognizer(args.base, device="cpu")
    rng = np.random.default_rng(SEED)
    recorded = {kind: everyday_clips(kind, args.clips, rng, spec.fps) for kind in NEW}
    held_new = [(kind, clip) for kind in NEW for clip in everyday_clips(kind, args.held_out, rng, spec.fps)]
    held_known = [(label, generate_clip(label, rng, seconds=float(rng.uniform(2.0, 4.0)), fps=spec.fps))
                  for label in STARTER_CLASSES if label in spec.labels for _ in range(args.known)]

    rows = [("starter model, as shipped", accuracy(base, spec, held_new), accuracy(base, spec, held_known), None)]
    began = time.perf_counter()
    few, few_spec = imprint(base, spec, recorded)
    imprint_s = time.perf_counter() - began
    rows.append((f"few-shot ({args.clips} clips each)", accuracy(few, few_spec, held_new),
                 accuracy(few, few_spec, held_known), imprint_s))

    with tempfile.TemporaryDirectory() as tmp:
        library = ClipLibrary(Path(tmp) / "clips")
        for kind, clips in recorded.items():
            for clip in clips:
                library.add(SkeletonClip(clip, label=kind, fps=spec.fps))
        models = Path(tmp) / "models"
        models.mkdir()
        request = finetune.FinetuneRequest(
            library=library.folder, base=args.base, labels=NEW, out=models / "mine.safetensors",
            epochs=args.epochs, keep_base_labels=args.keep_base_labels, freeze_backbone=not args.whole_network)
        began = time.perf_counter()
        path = finetune.run(request, lambda event: print(_line(event), flush=True) if event["event"] == "epoch"
                            else None, lambda: False)
        train_s = time.perf_counter() - began
        tuned, tuned_spec = load_recognizer(path, device="cpu")
        how = "whole network" if args.whole_network else "heads only"
        keep = ", base actions rehearsed" if args.keep_base_labels else ", new actions only"
        rows.append((f"fine-tuned ({args.epochs} epochs, {how}{keep})", accuracy(tuned, tuned_spec, held_new),
                     accuracy(tuned, tuned_spec, held_known), train_s))

    print(f"\n{args.clips} recorded clips per new action; held out: {len(held_new)} clips of "
          f"{' / '.join(NEW)}, {len(held_known)} of the starter's actions; {args.threads} torch threads\n")
    print("| model | new actions (held out) | starter actions (held out) | time to make |")
    print("|---|---:|---:|---:|")
    for name, new, known, seconds in rows:
        made = f"{seconds:.1f} s" if seconds is not None else "–"
        print(f"| {name} | {100 * new:.0f} % | {100 * known:.0f} % | {made} |")


def _line(event: dict) -> str:
    val = f", val top-1 {100 * event['val_top1']:.0f} %" if event["val_top1"] is not None else ""
    return f"epoch {event['epoch']}/{event['epochs']}: loss {event['loss']:.3f}{val}, {event['elapsed_s']:.0f} s"


if __name__ == "__main__":
    main()
