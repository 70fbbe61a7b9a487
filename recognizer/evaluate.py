"""How well a model does on a data set: top-1/top-5, per-class accuracy and the confusion matrix.

Everything is counted in a `Tally` (confusion matrix + top-5 hits + loss sum), which adds
up across batches and, with `all_reduce`, across DDP processes, so training's validation
and `liveaction eval` count the same way. `EvalReport` is the finished, plain-data result:
JSON for scripts (`to_json`, exactly `{"top1", "top5", "per_class", "n"}`), a text table and
a confusion-matrix PNG for people. The PNG is drawn with matplotlib's Agg canvas directly
(no pyplot, no GUI backend), so this module stays headless.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

from recognizer import atomic
from recognizer.errors import LiveactionError


class Tally:
    """Counts for `num_classes` classes: confusion (true × predicted), top-5 hits, loss sum."""

    def __init__(self, num_classes: int, device: torch.device | str = "cpu"):
        self.num_classes = num_classes
        self.confusion = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=device)
        self.top5_hits = torch.zeros((), dtype=torch.int64, device=device)
        self.loss_sum = torch.zeros((), dtype=torch.float64, device=device)

    @property
    def n(self) -> int:
        return int(self.confusion.sum())

    def update(self, logits: torch.Tensor, targets: torch.Tensor, loss: torch.Tensor | None = None) -> None:
        """Add a batch: logits `(N, K)`, targets `(N,)`, and its mean loss (optional)."""
        predicted = logits.argmax(dim=1)  # (N,)
        index = targets * self.num_classes + predicted  # (N,) flat (true, predicted)
        self.confusion += torch.bincount(index, minlength=self.num_classes**2).view(self.num_classes, -1)
        top = logits.topk(min(5, self.num_classes), dim=1).indices  # (N, 5)
        self.top5_hits += (top == targets[:, None]).any(dim=1).sum()
        if loss is not None:
            self.loss_sum += loss.detach().double() * targets.shape[0]

    def all_reduce(self) -> None:
        """Sum the counts of every DDP process (each saw its own shard)."""
        for tensor in (self.confusion, self.top5_hits, self.loss_sum):
            dist.all_reduce(tensor)

    def report(self, labels: Sequence[str]) -> EvalReport:
        confusion = self.confusion.cpu().numpy()
        n = int(confusion.sum())
        support = confusion.sum(axis=1)
        return EvalReport(
            labels=tuple(labels),
            n=n,
            top1=float(np.trace(confusion) / n) if n else 0.0,
            top5=float(self.top5_hits.item() / n) if n else 0.0,
            per_class={label: float(confusion[k, k] / support[k]) for k, label in enumerate(labels) if support[k]},
            confusion=confusion,
            loss=float(self.loss_sum.item() / n) if n else None,
        )


@dataclass(frozen=True)
class EvalReport:
    """A finished evaluation. `per_class` holds only the classes that have samples."""

    labels: tuple[str, ...]
    n: int
    top1: float
    top5: float
    per_class: dict[str, float]
    confusion: np.ndarray  # int64 (K, K): rows the true class, columns the predicted one
    loss: float | None = None
    skipped: int = 0  # samples left out: unreadable, or with a label the model does not know

    def to_json(self) -> dict:
        """What `liveaction eval --json` prints: exactly top1, top5, per_class, n."""
        return {"top1": self.top1, "top5": self.top5, "per_class": dict(self.per_class), "n": self.n}

    def most_confused(self, count: int = 5) -> list[tuple[str, str, int]]:
        """The `count` largest off-diagonal cells as (true label, predicted label, samples)."""
        off = self.confusion.copy()
        np.fill_diagonal(off, 0)
        order = np.argsort(off, axis=None)[::-1][:count]
        cells = [np.unravel_index(i, off.shape) for i in order]
        return [(self.labels[t], self.labels[p], int(off[t, p])) for t, p in cells if off[t, p] > 0]

    def summary_text(self) -> str:
        """Top-k, per-class accuracy (with sample counts) and the most confused pairs."""
        support = self.confusion.sum(axis=1)
        width = max((len(label) for label in self.per_class), default=5)
        lines = [f"{self.n} samples: top-1 {100 * self.top1:.1f}%, top-5 {100 * self.top5:.1f}%"
                 + (f" ({self.skipped} skipped)" if self.skipped else "")]
        lines.append("per class:")
        for k, label in enumerate(self.labels):
            if label in self.per_class:
                lines.append(f"  {label:<{width}}  {100 * self.per_class[label]:5.1f}%  of {support[k]}")
        confused = self.most_confused()
        if confused:
            lines.append("most confused (true → predicted):")
            lines += [f"  {t} → {p}: {count}" for t, p, count in confused]
        return "\n".join(lines)

    def confusion_text(self) -> str:
        """The confusion matrix as a table: rows true labels, columns numbered predicted labels."""
        K = len(self.labels)
        width = max(len(label) for label in self.labels)
        cell = max(len(str(int(self.confusion.max(initial=0)))), len(str(K - 1))) + 1
        header = " " * (width + 6) + "".join(f"{j:>{cell}}" for j in range(K))
        rows = [f"{k:>3}  {label:<{width}} " + "".join(f"{v:>{cell}}" for v in self.confusion[k])
                for k, label in enumerate(self.labels)]
        return "\n".join(["confusion (rows: true, columns: predicted)", header, *rows])

    def save_confusion_png(self, path: str | os.PathLike) -> None:
        """Draw the row-normalized confusion matrix into a PNG at `path`, atomically."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        K = len(self.labels)
        support = self.confusion.sum(axis=1, keepdims=True)
        rates = np.divide(self.confusion, support, out=np.zeros(self.confusion.shape), where=support > 0)
        size = min(4 + 0.35 * K, 40)
        figure = Figure(figsize=(size + 1.5, size), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
        figure.colorbar(image, ax=axes, fraction=0.046, label="fraction of the true class")
        ticks = np.arange(K)
        axes.set_xticks(ticks, self.labels, rotation=90, fontsize=8)
        axes.set_yticks(ticks, self.labels, fontsize=8)
        axes.set_xlabel("predicted")
        axes.set_ylabel("true")
        axes.set_title(f"top-1 {100 * self.top1:.1f}% on {self.n} samples")
        if K <= 30:
            for t in range(K):
                for p in range(K):
                    if self.confusion[t, p]:
                        axes.text(p, t, str(self.confusion[t, p]), ha="center", va="center", fontsize=7,
                                  color="white" if rates[t, p] > 0.5 else "black")
        with atomic.atomic_path(path) as tmp:
            figure.savefig(tmp, format="png")


class RelabeledDataset(Dataset):
    """`dataset` with its class ids translated to a model's label order.

    Samples whose label the model does not know map to -1 and are dropped by `evaluate`.
    """

    def __init__(self, dataset: Dataset, labels: Sequence[str]):
        index = {label: k for k, label in enumerate(labels)}
        self.dataset = dataset
        self.mapping = [index.get(label, -1) for label in dataset.labels]
        if all(k < 0 for k in self.mapping):
            raise LiveactionError(f"none of the data's labels ({_preview(dataset.labels)}) is one of the model's "
                                  f"labels ({_preview(labels)})")

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        x, target = self.dataset[i]
        return x, self.mapping[target]


def count(model: nn.Module, loader: DataLoader, num_classes: int, device: torch.device | str,
          progress: Callable[[int, int], None] | None = None) -> tuple[Tally, int]:
    """Tally `model`'s concat head (eval mode, cross-entropy as the loss) over `loader`.

    Targets of -1 (classes the model does not know, see `RelabeledDataset`) are left out
    and counted: returns the tally and that count. `progress(done, total)` follows batches.
    """
    tally = Tally(num_classes, device)
    unknown = 0
    model.eval()
    with torch.inference_mode():
        for step, (x, targets) in enumerate(loader):
            known = targets >= 0  # (N,)
            unknown += int((~known).sum())
            if known.any():
                x, targets = x[known].to(device, non_blocking=True), targets[known].to(device)
                logits = model(x).float()  # (N, K)
                tally.update(logits, targets, F.cross_entropy(logits, targets))
            if progress is not None:
                progress(step + 1, len(loader))
    return tally, unknown


def evaluate(model: nn.Module, dataset: Dataset, labels: Sequence[str], *, batch_size: int = 32,
             workers: int = 0, device: torch.device | str = "cpu",
             progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Run `model` over `dataset` and count (`liveaction eval`).

    `labels` are the model's class names; the dataset's classes are matched to them by
    name, and samples of classes the model does not know are counted as skipped, as are
    the dataset's unreadable samples. The model must be on `device`.
    """
    loader = DataLoader(RelabeledDataset(dataset, labels), batch_size=batch_size, num_workers=workers,
                        pin_memory=torch.device(device).type == "cuda")
    tally, unknown = count(model, loader, len(labels), device, progress)
    skipped = unknown + len(getattr(dataset, "skipped", ()))
    return dataclasses.replace(tally.report(labels), skipped=skipped)


def _preview(labels: Sequence[str], count: int = 4) -> str:
    shown = ", ".join(repr(label) for label in list(labels)[:count])
    return shown + (f", … {len(labels)} in all" if len(labels) > count else "")
