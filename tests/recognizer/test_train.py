"""Training: learns, reports, stops, resumes exactly, fine-tunes to new classes, runs under torchrun."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from recognizer.checkpoint import load_model, read_card
from recognizer.data.formats import SkeletonClip, write_kinetics_json
from recognizer.errors import LiveactionError
from recognizer.train import EpochMetrics, StepProgress, TrainConfig, _new_head, stratified_split, train

REPO = Path(__file__).resolve().parents[2]

# A standing OpenPose-18 body in picture coordinates (x right, y down), and per class the
# joints that move and along which axis: easy to tell apart, as a test data set should be.
BODY = np.array([[0.50, 0.20], [0.50, 0.30], [0.42, 0.30], [0.38, 0.42], [0.36, 0.54], [0.58, 0.30],
                 [0.62, 0.42], [0.64, 0.54], [0.45, 0.55], [0.45, 0.72], [0.45, 0.90], [0.55, 0.55],
                 [0.55, 0.72], [0.55, 0.90], [0.48, 0.18], [0.52, 0.18], [0.46, 0.19], [0.54, 0.19]]).T
MOVES = {"arms": ((3, 4, 6, 7), 1), "legs": ((9, 10, 12, 13), 0), "head": ((0, 14, 15, 16, 17), 1),
         "sway": ((2, 3, 4, 5, 6, 7), 0)}
LABELS = ("arms", "legs", "head")
TINY = {"channels": [16, 16, 32, 32], "kernel_sizes": [3, 3, 3, 3], "num_slnl": 1}


def make_clip(label: str, rng: np.random.Generator, T: int = 40) -> np.ndarray:
    """One `(3, T, 18, 1)` clip: the body with its class's joints oscillating, plus noise."""
    t = np.arange(T) / 30
    wave = 0.08 * np.sin(2 * np.pi * rng.uniform(0.8, 1.5) * t + rng.uniform(0, 2 * np.pi))  # (T,)
    xy = BODY[:, None, :] + rng.normal(0, 0.01, (2, 1, 18)) + rng.normal(0, 0.003, (2, T, 18))  # (2, T, V)
    joints, axis = MOVES[label]
    xy[axis][:, list(joints)] += wave[:, None]
    return np.concatenate([xy, np.full((1, T, 18), 0.9)])[..., None].astype(np.float32)  # (3, T, V, 1)


