"""Score several candidate models on the same real windows: MSR Action3D, HDM05 and the mall.

Choosing among training runs (seeds, generator variants, `--live-windows`) means scoring
each on the real sources. bench/starter_model.py does that for one model at a time, one
window at a time as `predict` runs, about 3.5 minutes per model on this CPU. The windows
the engine cuts do not depend on the model, only on its input settings (fps, T,
normalization, crop, persons). So this script runs the engine once over every sequence
with a stand-in model that keeps each window's input, then runs every candidate over all
the windows in batches. The answers are those of bench/starter_model.py: per sequence,
the argmax of the mean window probabilities, shown when it reaches the card's threshold
and is not the background class. `--thresholds` adds rows for other thresholds than the
card's, to see what each costs in right answers shown against motions answered unknown
(the app's Model ▸ Unknown below offers such values). `--agreement` prints, for each pair
of models, the share of sequences whose top-1 answers agree: runs that differ only in one
seed (data or weights) show which of the two decides the answers on real motion.

    .venv/bin/python bench/compare_models.py MODEL [MODEL ...] [--per-class] [--agreement] [--thresholds 0.4,0.5] [--threads 2]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from recognizer.engine import ModelSpec, load_recognizer
from recognizer.offline import recognize, sequence_frames
from recognizer.video_summary import decide
from starter_model import MALL_FPS, MOCAP_FPS, MSR_FPS, SHARED, mall_sequences, mocap_sequences, msr_sequences

BATCH = 256  # windows per forward pass (512 ran a third slower on a 2-core CPU)
HDM05_YAWS = (0.0, 45.0)  # webcam in front of the actor, and turned 45° around them


class WindowRecorder(torch.nn.Module):
    """Stands in for a model inside the engine: keeps every input window, answers uniformly."""

    def __init__(self, classes: int):
        super().__init__()
        self.classes = classes
        self.inputs: list[torch.Tensor] = []  # each (1, C, T, V, M)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.inputs.append(x.detach().cpu().clone())
        return torch.zeros(x.shape[0], self.classes, device=x.device)


@dataclass(frozen=True)
class Sequence:
    source: str  # "MSR", "HDM05 at 0°", …
    name: str
    expected: str | None  # our label, or None for an action that is not ours (open set)
    rows: slice  # its windows among the recorded ones


def input_key(spec: ModelSpec) -> tuple:
    """What decides the windows a model is given; models that agree share one recording."""
    p = spec.preprocessing
    return spec.fps, spec.persons, p.T, p.normalization, p.test_crop, p.layout


def record_sequence(recorder: WindowRecorder, spec: ModelSpec, data: np.ndarray, fps: float) -> slice:
    """Run the engine over one `(3, T, 18, 1)` sequence at `fps`: its windows' rows among the recorded ones."""
    start = len(recorder.inputs)
    recognize(recorder, spec, sequence_frames(data, fps), data.shape[1] / fps, device="cpu")
    return slice(start, len(recorder.inputs))


def record_windows(spec: ModelSpec) -> tuple[torch.Tensor, list[Sequence]]:
    """Every window the engine makes of MSR, HDM05 and the mall for models like `spec`: `(N, C, T, V, M)`."""
    recorder = WindowRecorder(len(spec.labels))
    sources = [("MSR", msr_sequences(mapped_only=False), MSR_FPS)]
    sources += [(f"HDM05 at {yaw:g}°", mocap_sequences(False, yaw), MOCAP_FPS) for yaw in HDM05_YAWS]
    sources += [("Mall", mall_sequences(mapped_only=False), MALL_FPS)]
    sequences = []
    for source, items, fps in sources:
        for name, expected, data in items:
            sequences.append(Sequence(source, name, expected, record_sequence(recorder, spec, data, fps)))
    if not recorder.inputs:
        raise SystemExit(f"no MSR Action3D, HDM05 or mall sequences under {SHARED}")
    return torch.cat(recorder.inputs), sequences


@torch.inference_mode()
def window_probs(model: torch.nn.Module, windows: torch.Tensor) -> np.ndarray:
    """Softmax of every window `(N, K)`, in batches."""
    model.eval()
    return torch.cat([torch.softmax(model(windows[i:i + BATCH]).float(), dim=-1)
                      for i in range(0, len(windows), BATCH)]).numpy()


def answers(probs: np.ndarray, sequences: list[Sequence], spec: ModelSpec) -> list[tuple[Sequence, str, str]]:
    """(sequence, top-1 label, label shown) as `predict` summarizes a file's windows."""
    out = []
    for seq in sequences:
        mean = probs[seq.rows].mean(axis=0)  # (K,)
        order, shown = decide(mean, spec.labels, spec.threshold, spec.background_label)
        out.append((seq, spec.labels[order[0]], shown))
    return out


