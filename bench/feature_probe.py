"""Features or head? How well a model's own features tell MSR Action3D's mapped classes apart.

A diagnostic for choosing what to change next, never a way to make a model: it fits a
linear classifier on real sequences, which no shipped model may learn from. A starter
model that names too few real sequences either computes features that do not separate
the real actions, or separates them and then maps them to the wrong labels (the head and
the features it learned from generated clips). This script tells the two apart:

- *head*: top-1 as `predict` answers (the mean window probabilities, every label);
- *head, mapped labels only*: the same argmax among the 7 labels MSR's sequences have,
  so confusions with labels MSR never shows (jumping jacks, lunge, ...) do not count;
- *linear probe*: an L2-regularized logistic regression on the sequences' mean feature
  vectors (the input of the model's last layer), trained on nine of MSR's ten subjects
  and tested on the tenth, in turn;
- *linear probe on the input*: the same on the mean input window, a control for how easy
  the real classes are to tell apart at all.

    .venv/bin/python bench/feature_probe.py [MODEL ...] [--threads 2]   # about 1 min per model
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from compare_models import BATCH, WindowRecorder, record_sequence, window_probs
from recognizer.engine import load_recognizer
from recognizer.paths import STARTER_MODEL
from starter_model import MSR_FPS, SHARED, msr_sequences

PENALTIES = (0.01, 1.0)  # inverse L2 strengths C tried for the probe (as in scikit-learn's C)


def msr_windows(spec) -> tuple[torch.Tensor, list[slice], list[str], np.ndarray]:
    """Every engine window of MSR's mapped sequences `(N, C, T, V, M)`, each sequence's rows,
    its label and its subject."""
    recorder = WindowRecorder(len(spec.labels))
    rows, labels, subjects = [], [], []
    for name, expected, data in msr_sequences(mapped_only=True):
        rows.append(record_sequence(recorder, spec, data, MSR_FPS))
        labels.append(expected)
        subjects.append(int(name.split("_s")[1][:2]))  # aAA_sSS_eEE
    if not recorder.inputs:
        raise SystemExit(f"no MSR Action3D sequences under {SHARED}")
    return torch.cat(recorder.inputs), rows, labels, np.array(subjects)


@torch.inference_mode()
def window_features(model: torch.nn.Module, windows: torch.Tensor) -> np.ndarray:
    """The input of the model's last layer for every window `(N, F)`."""
    model.eval()
    return torch.cat([model.forward_features(windows[i:i + BATCH]) for i in range(0, len(windows), BATCH)]).numpy()


def fit_predict(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, classes: int, c: float) -> np.ndarray:
    """Multinomial logistic regression with an L2 penalty |W|² / (2·c·n), fitted by L-BFGS."""
    x, y = torch.tensor(train_x, dtype=torch.float32), torch.tensor(train_y)
    linear = torch.nn.Linear(x.shape[1], classes)
    optimizer = torch.optim.LBFGS(linear.parameters(), max_iter=500, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(linear(x), y) + (linear.weight ** 2).sum() / (2 * c * len(y))
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    with torch.no_grad():
        return linear(torch.tensor(test_x, dtype=torch.float32)).argmax(dim=1).numpy()


def leave_one_subject_out(x: np.ndarray, y: np.ndarray, subjects: np.ndarray, c: float) -> float:
    """Top-1 of the probe over every sequence, each predicted by a probe that never saw its subject."""
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
    classes = int(y.max()) + 1
    right = 0
    for subject in np.unique(subjects):
        held = subjects == subject
        right += int((fit_predict(x[~held], y[~held], x[held], classes, c) == y[held]).sum())
    return right / len(y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="*", default=[STARTER_MODEL], help="model files (default: the starter)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print("| model | head | head, mapped labels only | linear probe (C) | linear probe on the input (C) |\n"
          "|---|---:|---:|---:|---:|")
    for path in args.models:
        model, spec = load_recognizer(path, device="cpu")
        windows, rows, labels, subjects = msr_windows(spec)
        mapped = sorted(set(labels))
        y = np.array([mapped.index(label) for label in labels])
        probs = window_probs(model, windows)  # (N, K)
        means = np.stack([probs[r].mean(axis=0) for r in rows])  # (S, K)
        head = np.mean([spec.labels[i] == label for i, label in zip(means.argmax(axis=1), labels)])
        columns = [spec.labels.index(label) for label in mapped]
        restricted = np.mean(means[:, columns].argmax(axis=1) == y)
        features = window_features(model, windows)
        inputs = windows.flatten(1).numpy()
        probes = []
        for per_window in (features, inputs):
            x = np.stack([per_window[r].mean(axis=0) for r in rows])  # (S, F)
            probes.append(", ".join(f"{leave_one_subject_out(x, y, subjects, c):.1%} ({c:g})" for c in PENALTIES))
        print(f"| {path.name} | {head:.1%} | {restricted:.1%} | {probes[0]} | {probes[1]} |", flush=True)
    print(f"\n{len(labels)} MSR sequences of {len(mapped)} mapped classes, {len(np.unique(subjects))} subjects",
          file=sys.stderr)


if __name__ == "__main__":
    main()