def write_clips(folder: Path, labels=LABELS, per_class: int = 16, seed: int = 0) -> Path:
    """A folder of Kinetics-skeleton JSON clips, `per_class` of each label."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for label in labels:
        for i in range(per_class):
            write_kinetics_json(folder / f"{label}_{i:02d}.json",
                                SkeletonClip(make_clip(label, rng), label=label, fps=30.0))
    return folder


def tiny_config(out: Path, data: Path, **changes) -> TrainConfig:
    """The lite preset shrunk to train in seconds on one CPU thread."""
    config = TrainConfig(out=str(out), data=str(data), preset="slnl_rfa_lite", epochs=6, batch_size=4, lr=3e-3,
                         frames=16, model_args=TINY, augment=False, persons=1, workers=0, val_split=0.25,
                         progress_bar=False)
    return dataclasses.replace(config, **changes)


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    folder = write_clips(tmp_path_factory.mktemp("clips"))
    (folder / "broken.json").write_text('{"data": [{"frame_index": 1, "skel')  # truncated
    return folder


@pytest.fixture(scope="module")
def trained(clips, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "three.safetensors"
    events = []
    result = train(tiny_config(out, clips, epochs=8), progress_callback=events.append)
    return result, events


def test_small_dataset_trains_well_above_chance(trained):
    result, _ = trained
    assert result.epochs_done == 8 and not result.stopped
    assert result.history[-1].val_top1 >= 0.8  # chance is 1/3
    model, card = load_model(result.path)
    assert card == result.card and card.preset == "slnl_rfa_lite"
    assert card.labels == tuple(sorted(LABELS))  # files without label_index: sorted names
    assert card.preprocessing.T == 16 and card.preprocessing.normalization == "clip"
    assert card.background_label is None  # there is no "other" class here
    assert card.metrics["val_top1"] == result.history[-1].val_top1
    assert card.training["epochs_done"] == 8


def test_data_summary_counts_held_out_and_skipped_samples(trained):
    card = trained[0].card
    assert card.data["skipped"] == 1  # broken.json
    assert card.data["train_samples"] + card.data["val_samples"] == 48
    assert card.data["val_samples"] == 12 and set(card.data["per_class"].values()) == {12}


def test_metrics_are_json_lines_and_progress_is_reported(trained):
    result, events = trained
    log = result.path.with_name("three.metrics.jsonl")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["epoch"] for line in lines] == list(range(1, 9))
    assert lines[1]["lr"] == pytest.approx(3e-3 * 0.95)  # the lite recipe's decay
    epochs = [e for e in events if isinstance(e, EpochMetrics)]
    steps = [e for e in events if isinstance(e, StepProgress)]
    assert [e.epoch for e in epochs] == list(range(1, 9))
    assert steps[0].step == 1 and steps[-1].step == steps[-1].steps == 9  # 36 clips / batch 4
    assert all(np.isfinite(e.loss) for e in steps)


def test_should_stop_ends_the_run_and_keeps_the_last_epoch(clips, tmp_path):
    calls = []

    def stop_in_second_epoch():
        calls.append(1)
        return len(calls) > 11  # epoch 1 has 9 steps

    result = train(tiny_config(tmp_path / "m.safetensors", clips), should_stop=stop_in_second_epoch)
    assert result.stopped and result.epochs_done == 1
    assert read_card(result.path).training["epochs_done"] == 1


def test_a_diverging_loss_stops_with_a_clear_error(clips, tmp_path, monkeypatch):
    from recognizer.losses import MultiHeadLoss

    monkeypatch.setattr(MultiHeadLoss, "__call__", lambda self, heads, target: heads["concat"].sum() * float("nan"))
    with pytest.raises(LiveactionError, match="loss became nan by batch 1"):
        train(tiny_config(tmp_path / "m.safetensors", clips, epochs=1))


def test_resume_continues_and_matches_an_uninterrupted_run(clips, tmp_path):
    straight = train(tiny_config(tmp_path / "straight.safetensors", clips, epochs=2))
    first = train(tiny_config(tmp_path / "split.safetensors", clips, epochs=1))
    resumed = train(tiny_config(tmp_path / "split.safetensors", clips, epochs=2, resume=str(first.path)))
    assert [h.epoch for h in resumed.history] == [2]
    assert resumed.history[0].lr == pytest.approx(straight.history[1].lr)
    a, _ = load_model(straight.path)
    b, card = load_model(resumed.path)
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(x, y), name
    assert card.training["epochs_done"] == 2
    lines = (tmp_path / "split.metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]
    with pytest.raises(LiveactionError, match="already trained 2 epochs"):
        train(tiny_config(tmp_path / "split.safetensors", clips, epochs=2, resume=str(resumed.path)))


def test_live_windows_are_chosen_when_training_and_kept_by_the_card(clips, tmp_path):
    first = train(tiny_config(tmp_path / "m.safetensors", clips, epochs=1, live_windows=0.5))
    assert load_model(first.path)[1].preprocessing.live_windows == 0.5
    kept = train(tiny_config(tmp_path / "m.safetensors", clips, epochs=2, resume=str(first.path)))
    assert load_model(kept.path)[1].preprocessing.live_windows == 0.5
    assert load_model(kept.path)[1].preprocessing.live_windows_at == "anywhere"
    changed = train(tiny_config(tmp_path / "m.safetensors", clips, epochs=3, resume=str(kept.path), live_windows=0.0))
    assert load_model(changed.path)[1].preprocessing.live_windows == 0.0
    moved = train(tiny_config(tmp_path / "m.safetensors", clips, epochs=4, resume=str(changed.path),
                              live_windows=0.5, live_windows_at="motion"))
    assert load_model(moved.path)[1].preprocessing.live_windows_at == "motion"


def test_fine_tune_adds_a_new_class(trained, tmp_path):
    base = trained[0].path
    data = write_clips(tmp_path / "with_sway", labels=LABELS + ("sway",), per_class=12, seed=1)
    config = tiny_config(tmp_path / "four.safetensors", data, base=str(base), preset=None, frames=None,
                         model_args={}, epochs=4)
    result = train(config)
    card = result.card
    assert card.labels == ("arms", "head", "legs", "sway") and card.num_classes == 4
    assert card.training["base"]["labels"] == ["arms", "head", "legs"]
    assert card.config == read_card(base).config  # same backbone architecture
    assert result.history[-1].val_top1 >= 0.75  # chance is 1/4
    assert result.history[-1].val_per_class["sway"] >= 0.5


def test_new_head_keeps_rows_of_known_labels():
    from recognizer.models import create_model

    model = create_model("slnl_rfa_lite", 3, T=16, **TINY)
    before = {name: head.weight.detach().clone() for name, head in model.heads.items()}
    _new_head(model, ("arms", "head", "legs"), ("legs", "sway", "arms"))
    for name, head in model.heads.items():
        assert head.weight.shape[0] == 3
        assert torch.equal(head.weight[0], before[name][2]) and torch.equal(head.weight[2], before[name][0])


def test_stratified_split_holds_out_each_class():
    targets = [0] * 10 + [1] * 4 + [2]
    train_idx, val_idx = stratified_split(targets, 0.25, seed=0)
    assert sorted(train_idx + val_idx) == list(range(15))
    held = [targets[i] for i in val_idx]
    assert held.count(0) == 2 and held.count(1) == 1 and held.count(2) == 0  # a lone sample stays in training
    assert stratified_split(targets, 0.25, seed=0) == (train_idx, val_idx)


@pytest.mark.parametrize("changes, problem", [
    (dict(preset="resnet"), "unknown preset"),
    (dict(preset=None), "--preset is needed"),
    (dict(base="a.safetensors", resume="b.safetensors"), "not both"),
    (dict(model_args={"depth": 3}), "cannot build"),
    (dict(data="nowhere"), "no such folder"),
    (dict(frames=0), "bad preprocessing"),
    (dict(live_windows=2.0), "bad preprocessing"),
    (dict(live_windows_at="middle"), "bad preprocessing"),
    (dict(device="tpu"), "not a device"),
    (dict(epochs=0), "--epochs must be positive"),
    (dict(val_split=1.0), "--val-split"),
    (dict(freeze_backbone=True), "needs --base"),
])
def test_bad_configs_fail_in_one_line(clips, tmp_path, changes, problem):
    config = dataclasses.replace(tiny_config(tmp_path / "m.safetensors", clips), **changes)
    with pytest.raises(LiveactionError, match=problem) as info:
        train(config)
    assert "\n" not in str(info.value)


def test_empty_data_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(LiveactionError, match="no Kinetics-skeleton"):
        train(tiny_config(tmp_path / "m.safetensors", tmp_path / "empty"))


def test_module_entry_point_reports_errors_in_one_line(tmp_path):
    from recognizer.commands.train import main

    assert main(["--preset", "nope", "--data", str(tmp_path), "--out", str(tmp_path / "m.safetensors")]) == 2


@pytest.mark.slow
def test_two_process_ddp_on_cpu_writes_the_same_kind_of_checkpoint(clips, tmp_path):
    out = tmp_path / "ddp.safetensors"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "recognizer.train", "--preset", "slnl_rfa_lite", "--data", str(clips), "--epochs", "2",
               "--out", str(out), "--batch-size", "8", "--frames", "16", "--workers", "0", "--device", "cpu",
               "--no-augment", "--val-split", "0.25", "--no-progress"]
    command += [arg for key, value in TINY.items() for arg in ("--model-arg", f"{key}={json.dumps(value)}")]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    model, card = load_model(out)
    assert card.labels == tuple(sorted(LABELS)) and card.training["epochs_done"] == 2
    assert card.data["val_samples"] == 12
    log = [json.loads(line) for line in out.with_name("ddp.metrics.jsonl").read_text().splitlines()]
    assert [line["epoch"] for line in log] == [1, 2]  # rank 0 alone writes
    assert done.stdout.count("ddp.safetensors:") == 1
