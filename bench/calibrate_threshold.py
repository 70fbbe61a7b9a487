"""Set a model's open-set threshold on generated data (never on real test data).

Each generated clip goes through the live path (`recognizer.offline.recognize`, as
`predict` does). The threshold is the confidence that keeps `--keep` of the correctly
recognized action clips; whatever scores below it is answered "unknown". Reports what that
costs on action clips and how many non-target ("other") clips end up unknown, then writes
the threshold into the model's JSON card (the weights are untouched).

    .venv/bin/python bench/calibrate_threshold.py --model assets/models/starter.safetensors [--write]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from recognizer.checkpoint import load_model, save_model
from recognizer.data.synthetic import OTHER_LABEL, generate_clip
from recognizer.engine import ModelSpec
from recognizer.offline import recognize, sequence_frames

SEED = 20261126  # not a training or validation seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--per-class", type=int, default=25)
    parser.add_argument("--keep", type=float, default=0.9, help="share of correct action answers kept")
    parser.add_argument("--write", action="store_true", help="store the threshold in the model card")
    args = parser.parse_args()
    model, card = load_model(args.model)
    spec = dataclasses.replace(ModelSpec.from_card(card), threshold=0.0)
    rng = np.random.default_rng(SEED)
    rows = []  # (true, top label, top score)
    for label in spec.labels:
        for _ in range(args.per_class):
            clip = generate_clip(label, rng, fps=spec.fps)  # (C, T, V, 1)
            result = recognize(model, spec, sequence_frames(clip, spec.fps), clip.shape[1] / spec.fps)
            top, score = result.summary.top5[0] if result.summary.top5 else ("unknown", 0.0)
            rows.append((label, top, score))
    actions = [(t, p, s) for t, p, s in rows if t != OTHER_LABEL]
    correct = np.array([s for t, p, s in actions if p == t])
    threshold = float(np.quantile(correct, 1 - args.keep)) if len(correct) else 0.5
    shown = [(t, p if (s >= threshold and p != OTHER_LABEL) else "unknown") for t, p, s in rows]
    action_acc = np.mean([p == t for t, p in shown if t != OTHER_LABEL])
    other_unknown = np.mean([p == "unknown" for t, p in shown if t == OTHER_LABEL])
    raw_acc = np.mean([p == t for t, p, _ in actions])
    print(f"generated clips: {len(rows)} ({args.per_class} per label), top-1 on actions {raw_acc:.1%}")
    print(f"threshold {threshold:.3f}: actions shown correctly {action_acc:.1%}, "
          f"non-target clips answered unknown {other_unknown:.1%}")
    if args.write:
        save_model(args.model, model, dataclasses.replace(card, threshold=round(threshold, 3)))
        print(f"wrote threshold {threshold:.3f} into {args.model.with_suffix('.json')}")


if __name__ == "__main__":
    main()
