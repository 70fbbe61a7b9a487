"""Batch-norm statistics re-estimated for inference: exact averages with dropout off, the
train/eval modes kept, and `liveaction recalibrate` on a trained model."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn

from recognizer.batchnorm import recalibrate_batch_norm
from recognizer.checkpoint import load_model
from recognizer.cli import main as cli
from recognizer.train import train
from tests.recognizer.test_train import LABELS, tiny_config, write_clips


def dropout_then_norm() -> nn.Module:
    """Dropout feeding a batch norm, as each block of our networks feeds the next."""
    return nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.BatchNorm1d(8), nn.Linear(8, 2))


def test_statistics_are_the_exact_averages_of_what_inference_computes():
    torch.manual_seed(0)
    model = dropout_then_norm()
    batches = [torch.randn(16, 4) * 3 + 1 for _ in range(5)]
    model.train()
    clips = recalibrate_batch_norm(model, batches, limit=5)
    assert clips == 80
    with torch.no_grad():
        seen = [model[0](x) for x in batches]  # dropout is off at inference: the norm sees these
    norm = model[2]
    assert torch.allclose(norm.running_mean, torch.cat(seen).mean(0), atol=1e-5)
    expected_var = torch.stack([h.var(0, unbiased=True) for h in seen]).mean(0)  # mean of per-batch variances
    assert torch.allclose(norm.running_var, expected_var, rtol=1e-4)
    assert model.training and model[1].training and norm.training  # modes as they were
    assert norm.momentum == 0.1


def test_dropout_on_would_leave_the_variance_shift_in():
    torch.manual_seed(0)
    model = dropout_then_norm()
    batches = [torch.randn(64, 4) for _ in range(20)]
    recalibrate_batch_norm(model, batches, limit=20)
    off = model[2].running_var.clone()
    torch.optim.swa_utils.update_bn(batches, model)  # the whole model in training mode, dropout on
    assert (model[2].running_var > 1.3 * off).all()  # dropout's ×2 scaling inflates the variance


def test_only_the_first_batches_count_and_none_change_nothing():
    model = dropout_then_norm().eval()
    before = model[2].running_mean.clone()
    assert recalibrate_batch_norm(model, [], limit=10) == 0
    assert recalibrate_batch_norm(model, [torch.ones(4, 4)], limit=0) == 0
    assert torch.equal(model[2].running_mean, before) and not model.training
    batches = [(torch.full((4, 4), float(k)), torch.zeros(4)) for k in range(10)]  # (input, target) pairs
    assert recalibrate_batch_norm(model, iter(batches), limit=3) == 12
    with torch.no_grad():
        expected = torch.cat([model[0](x) for x, _ in batches[:3]]).mean(0)
    assert torch.allclose(model[2].running_mean, expected, atol=1e-5)


def test_a_model_without_batch_norm_costs_no_pass():
    def never():
        raise AssertionError("no batch should be read")
        yield

    assert recalibrate_batch_norm(nn.Sequential(nn.Linear(4, 2), nn.Dropout(0.2)), never(), limit=100) == 0


@pytest.fixture(scope="module")
def trained_without(tmp_path_factory):
    """A tiny model trained with the running averages kept (`bn_batches=0`), and its clips."""
    folder = tmp_path_factory.mktemp("bn")
    clips = write_clips(folder / "clips")
    out = folder / "model.safetensors"
    train(tiny_config(out, clips, epochs=3, bn_batches=0))
    return out, clips


def test_recalibrate_rewrites_only_the_statistics_and_says_so(trained_without, tmp_path, capsys):
    model_path, clips = trained_without
    out = tmp_path / "recalibrated.safetensors"
    assert cli(["recalibrate", str(model_path), "--out", str(out), "--batches", "5",  # the card's data
                "--workers", "0", "--device", "cpu"]) == 0
    printed = capsys.readouterr().out
    assert "batch-norm statistics from 20 training clips" in printed and "val top-1" in printed
    old, old_card = load_model(model_path, "cpu")
    new, card = load_model(out, "cpu")
    assert card.labels == old_card.labels and card.training["epochs_done"] == 3
    assert card.training["batch_norm"]["clips"] == 20  # 5 batches of the 4 it was trained with
    assert card.training["batch_norm"]["data"] == str(clips)
    assert card.metrics["val_top1"] is not None
    changed = {name for name, value in new.state_dict().items() if not torch.equal(value, old.state_dict()[name])}
    assert changed and all(name.endswith(("running_mean", "running_var", "num_batches_tracked")) for name in changed)


def test_training_leaves_statistics_that_recalibration_reproduces(trained_without, tmp_path):
    _, clips = trained_without
    out = tmp_path / "with.safetensors"
    result = train(tiny_config(out, clips, epochs=2, bn_batches=1000))  # every batch of the epoch
    assert result.card.training["config"]["bn_batches"] == 1000
    model, _ = load_model(out, "cpu")
    stats = {name: value.clone() for name, value in model.state_dict().items() if name.endswith("running_mean")}
    again = tmp_path / "again.safetensors"
    assert cli(["recalibrate", str(out), "--data", str(clips), "--out", str(again), "--batches", "1000",
                "--workers", "0", "--device", "cpu", "--seed", "5"]) == 0
    redone, _ = load_model(again, "cpu")
    for name, value in stats.items():  # the same clips, other crops and order: about the same averages
        assert torch.allclose(redone.state_dict()[name], value, atol=0.05 + 0.1 * value.abs().max().item())


@pytest.mark.parametrize("changes, problem", [
    (["--batches", "0"], "--batches must be 1 or more"),
    (["--data", "nowhere"], "no such folder"),
])
def test_recalibrate_errors_are_one_line(trained_without, tmp_path, capsys, changes, problem):
    model_path, clips = trained_without
    args = ["recalibrate", str(model_path), "--data", str(clips), "--out", str(tmp_path / "x.safetensors"),
            "--workers", "0", "--device", "cpu"]
    assert cli(args + changes) == 2
    message = capsys.readouterr().err
    assert problem in message and message.count("\n") == 1
    assert not (tmp_path / "x.safetensors").exists()


def test_recalibrate_refuses_data_with_other_labels(trained_without, tmp_path, capsys):
    model_path, _ = trained_without
    other = write_clips(tmp_path / "other", labels=LABELS[:2], per_class=4)
    assert cli(["recalibrate", str(model_path), "--data", str(other), "--out", str(tmp_path / "x.safetensors"),
                "--workers", "0", "--device", "cpu"]) == 2
    assert "labels" in capsys.readouterr().err


def test_a_frozen_backbone_keeps_its_base_statistics(trained_without, tmp_path):
    model_path, clips = trained_without
    out = tmp_path / "heads.safetensors"
    config = dataclasses.replace(tiny_config(out, clips, epochs=1), preset=None, base=str(model_path),
                                 freeze_backbone=True)
    train(config)
    base, _ = load_model(model_path, "cpu")
    tuned, _ = load_model(out, "cpu")
    for name, value in base.state_dict().items():
        if name.endswith("running_mean"):
            assert torch.equal(tuned.state_dict()[name], value)