def summary_rows(name: str, results, spec: ModelSpec) -> list[str]:
    """One markdown row per source: top-1, class mean, shown, open set answered unknown."""
    rows = []
    for source in dict.fromkeys(seq.source for seq, _, _ in results):
        mine = [(seq, top, shown) for seq, top, shown in results if seq.source == source]
        mapped = [(seq.expected, top, shown) for seq, top, shown in mine if seq.expected]
        per_class = defaultdict(list)
        for expected, top, _ in mapped:
            per_class[expected].append(top == expected)
        top1 = np.mean([top == e for e, top, _ in mapped])
        class_mean = np.mean([np.mean(hits) for hits in per_class.values()])
        shown_right = np.mean([shown == e for e, _, shown in mapped])
        open_set = [shown for seq, _, shown in mine if not seq.expected]
        unknown = np.mean([shown == "unknown" for shown in open_set]) if open_set else float("nan")
        rows.append(f"| {name} | {spec.threshold:.3f} | {source} | {top1:.1%} | {class_mean:.1%} | "
                    f"{shown_right:.1%} | {unknown:.0%} |")
    return rows


def per_class_table(all_results: dict[str, list]) -> str:
    """Sequences named right per (source, class), one column per model."""
    names = list(all_results)
    counts: dict[tuple[str, str], list[str]] = {}
    for i, name in enumerate(names):
        hits = defaultdict(lambda: [0, 0])
        for seq, top, _ in all_results[name]:
            if seq.expected:
                hits[(seq.source, seq.expected)][0] += top == seq.expected
                hits[(seq.source, seq.expected)][1] += 1
        for key, (right, total) in hits.items():
            counts.setdefault(key, [""] * len(names))[i] = f"{right}/{total}"
    lines = ["| source | class | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(names)]
    lines += [f"| {source} | {label} | " + " | ".join(cells) + " |" for (source, label), cells in counts.items()]
    return "\n".join(lines)


def agreement_table(all_results: dict[str, list]) -> str:
    """Share of sequences whose top-1 answers agree, per source (and over all), one column per pair of models."""
    pairs = list(itertools.combinations(all_results, 2))
    sources = list(dict.fromkeys(seq.source for seq, _, _ in next(iter(all_results.values()))))
    lines = ["| source | " + " | ".join(f"{a} ~ {b}" for a, b in pairs) + " |", "|---|" + "---:|" * len(pairs)]
    top1 = {name: {(seq.source, seq.name): top for seq, top, _ in results} for name, results in all_results.items()}
    for source in [None, *sources]:
        cells = []
        for a, b in pairs:
            same = [top == top1[b][key] for key, top in top1[a].items() if source is None or key[0] == source]
            cells.append(f"{np.mean(same):.1%}")
        lines.append(f"| {source or 'all'} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _thresholds(text: str) -> tuple[float, ...]:
    """`--thresholds 0.4,0.5` → (0.4, 0.5), each a confidence in [0, 1]."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
    if not all(0 <= value <= 1 for value in values):
        raise argparse.ArgumentTypeError(f"thresholds are confidences between 0 and 1, got {text!r}")
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="+", help="model files (safetensors beside their JSON cards)")
    parser.add_argument("--per-class", action="store_true", help="also count the sequences named right per class")
    parser.add_argument("--agreement", action="store_true",
                        help="also print how often each pair of models gives a sequence the same top-1 answer")
    parser.add_argument("--thresholds", type=_thresholds, default=(),
                        help="comma-separated thresholds to score besides each card's own, e.g. 0.4,0.5")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    recordings: dict[tuple, tuple[torch.Tensor, list[Sequence]]] = {}
    all_results = {}
    print("| model | threshold | source | top-1 | class mean | shown | open set unknown |\n|---|---:|---|---:|---:|---:|---:|")
    for path in args.models:
        model, spec = load_recognizer(path, device="cpu")
        key = input_key(spec)
        if key not in recordings:
            start = time.perf_counter()
            recordings[key] = record_windows(spec)
            print(f"windows cut: {len(recordings[key][0])} of {len(recordings[key][1])} sequences in "
                  f"{time.perf_counter() - start:.0f} s", file=sys.stderr)
        windows, sequences = recordings[key]
        start = time.perf_counter()
        name = f"{path.parent.name}/{path.name}" if len(args.models) > 1 else path.name
        if name in all_results:  # the same file twice, or two alike names in other folders
            name = str(path)
        probs = window_probs(model, windows)  # (windows, K)
        all_results[name] = answers(probs, sequences, spec)
        print(f"{name}: scored in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        print("\n".join(summary_rows(name, all_results[name], spec)), flush=True)
        for threshold in args.thresholds:
            at_threshold = replace(spec, threshold=threshold)
            print("\n".join(summary_rows(name, answers(probs, sequences, at_threshold), at_threshold)), flush=True)
    if args.per_class:
        print("\nSequences named right (top-1):\n")
        print(per_class_table(all_results))
    if args.agreement and len(all_results) > 1:
        print("\nSequences given the same top-1 answer by both models:\n")
        print(agreement_table(all_results))


if __name__ == "__main__":
    main()
