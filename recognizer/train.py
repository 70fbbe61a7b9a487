"""Training: the papers' recipe on one process or many (torchrun), from a laptop fine-tune to NTU.

    from recognizer.train import TrainConfig, train
    result = train(TrainConfig(preset="slnl_rfa_lite", data="synthetic", out="m.safetensors"))

or, on a GPU server, one process per GPU:

    torchrun --nproc_per_node 4 -m recognizer.train --preset slnl_rfa_ntu --data NTU/ --out ntu.safetensors

Recipe (ICME 2019 §4.1, TMM 2020 §IV-A): Adam, lr 1e-3, weight decay 5e-4, the lr decayed
exponentially per epoch (0.98 NTU, 0.95 Kinetics), dropout 0.2 (in the model config), SMFL
on every head plus mutual learning between the heads, the papers' batch sizes and epochs as
each preset's defaults (`RECIPES`). On CUDA: mixed precision (fp16 + loss scaling) and
pinned memory; `compile=True` runs the model through torch.compile. After every epoch the
batch-norm statistics are re-estimated over `bn_batches` training batches with that epoch's
final weights and dropout off (`recognizer.batchnorm`: the running averages kept in
training, with dropout on, do not fit what inference computes).

After every epoch rank 0 writes the model (`recognizer.checkpoint`: weights + card with
labels, preprocessing, metrics, data summary and the training state), the optimizer state
beside it, and one JSON line of metrics; `resume` continues from such a file with the epoch
count, learning rate and Adam moments where they were. Each epoch's randomness is seeded
from (seed, epoch), so a resumed run draws what an uninterrupted one would have.

`base` fine-tunes: the backbone of an existing model, a new head for the data's labels (rows
of labels the base already knew are kept). `train()` reports through `progress_callback`
(a `StepProgress` per batch, an `EpochMetrics` per epoch) and checks `should_stop` between
batches, which is how the app's Train dialog shows progress and cancels from its own process.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler, Subset
from tqdm import tqdm

from recognizer import checkpoint
from recognizer.batchnorm import recalibrate_batch_norm
from recognizer.checkpoint import ModelCard
from recognizer.errors import LiveactionError
from recognizer.evaluate import RelabeledDataset, count
from recognizer.losses import LossConfig, MultiHeadLoss
from recognizer.preprocess import Preprocessing
from recognizer.skeleton import LAYOUTS

OTHER_LABEL = "other"  # the generator's "none of the actions" class: the default background label


@dataclass(frozen=True)
class Recipe:
    """A preset's training defaults, from its paper."""

    batch_size: int  # global, over all processes
    epochs: int
    lr_decay: float  # per-epoch exponential decay of the learning rate
    margin: float  # SMFL's m
    normalization: str  # see recognizer.preprocess.NORMALIZATIONS
    augment: bool  # the webcam augmentations of recognizer.data.augment
    test_crop: float  # central crop ratio at test time


# TMM 2020 §IV-A: NTU 100 epochs, batch 32, decay 0.98; Kinetics 300 epochs, batch 128, decay
# 0.95; SMFL m 0.4 (NTU) / 0.6 (Kinetics). TS-SAN §5.2: batch 64, 200/100 epochs, test crop
# 0.9 (its plateau-halving lr schedule is replaced by the same exponential decay). The lite
# preset learns webcam-like clips: per-clip normalization and augmentation on.
RECIPES: dict[str, Recipe] = {
    "slnl_rfa_ntu": Recipe(32, 100, 0.98, 0.4, "first_frame", False, 0.95),
    "slnl_rfa_kinetics": Recipe(128, 300, 0.95, 0.6, "first_frame", False, 0.95),
    "slnl_rfa_lite": Recipe(32, 30, 0.95, 0.4, "clip", True, 0.95),
    "ts_san_ntu": Recipe(64, 200, 0.98, 0.4, "first_frame", False, 0.9),
    "ts_san_kinetics": Recipe(64, 100, 0.95, 0.6, "first_frame", False, 0.9),
}


@dataclass(frozen=True)
class TrainConfig:
    """One training run. `None` means "the preset's recipe" (or, fine-tuning, the base model's)."""

    out: str  # model file to write (.safetensors; its .json card and .optim.safetensors beside it)
    data: str  # --data SPEC: Kinetics-skeleton JSON folder, NTU folder or generator name
    preset: str | None = None  # registry name; taken from the model when resuming or fine-tuning
    epochs: int | None = None  # total epochs (a resumed run counts the ones already done)
    batch_size: int | None = None  # global batch, split over DDP processes
    lr: float = 1e-3
    weight_decay: float = 5e-4
    lr_decay: float | None = None
    loss: str = "smfl"  # per-head loss, see recognizer.losses.LOSS_KINDS
    margin: float | None = None  # soft margin m of SMFL / SMCE
    gamma: float = 2.0  # focusing parameter γ of SMFL / focal loss
    mutual_weight: float = 0.1  # λ of mutual learning (two-stream models)
    two_stream: bool = True
    frames: int | None = None  # T; default the preset's
    normalization: str | None = None
    live_windows: float | None = None  # share of samples cut as the engine windows a stream; default: kept / 0
    live_windows_at: str | None = None  # where in a clip they lie ("anywhere", "motion"); default: kept / anywhere
    augment: bool | None = None
    model_args: dict = field(default_factory=dict)  # overrides of the preset's config fields
    data_args: dict = field(default_factory=dict)  # extra dataset/generator arguments (n_per_class=...)
    val_data: str | None = None  # separate validation SPEC; default: the source's "val" split or a hold-out
    val_split: float = 0.1  # fraction held out per class when the data has no validation split
    base: str | None = None  # fine-tune from this model
    freeze_backbone: bool = False  # fine-tuning: train the heads only
    resume: str | None = None  # continue this run's checkpoint
    background_label: str | None = OTHER_LABEL  # recorded in the card when it is one of the labels
    threshold: float | None = None  # recorded in the card
    persons: int = 2  # M person slots per clip
    seed: int = 0
    bn_batches: int = 100  # after every epoch, batch-norm statistics from this many batches (recognizer.batchnorm)
    device: str | None = None  # default: CUDA (this process's GPU under torchrun), MPS, CPU
    workers: int = 2  # DataLoader worker processes
    amp: bool = True  # mixed precision on CUDA
    compile: bool = False  # torch.compile the model
    save_optimizer: bool = True  # keep the .optim.safetensors file needed to resume
    metrics_log: str | None = None  # JSON lines file; default <out stem>.metrics.jsonl
    progress_bar: bool = True  # tqdm on stderr (rank 0, terminals only)


@dataclass(frozen=True)
class StepProgress:
    """Sent to `progress_callback` after every training batch."""

    epoch: int  # 1-based
    epochs: int
    step: int  # 1-based, within the epoch
    steps: int
    loss: float  # running mean over the epoch so far


@dataclass(frozen=True)
class EpochMetrics:
    """One epoch's results: sent to `progress_callback` and written as a JSON line."""

    epoch: int  # 1-based, counting resumed epochs
    epochs: int
    lr: float
    train_loss: float  # the training objective (every head's loss + mutual learning), epoch mean
    train_top1: float  # concat head, in training mode, on augmented clips
    val_loss: float | None  # cross-entropy of the concat head (None without validation data)
    val_top1: float | None
    val_top5: float | None
    val_per_class: dict[str, float]
    seconds: float  # training pass only (validation and saving not included)
    clips_per_s: float  # training throughput over all processes


@dataclass(frozen=True)
class TrainResult:
    path: Path | None  # the model written (None if stopped before the first epoch ended)
    card: ModelCard | None
    epochs_done: int
    stopped: bool  # should_stop ended the run early
    history: tuple[EpochMetrics, ...]


@dataclass(frozen=True)
class _Dist:
    """This process's place in a torchrun job (rank 0 of 1 without torchrun)."""

    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0


class _Heads(nn.Module):
    """`model.forward_heads` as a module's forward, so DDP and torch.compile wrap what training calls."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.model.forward_heads(x)


def train(config: TrainConfig, progress_callback: Callable[[StepProgress | EpochMetrics], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """Run `config`; see the module docstring. User problems raise `LiveactionError`.

    Under torchrun call it in every process after `init_distributed()`; the callbacks run on
    rank 0 only and `should_stop` is meant for single-process runs.
    """
    _check(config)
    world = _dist_info()
    device = _device(config.device, world)
    out = checkpoint.model_paths(config.out)[0]
    start = _start(config)
    recipe = start.recipe
    epochs = config.epochs if config.epochs is not None else recipe.epochs
    batch_size = config.batch_size if config.batch_size is not None else recipe.batch_size
    if batch_size % world.world:
        raise LiveactionError(f"--batch-size {batch_size} does not split evenly over {world.world} processes")
    if start.epochs_done >= epochs:
        raise LiveactionError(f"{config.resume}: already trained {start.epochs_done} epochs; "
                              f"ask for more with --epochs")

    train_set, val_set, validation = _open_data(config, start.preprocessing, recipe, start.labels)
    labels = tuple(train_set.labels)
    model = _prepare_model(config, start, labels, world).to(device)
    if config.freeze_backbone:
        model.streams.requires_grad_(False)
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(parameters, lr=config.lr, weight_decay=config.weight_decay)
    if config.resume is not None and not checkpoint.load_optimizer_state(config.resume, optimizer):
        _say(world, f"{config.resume}: no optimizer state beside it; Adam starts afresh")
    margin = config.margin if config.margin is not None else recipe.margin
    try:
        criterion = MultiHeadLoss(LossConfig(kind=config.loss, gamma=config.gamma, margin=margin,
                                             mutual=config.mutual_weight))
    except ValueError as error:
        raise LiveactionError(str(error)) from None

    heads: nn.Module = _Heads(model)
    if world.world > 1:
        heads = DistributedDataParallel(heads, device_ids=[device.index] if device.type == "cuda" else None)
    if config.compile:
        heads = torch.compile(heads)
    amp = config.amp and device.type == "cuda"
    scaler = torch.amp.GradScaler("cuda", enabled=amp)

    train_sampler = DistributedSampler(train_set, world.world, world.rank, shuffle=True, seed=config.seed) \
        if world.world > 1 else None
    val_loader = _val_loader(val_set, batch_size // world.world, config.workers, world, device) \
        if val_set is not None else None
    lr_decay = config.lr_decay if config.lr_decay is not None else recipe.lr_decay
    data_summary = _data_summary(config, train_set, val_set, validation)
    if train_set.skipped and world.main:
        _say(world, f"skipped {len(train_set.skipped)} unreadable samples, e.g. {train_set.skipped[0][0]}: "
                    f"{train_set.skipped[0][1]}")
    log_path = Path(config.metrics_log) if config.metrics_log else out.with_name(out.stem + ".metrics.jsonl")
    if world.main and config.resume is None:
        log_path.unlink(missing_ok=True)  # a new run starts a new log; a resumed one continues it
    sync_every = 1 if (progress_callback is not None or device.type == "cpu") else 25  # GPU: few host syncs

    history: list[EpochMetrics] = []
    card: ModelCard | None = None
    best = start.best_top1
    stopped = False
    for epoch in range(start.epochs_done, epochs):
        torch.manual_seed(config.seed * 100_003 + epoch * 1009 + world.rank)  # dropout, crops, augmentation
        lr = config.lr * lr_decay**epoch
        for group in optimizer.param_groups:
            group["lr"] = lr
        loader = _train_loader(train_set, train_sampler, batch_size // world.world, config, epoch, device)
        model.train()
        if config.freeze_backbone:
            model.streams.eval()  # frozen batch-norm statistics stay the base model's
        bar = tqdm(total=len(loader), desc=f"epoch {epoch + 1}/{epochs}", unit="batch", file=sys.stderr,
                   leave=False, disable=None if (config.progress_bar and world.main) else True)

        def on_step(step: int, loss: float | None) -> None:
            bar.update(step - bar.n)
            if loss is not None:
                bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
                if progress_callback is not None and world.main:
                    progress_callback(StepProgress(epoch + 1, epochs, step, len(loader), loss))

        began = time.perf_counter()
        totals = _train_epoch(heads, loader, criterion, optimizer, scaler, amp, device, should_stop, on_step,
                              sync_every)
        bar.close()
        if totals is None:
            stopped = True
            break
        if world.world > 1:
            dist.all_reduce(totals)
        seconds = time.perf_counter() - began
        if config.bn_batches > 0 and not config.freeze_backbone:  # the statistics inference will use
            recalibrate_batch_norm(model, _train_loader(train_set, train_sampler, batch_size // world.world, config,
                                                        epoch, device), config.bn_batches, device)
        report = _validate(model, val_loader, labels, device, world) if val_loader is not None else None
        metrics = EpochMetrics(
            epoch=epoch + 1, epochs=epochs, lr=lr,
            train_loss=float(totals[0] / totals[2]), train_top1=float(totals[1] / totals[2]),
            val_loss=report.loss if report else None, val_top1=report.top1 if report else None,
            val_top5=report.top5 if report else None, val_per_class=dict(report.per_class) if report else {},
            seconds=seconds, clips_per_s=float(totals[2]) / seconds,
        )
        history.append(metrics)
        if metrics.val_top1 is not None and (best is None or metrics.val_top1 > best[0]):
            best = (metrics.val_top1, epoch + 1)
        if world.main:
            card = _card(config, model, labels, start, epoch + 1, metrics, best, data_summary)
            checkpoint.save_model(out, model, card)
            if config.save_optimizer:
                checkpoint.save_optimizer_state(out, optimizer)
            _append_jsonl(log_path, dataclasses.asdict(metrics))
            _say(world, _epoch_line(metrics))
            if progress_callback is not None:
                progress_callback(metrics)
        if world.world > 1:
            dist.barrier()
    done = history[-1].epoch if history else start.epochs_done
    return TrainResult(path=out if card is not None else None, card=card, epochs_done=done, stopped=stopped,
                       history=tuple(history))


@dataclass(frozen=True)
class RecalibrationResult:
    path: Path  # the model written
    card: ModelCard
    clips: int  # training clips the statistics were averaged over
    val_top1_before: float | None  # None when the data has no validation split
    val_top1_after: float | None


def recalibrate(config: TrainConfig) -> RecalibrationResult:
    """Re-estimate the batch-norm statistics of the model `config.resume` names, write `config.out`.

    For a model trained before training did this after every epoch: its statistics are
    averaged over `config.bn_batches` batches of its training data, made as training made
    them, with its weights unchanged (`recognizer.batchnorm`). The data, its arguments,
    augmentation, person slots and validation split are the card's unless `config` names
    data; `config.seed` draws the batches. The card keeps its training record and says where
    the statistics came from; its validation metrics are measured again. One process.
    """
    if config.resume is None:
        raise LiveactionError("name the model whose statistics to re-estimate")
    if config.bn_batches < 1:
        raise LiveactionError(f"--batches must be 1 or more, got {config.bn_batches}")
    world = _Dist(0, 1, 0)
    device = _device(config.device, world)
    start = _start(config)
    trained = start.card.training.get("config", {})
    as_trained = dataclasses.replace(  # the data the model was trained on, split as then
        config, data=config.data or trained.get("data", ""),
        data_args=config.data_args if config.data else trained.get("data_args", {}),
        augment=trained.get("augment", config.augment), val_split=trained.get("val_split", config.val_split),
        seed=trained.get("seed", config.seed), persons=start.card.persons)
    if not as_trained.data:
        raise LiveactionError(f"{config.resume}: its card does not say what it was trained on; give --data")
    train_set, val_set, validation = _open_data(as_trained, start.preprocessing, start.recipe, start.labels)
    model = start.model.to(device)
    kept = trained.get("batch_size")
    batch_size = config.batch_size or (kept if isinstance(kept, int) else start.recipe.batch_size)
    torch.manual_seed(config.seed)
    val_loader = _val_loader(val_set, batch_size, config.workers, world, device) if val_set is not None else None
    before = _validate(model, val_loader, start.labels, device, world) if val_loader is not None else None
    clips = recalibrate_batch_norm(model, _train_loader(train_set, None, batch_size, config, 0, device),
                                   config.bn_batches, device)
    after = _validate(model, val_loader, start.labels, device, world) if val_loader is not None else None
    metrics = dict(start.card.metrics)
    if after is not None:
        metrics.update(val_loss=after.loss, val_top1=after.top1, val_top5=after.top5,
                       val_per_class=dict(after.per_class))
    note = {"data": as_trained.data, "data_args": dict(as_trained.data_args), "clips": clips, "seed": config.seed,
            "validation": validation}
    card = dataclasses.replace(start.card, metrics=metrics, training={**start.card.training, "batch_norm": note})
    out = checkpoint.model_paths(config.out)[0]
    checkpoint.save_model(out, model, card)
    return RecalibrationResult(out, card, clips, before.top1 if before else None, after.top1 if after else None)


def _train_epoch(heads: nn.Module, loader: DataLoader, criterion: MultiHeadLoss, optimizer: torch.optim.Optimizer,
                 scaler: torch.amp.GradScaler, amp: bool, device: torch.device,
                 should_stop: Callable[[], bool] | None, on_step: Callable[[int, float | None], None],
                 sync_every: int) -> torch.Tensor | None:
    """One pass over `loader`: float64 (loss sum, correct, clips), or None if `should_stop` ended it.

    `on_step(step, running_loss)` follows every batch; the running loss (a host sync) is
    computed every `sync_every` batches and at the end, else None.
    """
    totals = torch.zeros(3, dtype=torch.float64, device=device)
    for step, (x, targets) in enumerate(loader, start=1):
        if should_stop is not None and should_stop():
            return None
        x = x.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)
        with torch.autocast(device.type, dtype=torch.float16, enabled=amp):
            logits = heads(x)
        logits = {name: value.float() for name, value in logits.items()}  # the loss in float32
        loss = criterion(logits, targets)
        optimizer.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        with torch.no_grad():
            correct = (logits["concat"].argmax(dim=1) == targets).sum()
            totals += torch.stack([loss.detach().double() * len(targets), correct.double(),
                                   torch.tensor(float(len(targets)), dtype=torch.float64, device=device)])
        if step % sync_every == 0 or step == len(loader):
            running = float(totals[0] / totals[2])
            if not math.isfinite(running):
                raise LiveactionError(f"the training loss became {running} by batch {step}; the last finished "
                                      f"epoch is saved — try a lower --lr")
            on_step(step, running)
        else:
            on_step(step, None)
    return totals


def init_distributed(device: str | None = None) -> None:
    """Join the torchrun job this process belongs to (no-op without torchrun): NCCL on GPUs, else gloo."""
    info = _dist_info()
    if info.world > 1 and not dist.is_initialized():
        on_gpu = torch.cuda.is_available() and (device is None or torch.device(device).type == "cuda")
        backend = "nccl" if on_gpu else "gloo"
        if backend == "nccl":
            torch.cuda.set_device(info.local_rank)
        dist.init_process_group(backend)


def close_distributed() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def _check(config: TrainConfig) -> None:
    """Numbers a person typed: each must make sense before anything is loaded."""
    positive = {"--epochs": config.epochs, "--batch-size": config.batch_size, "--persons": config.persons,
                "--lr": config.lr}
    for option, value in positive.items():
        if value is not None and not value > 0:
            raise LiveactionError(f"{option} must be positive, got {value}")
    if not 0 <= config.val_split < 1:
        raise LiveactionError(f"--val-split must be within [0, 1), got {config.val_split}")
    if config.lr_decay is not None and not 0 < config.lr_decay <= 1:
        raise LiveactionError(f"--lr-decay must be within (0, 1], got {config.lr_decay}")
    if config.threshold is not None and not 0 <= config.threshold <= 1:
        raise LiveactionError(f"--threshold must be within [0, 1], got {config.threshold}")
    if config.bn_batches < 0:
        raise LiveactionError(f"--bn-batches must be 0 or more, got {config.bn_batches}")
    if config.freeze_backbone and config.base is None:
        raise LiveactionError("--freeze-backbone needs --base (a trained backbone to keep)")


@dataclass(frozen=True)
class _Start:
    """Where a run starts: a fresh preset, a base model to fine-tune, or a checkpoint to resume."""

    preset: str
    recipe: Recipe
    preprocessing: Preprocessing
    labels: tuple[str, ...] | None  # the label order a resumed run must keep
    model: nn.Module | None  # loaded weights (base or resume)
    card: ModelCard | None
    epochs_done: int = 0
    best_top1: tuple[float, int] | None = None


def _start(config: TrainConfig) -> _Start:
    if config.resume is not None and config.base is not None:
        raise LiveactionError("give --resume (continue a run) or --base (fine-tune), not both")
    source = config.resume or config.base
    if source is None:
        if config.preset is None:
            raise LiveactionError("--preset is needed to train a new model (or --base / --resume an existing one)")
        if config.preset not in RECIPES:
            raise LiveactionError(f"unknown preset {config.preset!r}; known: {', '.join(sorted(RECIPES))}")
        recipe = RECIPES[config.preset]
        from recognizer.models import model_config

        try:
            default_T = model_config(config.preset).T
        except ValueError as error:
            raise LiveactionError(str(error)) from None
        try:
            preprocessing = Preprocessing(
                T=config.frames if config.frames is not None else default_T,
                normalization=config.normalization or recipe.normalization, test_crop=recipe.test_crop,
                live_windows=config.live_windows or 0.0, live_windows_at=config.live_windows_at or "anywhere")
        except ValueError as error:
            raise LiveactionError(f"bad preprocessing: {error}") from None
        return _Start(config.preset, recipe, preprocessing, None, None, None)

    model, card = checkpoint.load_model(source)
    if config.preset is not None and config.preset != card.preset:
        raise LiveactionError(f"{source} is a {card.preset} model, not {config.preset}")
    for name, value, kept in (("--frames", config.frames, card.preprocessing.T),
                              ("--normalization", config.normalization, card.preprocessing.normalization)):
        if value is not None and value != kept:
            raise LiveactionError(f"{source} was trained with {name} {kept}; it cannot change to {value}")
    recipe = RECIPES[card.preset]
    preprocessing = card.preprocessing
    changes = {name: value for name, value in (("live_windows", config.live_windows),
                                               ("live_windows_at", config.live_windows_at)) if value is not None}
    if changes:  # training choices: they may change when training goes on
        try:
            preprocessing = dataclasses.replace(preprocessing, **changes)
        except ValueError as error:
            raise LiveactionError(f"bad preprocessing: {error}") from None
    if config.base is not None:
        return _Start(card.preset, recipe, preprocessing, None, model, card)
    done = card.training.get("epochs_done")
    if not isinstance(done, int) or done < 1:
        raise LiveactionError(f"{source}: its card has no epoch count to resume from")
    best = card.metrics.get("best_val_top1"), card.metrics.get("best_epoch")
    return _Start(card.preset, recipe, preprocessing, card.labels, model, card, done,
                  best if None not in best else None)


def _open_data(config: TrainConfig, preprocessing: Preprocessing, recipe: Recipe,
               labels: Sequence[str] | None) -> tuple[Dataset, Dataset | None, str | None]:
    """Training set (augmented), validation set (test preprocessing) and where the latter came from.

    Validation comes from `val_data` when given, else from the source's own "val" split
    (generators, NTU's benchmark split), else a stratified hold-out of `val_split`.
    """
    from recognizer.data.augment import Augment
    from recognizer.data.datasets import GENERATORS, NtuFolder, open_dataset

    augment = Augment() if (config.augment if config.augment is not None else recipe.augment) else None
    common = dict(preprocessing=preprocessing, max_persons=config.persons)
    try:
        train_set = open_dataset(config.data, split="train", augment=augment, train=True, **common,
                                 **config.data_args)
    except (TypeError, ValueError) as error:
        raise LiveactionError(f"--data {config.data}: {error}") from None
    if labels is not None and tuple(train_set.labels) != tuple(labels):
        raise LiveactionError(f"{config.resume} needs the labels it was trained with ({len(labels)}); the data "
                              f"has {len(train_set.labels)} labels in another order or set")
    if config.val_data is not None:
        val_set = open_dataset(config.val_data, split="val", train=False, **common)
        return train_set, RelabeledDataset(val_set, train_set.labels), config.val_data
    if config.data in GENERATORS or isinstance(train_set, NtuFolder):
        val_set = open_dataset(config.data, split="val", train=False, **common, **config.data_args)
        return train_set, val_set, f"{config.data} val split"
    if config.val_split <= 0:
        return train_set, None, None
    train_idx, val_idx = stratified_split(train_set.targets, config.val_split, config.seed)
    if not val_idx:
        return train_set, None, None
    val_view = copy.copy(train_set)  # the same samples, read with test-time preprocessing
    val_view.train, val_view.augment = False, None
    return _Part(train_set, train_idx), _Part(val_view, val_idx), f"{config.val_split:.0%} held out per class"


class _Part(Subset):
    """A subset that keeps the labels, targets and skipped list of the dataset it is cut from."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]):
        super().__init__(dataset, indices)
        self.labels = dataset.labels
        self.skipped = dataset.skipped
        self.targets = [dataset.targets[i] for i in indices]


def stratified_split(targets: Sequence[int], fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Hold out `fraction` of each class (at least one sample of classes with two or more)."""
    rng = np.random.default_rng(seed)
    targets = np.asarray(targets)
    train_idx: list[int] = []
    val_idx: list[int] = []
    for k in np.unique(targets):
        members = rng.permutation(np.flatnonzero(targets == k))
        held = min(max(round(fraction * len(members)), 1), len(members) - 1) if len(members) > 1 else 0
        val_idx += members[:held].tolist()
        train_idx += members[held:].tolist()
    return sorted(train_idx), sorted(val_idx)


def _prepare_model(config: TrainConfig, start: _Start, labels: tuple[str, ...], world: _Dist) -> nn.Module:
    from recognizer.models import create_model, model_config

    if start.model is None:
        torch.manual_seed(config.seed)  # same initial weights in every process (DDP also broadcasts rank 0's)
        layout = LAYOUTS[start.preprocessing.layout]
        overrides = {"T": start.preprocessing.T, "num_joints": layout.num_joints}
        if "num_persons" in {f.name for f in dataclasses.fields(model_config(start.preset))}:
            overrides["num_persons"] = config.persons  # TS-SAN V1 lays persons side by side
        overrides.update(config.model_args)
        try:
            return create_model(start.preset, len(labels), config.two_stream, **overrides)
        except ValueError as error:
            raise LiveactionError(f"cannot build {start.preset}: {error}") from None
    model = start.model
    if config.base is not None:
        _new_head(model, start.card.labels, labels)
        kept = sorted(set(start.card.labels) & set(labels))
        _say(world, f"fine-tuning {config.base}: {len(kept)} of {len(labels)} labels keep their head weights")
    return model


def _new_head(model: nn.Module, old_labels: Sequence[str], new_labels: Sequence[str]) -> None:
    """Fresh heads for `new_labels`; each label the model already knew keeps its row."""
    old = {name: (head.weight.detach().clone(), head.bias.detach().clone()) for name, head in model.heads.items()}
    model.reset_classifier(len(new_labels))
    where = {label: k for k, label in enumerate(old_labels)}
    with torch.no_grad():
        for name, head in model.heads.items():
            weight, bias = old[name]
            for k, label in enumerate(new_labels):
                if label in where:
                    head.weight[k] = weight[where[label]]
                    head.bias[k] = bias[where[label]]


def _train_loader(dataset: Dataset, sampler: DistributedSampler | None, batch_size: int, config: TrainConfig,
                  epoch: int, device: torch.device) -> DataLoader:
    """This epoch's loader; its shuffle and worker seeds follow (seed, epoch) so a resume replays."""
    generator = torch.Generator().manual_seed(config.seed * 100_003 + epoch)
    if sampler is not None:
        sampler.set_epoch(epoch)
    return DataLoader(dataset, batch_size=batch_size, shuffle=sampler is None, sampler=sampler,
                      num_workers=config.workers, pin_memory=device.type == "cuda", generator=generator,
                      drop_last=len(dataset) > batch_size)


def _val_loader(dataset: Dataset, batch_size: int, workers: int, world: _Dist, device: torch.device) -> DataLoader:
    """Each process validates its own shard (no padding, so every sample counts once)."""
    shard = Subset(dataset, range(world.rank, len(dataset), world.world)) if world.world > 1 else dataset
    return DataLoader(shard, batch_size=batch_size, num_workers=workers, pin_memory=device.type == "cuda")


def _validate(model: nn.Module, loader: DataLoader, labels: Sequence[str], device: torch.device, world: _Dist):
    if world.world > 1:
        for buffer in model.buffers():  # every process validates with rank 0's batch-norm statistics
            dist.broadcast(buffer, 0)
    tally, _ = count(model, loader, len(labels), device)
    if world.world > 1:
        tally.all_reduce()
    return tally.report(labels) if tally.n else None


def _card(config: TrainConfig, model: nn.Module, labels: tuple[str, ...], start: _Start, epochs_done: int,
          metrics: EpochMetrics, best: tuple[float, int] | None, data_summary: dict) -> ModelCard:
    previous = start.card
    background = config.background_label if config.background_label in labels else None
    threshold = config.threshold if config.threshold is not None else (previous.threshold if previous else None)
    record = {k: v for k, v in dataclasses.asdict(metrics).items() if k not in ("seconds", "clips_per_s")}
    if best is not None:
        record.update(best_val_top1=best[0], best_epoch=best[1])
    training = {"epochs_done": epochs_done, "config": dataclasses.asdict(config)}
    if config.base is not None:
        training["base"] = {"path": config.base, "labels": list(start.card.labels)}
    # A fine-tuned or resumed model keeps the frame rate its backbone learned (clip files do not state one).
    fps = previous.fps if previous is not None else data_summary["fps"]
    return ModelCard.for_model(model, labels, start.preprocessing, fps=fps, persons=config.persons,
                               background_label=background, threshold=threshold, data=data_summary,
                               metrics=record, training=training)


def _data_summary(config: TrainConfig, train_set: Dataset, val_set: Dataset | None,
                  validation: str | None) -> dict:
    targets = np.asarray(train_set.targets)
    summary = {
        "spec": config.data,
        "validation": validation,
        "train_samples": len(train_set),
        "val_samples": len(val_set) if val_set is not None else 0,
        "skipped": len(train_set.skipped),
        "per_class": {label: int((targets == k).sum()) for k, label in enumerate(train_set.labels)},
    }
    fps = getattr(getattr(train_set, "source", None), "fps", None)  # a generator knows its frame rate
    summary["fps"] = float(fps) if isinstance(fps, (int, float)) else 30.0  # NTU, Kinetics, recordings: 30
    return summary


def _dist_info() -> _Dist:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    return _Dist(int(os.environ.get("RANK", "0")), world, int(os.environ.get("LOCAL_RANK", "0")))


def _device(name: str | None, world: _Dist) -> torch.device:
    if name is not None:
        try:
            device = torch.device(name)
        except RuntimeError:
            raise LiveactionError(f"--device {name}: not a device torch knows (cpu, cuda, cuda:1, mps)") from None
        if device.type == "cuda" and not torch.cuda.is_available():
            raise LiveactionError(f"--device {name}: this torch has no CUDA device")
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", world.local_rank)
        return device
    if torch.cuda.is_available():
        return torch.device("cuda", world.local_rank)
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _append_jsonl(path: Path, record: dict) -> None:
    """One line per epoch; appending (not atomic) is fine for a log, a crash costs at most its last line."""
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(checkpoint.json_safe(record), ensure_ascii=False) + "\n")


def _epoch_line(m: EpochMetrics) -> str:
    val = f", val top-1 {100 * m.val_top1:.1f}% top-5 {100 * m.val_top5:.1f}%" if m.val_top1 is not None else ""
    return (f"epoch {m.epoch}/{m.epochs}: loss {m.train_loss:.4f}, train top-1 {100 * m.train_top1:.1f}%{val}, "
            f"lr {m.lr:.2e}, {m.seconds:.1f} s ({m.clips_per_s:.1f} clips/s)")


def _say(world: _Dist, message: str) -> None:
    if world.main:
        tqdm.write(message, file=sys.stderr)


if __name__ == "__main__":
    from recognizer.commands.train import main

    sys.exit(main())
